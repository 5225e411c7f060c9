"""The examples run and show what they claim."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))


def test_airline_gru_beats_seasonal_naive():
    pytest.importorskip("sktime")
    import forecast_airline

    rows = forecast_airline.main(random_state=0)
    gru_mae, gru_mape = rows["GRURegressor"]
    naive_mae, naive_mape = rows["seasonal naive"]
    assert gru_mape < naive_mape
    assert gru_mae < naive_mae
