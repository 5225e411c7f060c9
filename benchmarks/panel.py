"""Many series: one model across a panel, against per-series models.

A synthetic panel of daily sales: 1,000 series of 200 days, each with its
own level (10 to 100), a weekly season of its own strength and phase, noise,
and a promotion flag (on 15 % of days, at random) that lifts the day's value
by half. The last 14 days of every series are held out. Each model sees the
rest and forecasts the 14 days from one origin; MASE scales the absolute
errors by those of the in-sample seasonal-naive forecast (period 7), and the
table gives the mean over the series. Coverage: the share of held-out
values inside the 80 % and 95 % intervals.

``GRUForecaster`` trains one network across the series (the latest 64
windows of each) and ``MiniRocketGlobalForecaster`` one MiniRocket
regressor (on at most 4,096 of those windows, drawn at random), each with
the promotion flag as a future-known covariate (its values over the 14 days
are given at predict, as a retailer knows its planned promotions) and
without it. statsforecast's ``AutoETS`` and seasonal naive fit each series
on its own (statsforecast, when installed; AutoETS cannot read the flag).
"""

import itertools
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from _common import write_page  # noqa: E402

from sknets import GRUForecaster, MiniRocketGlobalForecaster  # noqa: E402

N_SERIES, LENGTH, HORIZON, SEASON = 1000, 200, 14, 7


def make_panel(n_series=N_SERIES, length=LENGTH, seed=0):
    rng = np.random.RandomState(seed)
    frames = []
    days = pd.date_range("2020-01-01", periods=length, freq="D")
    for i in range(n_series):
        t = np.arange(length)
        level = rng.uniform(10, 100)
        season = rng.uniform(0.05, 0.3) * np.sin(2 * np.pi * (t + rng.randint(7)) / 7)
        promo = (rng.rand(length) < 0.15).astype(float)
        noise = 0.05 * rng.normal(size=length)
        y = level * (1 + season + 0.5 * promo + noise)
        frames.append(
            pd.DataFrame({"unique_id": f"s{i}", "ds": days, "y": y, "promo": promo})
        )
    return pd.concat(frames, ignore_index=True)


def scores(train, test, forecast, lower80, upper80, lower95, upper95):
    """Mean MASE over the series and the 80 % / 95 % coverage."""
    merged = test[["unique_id", "ds", "y"]].merge(
        forecast.rename(columns={"y": "y_hat"}), on=["unique_id", "ds"]
    )
    mase = []
    for key, part in merged.groupby("unique_id", sort=False):
        history = train.loc[train["unique_id"] == key, "y"].to_numpy()
        scale = np.mean(np.abs(history[SEASON:] - history[:-SEASON]))
        mase.append(np.mean(np.abs(part["y"] - part["y_hat"])) / scale)
    y = test["y"].to_numpy()
    covered = [
        np.mean((y >= lo) & (y <= hi)) if lo is not None else np.nan
        for lo, hi in ((lower80, upper80), (lower95, upper95))
    ]
    return float(np.mean(mase)), covered


def sknets_rows(train, test, models=(GRUForecaster, MiniRocketGlobalForecaster)):
    for model, covariates in itertools.product(models, (["promo"], None)):
        start = time.perf_counter()
        forecaster = model(
            horizon=HORIZON, future_covariates=covariates, random_state=0
        )
        forecaster.fit(train if covariates else train.drop(columns="promo"))
        X = test[["unique_id", "ds", "promo"]] if covariates else None
        forecast = forecaster.predict(X=X)
        i80 = forecaster.predict_interval(X=X, coverage=0.8)
        i95 = forecaster.predict_interval(X=X, coverage=0.95)
        fit_time = time.perf_counter() - start
        mase, (c80, c95) = scores(
            train,
            test,
            forecast,
            i80["lower"],
            i80["upper"],
            i95["lower"],
            i95["upper"],
        )
        name = model.__name__ + (" + promotion flag" if covariates else "")
        yield name, mase, c80, c95, fit_time


def statsforecast_rows(train, test):
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS, SeasonalNaive
    except ImportError:
        return
    for model in (SeasonalNaive(season_length=SEASON), AutoETS(season_length=SEASON)):
        start = time.perf_counter()
        sf = StatsForecast(models=[model], freq="D", n_jobs=1)
        frame = sf.forecast(
            df=train[["unique_id", "ds", "y"]], h=HORIZON, level=[80, 95]
        ).reset_index()
        elapsed = time.perf_counter() - start
        alias = str(model)
        forecast = frame[["unique_id", "ds", alias]].rename(columns={alias: "y"})
        merged = test[["unique_id", "ds"]].merge(frame, on=["unique_id", "ds"])
        mase, (c80, c95) = scores(
            train,
            test,
            forecast,
            merged[f"{alias}-lo-80"].to_numpy(),
            merged[f"{alias}-hi-80"].to_numpy(),
            merged[f"{alias}-lo-95"].to_numpy(),
            merged[f"{alias}-hi-95"].to_numpy(),
        )
        yield f"statsforecast {alias} (per series)", mase, c80, c95, elapsed


def main():
    torch.set_num_threads(2)
    panel = make_panel()
    train = panel.groupby("unique_id").head(LENGTH - HORIZON)
    test = panel.groupby("unique_id").tail(HORIZON)
    rows = []
    for name, mase, c80, c95, seconds in [
        *sknets_rows(train, test),
        *statsforecast_rows(train, test),
    ]:
        print(name, mase, c80, c95, seconds, flush=True)
        rows.append(
            {
                "model": name,
                "mean MASE": f"{mase:.3f}",
                "80 % coverage": f"{c80:.2f}",
                "95 % coverage": f"{c95:.2f}",
                "fit + forecast time (s)": f"{seconds:.1f}",
            }
        )
    try:
        import statsforecast

        versions = f" statsforecast {statsforecast.__version__}."
    except ImportError:
        versions = " statsforecast not installed: its rows are left out."
    write_page(
        "panel",
        "Many series: one model across a panel",
        __doc__.split("\n\n", 1)[1].strip() + versions,
        rows,
        "python benchmarks/panel.py",
    )


if __name__ == "__main__":
    sys.exit(main())
