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


def test_transfer_example_fine_tuning_beats_scratch():
    import transfer_digits

    means = transfer_digits.main()
    assert means["fine-tuned"] > means["from scratch"]


def test_video_example_crnn_sees_motion_per_frame_models_do_not():
    import video_crnn

    scores = video_crnn.main()
    crnn, single, average = scores.values()
    assert crnn >= 0.95
    assert single < 0.65 and average < 0.65
