"""Forecasting: sknets' recommended recipe against seasonal naive and AutoETS.

The series sktime bundles (airline, lynx, shampoo sales, US change: the
growth of consumption; solar is left out because sktime downloads it). The
last part of each series is held out: 20 % of it, rounded down to whole
seasons and at least one season. Each forecaster sees the rest and forecasts
the whole held-out part from one origin; MASE scales its absolute errors by
those of the in-sample seasonal-naive forecast (sktime's
``mean_absolute_scaled_error`` with the seasonal period), so below 1 beats
seasonal naive's in-sample error. Coverage is the share of held-out points
inside the 80 % and 95 % intervals.

sknets' recipe is :class:`sknets.MiniRocketForecaster` with its defaults and
the held-out length as its horizon (:func:`sknets_forecast`): ``make_windows``
windows, on the log scale when the series is positive, each made relative to
a reference of its own (its last value, its mean, or none), and a
``MiniRocketRegressor`` (random convolutions and a ridge head: seconds on a
CPU, and no epochs to tune on a few dozen windows) that forecasts a block of
steps (one season, or the whole horizon directly), fed its own forecasts for
longer horizons. A time-ordered backtest on the training part scores every
reference, block and ridge penalty (the head's leave-one-out choice is not
used: overlapping windows of one series make it favour too little penalty);
the same backtest scores simple members beside them (the standard Theta
method, Holt's damped trend, seasonal naive, each refitted at every origin).
The MiniRocket configurations within 25 % of the best of them are pooled
into one forecast, their mean; the forecast is the mean of that and the
members within 25 % of the best (forecast pooling: Kourentzes, Barrow and
Petropoulos, 2019), and the intervals are split-conformal from the pooled
backtest: the quantiles of its absolute errors at each lead time, and of
the shorter leads' errors scaled as a random walk's grow.
The same protocol then runs on 17 more series of those files that the recipe
was not designed on (:func:`more_series`). Writes docs/results/forecasting.md
(with ``--held-out`` other than 0.2: docs/results/forecasting_long.md).
"""

import argparse
import os
import sys
import time
import warnings
from functools import partial

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
from _common import write_page  # noqa: E402

from sknets import MiniRocketForecaster  # noqa: E402

LEVELS = (0.8, 0.95)


def load_series():
    """name -> (pandas Series, seasonal period), from sktime's bundled files."""
    from sktime.datasets import (
        load_airline,
        load_lynx,
        load_shampoo_sales,
        load_uschange,
    )

    consumption, _ = load_uschange()
    return {
        "airline (monthly)": (load_airline(), 12),
        "lynx (yearly)": (load_lynx(), 1),
        "shampoo sales (monthly)": (load_shampoo_sales(), 12),
        "US consumption change (quarterly)": (consumption, 4),
    }


def held_out(n, sp, fraction=0.2):
    """Length of the held-out part: ``fraction`` of n in whole seasons, at
    least one."""
    h = max(sp, int(fraction * n))
    return h - h % sp


# -- sknets' recipe -------------------------------------------------------------


def sknets_forecast(y_train, h, sp, random_state=0):
    """Point forecasts and conformal intervals for the h steps after y_train,
    from :class:`sknets.MiniRocketForecaster`'s defaults.

    Returns ``(forecast, intervals, chosen)``: intervals maps each level of
    LEVELS to (lower, upper) arrays; chosen lists the candidates pooled
    (reference, block and penalty).
    """
    forecaster = MiniRocketForecaster(horizon=h, sp=sp, random_state=random_state)
    forecaster.fit(y_train)
    forecast = np.asarray(forecaster.predict())
    intervals = {}
    for level in LEVELS:
        bounds = np.asarray(forecaster.predict_interval(coverage=level))
        intervals[level] = (bounds[:, 0], bounds[:, 1])
    pooled = ", ".join(
        f"{c[0]} {c[1]} ({c[2]:g})" if len(c) == 4 else f"{c[0]} (sp {c[1]})"
        for c in forecaster.pool_
    )
    chosen = f"{len(forecaster.pool_)} of {len(forecaster.scores_)}: {pooled}"
    return forecast, intervals, chosen + ("; log" if forecaster.log_ else "")


# -- peers ----------------------------------------------------------------------


def peer_forecasts(y_train, h, sp):
    """Seasonal naive and AutoETS through sktime: point forecasts and
    intervals (None where sktime gives none)."""
    from sktime.forecasting.ets import AutoETS
    from sktime.forecasting.naive import NaiveForecaster

    fh = np.arange(1, h + 1)
    peers = {
        "seasonal naive": NaiveForecaster(strategy="last", sp=sp),
        "AutoETS": AutoETS(auto=True, sp=sp, n_jobs=1),
    }
    out = {}
    for peer, forecaster in peers.items():
        start = time.perf_counter()
        forecaster.fit(y_train)
        forecast = forecaster.predict(fh).to_numpy(dtype=float)
        intervals = {}
        for level in LEVELS:
            try:
                frame = forecaster.predict_interval(fh, coverage=level)
                intervals[level] = (
                    frame.iloc[:, 0].to_numpy(),
                    frame.iloc[:, 1].to_numpy(),
                )
            except Exception:  # multiplicative ETS models: sktime gives none
                intervals[level] = None
        out[peer] = (forecast, intervals, time.perf_counter() - start)
    return out


def coverage(actual, interval):
    if interval is None or not np.all(np.isfinite(interval[0])):
        return np.nan
    low, high = interval
    return float(np.mean((actual >= low) & (actual <= high)))


def more_series():
    """Series of the same kind that no issue names, from the same bundled
    files: the 12 columns of sktime's ``load_macroeconomic`` (quarterly US
    data, 1959-2009), the 4 other columns of ``load_uschange``, and
    ``load_PBS_dataset`` (monthly, intermittent near its end)."""
    from sktime.datasets import load_macroeconomic, load_PBS_dataset, load_uschange

    series = {}
    macro = load_macroeconomic()
    for column in macro.columns:
        series[f"macroeconomic {column} (quarterly)"] = (macro[column], 4)
    _, changes = load_uschange()
    for column in changes.columns:
        series[f"US change {column} (quarterly)"] = (changes[column], 4)
    series["PBS (monthly)"] = (load_PBS_dataset(), 12)
    return series


SKNETS = "sknets (MiniRocketForecaster)"


def evaluate(series, seeds, fraction=0.2):
    """Per-series rows and, per forecaster, a list of (MASE, coverages), with
    ``fraction`` of each series held out."""
    from sktime.performance_metrics.forecasting import mean_absolute_scaled_error

    rows, scores = [], {}
    for name, (y, sp) in series.items():
        y = y.astype(float)
        h = held_out(len(y), sp, fraction)
        y_train, y_test = y.iloc[:-h], y.iloc[-h:]
        actual = y_test.to_numpy(dtype=float)

        mase = partial(mean_absolute_scaled_error, y_test, y_train=y_train, sp=sp)

        results = {}
        for peer, (forecast, intervals, seconds) in peer_forecasts(
            y_train, h, sp
        ).items():
            results[peer] = (
                [mase(forecast)],
                [[coverage(actual, intervals[level]) for level in LEVELS]],
                [seconds],
                "",
            )
        runs = []
        for seed in range(seeds):
            print(f"{name}: sknets, seed {seed} ...", flush=True)
            start = time.perf_counter()
            forecast, intervals, chosen = sknets_forecast(y_train, h, sp, seed)
            seconds = time.perf_counter() - start
            cover = [coverage(actual, intervals[level]) for level in LEVELS]
            runs.append((mase(forecast), cover, seconds, chosen))
        results[SKNETS] = (
            [r[0] for r in runs],
            [r[1] for r in runs],
            [r[2] for r in runs],
            "; ".join(sorted({r[3] for r in runs})),
        )
        for model, (mases, covers, seconds, chosen) in results.items():
            covers = np.asarray(covers, dtype=float)
            scores.setdefault(model, []).append((np.mean(mases), covers.mean(axis=0)))
            spread = f" ± {np.std(mases):.3f}" if len(mases) > 1 else ""
            rows.append(
                {
                    "series (n, held out, period)": f"{name} ({len(y)}, {h}, {sp})",
                    "forecaster": model,
                    "MASE": f"{np.mean(mases):.3f}{spread}",
                    "80 % coverage": _percent(covers[:, 0].mean()),
                    "95 % coverage": _percent(covers[:, 1].mean()),
                    "fit + forecast (s)": f"{np.mean(seconds):.1f}",
                    "chosen by the backtest": chosen,
                }
            )
    return rows, scores


def summarize(scores):
    """One row per forecaster: mean MASE, its geometric mean ratio to
    AutoETS's and to seasonal naive's (series by series), the series where it
    beats seasonal naive, and the mean coverages."""
    summary = []
    for model, values in scores.items():
        mases = np.array([v[0] for v in values])
        covers = np.asarray([v[1] for v in values])
        row = {"forecaster": model, "mean MASE": f"{np.mean(mases):.3f}"}
        for peer in ("AutoETS", "seasonal naive"):
            theirs = np.array([v[0] for v in scores[peer]])
            ratio = np.exp(np.mean(np.log(mases / theirs)))
            row[f"MASE / {peer}'s (geometric mean)"] = f"{ratio:.3f}"
        naive = np.array([v[0] for v in scores["seasonal naive"]])
        row["beats seasonal naive"] = f"{int(np.sum(mases < naive))} of {len(mases)}"
        row["mean 80 % coverage"] = _percent(np.nanmean(covers[:, 0]))
        row["mean 95 % coverage"] = _percent(np.nanmean(covers[:, 1]))
        summary.append(row)
    return summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument(
        "--held-out",
        type=float,
        default=0.2,
        help="share of each series held out; other than 0.2 it writes "
        "docs/results/forecasting_long.md",
    )
    args = parser.parse_args(argv)
    try:
        series = load_series()
        import statsmodels  # noqa: F401  (AutoETS)
    except ImportError as error:
        print(f"forecasting benchmark skipped: {error}", file=sys.stderr)
        return
    warnings.filterwarnings("ignore")  # sktime and statsmodels notes
    fraction = args.held_out
    rows, scores = evaluate(series, args.seeds, fraction)
    more_rows, more_scores = evaluate(more_series(), args.seeds, fraction)
    if fraction == 0.2:
        name, title, intro = "forecasting", TITLE, INTRO
        command = "python benchmarks/forecasting.py"
    else:
        name = "forecasting_long"
        title = f"{TITLE}, {100 * fraction:.0f} % of each series held out"
        intro = LONG.format(percent=f"{100 * fraction:.0f}") + "\n\n" + INTRO
        intro = intro.replace("The last 20 %", f"The last {100 * fraction:.0f} %")
        command = f"python benchmarks/forecasting.py --held-out {fraction:g}"
    write_page(
        name,
        title,
        intro,
        summarize(scores),
        command,
        more=[
            ("Per series", f"sknets: mean of {args.seeds} seeds.", rows),
            ("More series", MORE, summarize(more_scores)),
            ("More series, one by one", "", more_rows),
        ],
    )


TITLE = "Forecasting: sknets against seasonal naive and AutoETS"

LONG = """\
The protocol of [the forecasting results](forecasting.md) with a longer held-out
part, {percent} % of each series instead of 20 %: the horizon grows, and the part
of the series that the forecasters fit shrinks. This page measures how
`MiniRocketForecaster`'s recipe holds up at long horizons; it was not designed on
it."""

INTRO = """\
The series sktime bundles: airline passengers, lynx trappings, shampoo sales, and
the quarterly change of US consumption (`load_uschange`'s target); `load_solar` is
left out because sktime downloads it. The last 20 % of each series, rounded down to
whole seasons and at least one season, is held out and forecast from one origin.
MASE is sktime's `mean_absolute_scaled_error` with the seasonal period: the mean
absolute error over the held-out part divided by that of the seasonal-naive
forecast within the training part. Coverage is the share of held-out points inside
the 80 % and 95 % intervals (AutoETS: sktime gives no interval for the
multiplicative models it picks on two series; "—").

sknets' recipe is `MiniRocketForecaster` with its defaults, the held-out length as
its horizon (described in the [user guide](../user_guide.md#forecasting)): windows
from `make_windows`, on the
log scale when the series is positive, each made relative to its last value, its
mean, or nothing; a `MiniRocketRegressor` (random convolutions and a ridge head:
seconds on a CPU, no epochs to tune on a few dozen windows) forecasts a block of
steps (one season, or the whole horizon at once) and is fed its own forecasts for
longer horizons. A time-ordered backtest on the last part of the training series
(a model fitted before it forecasts from every origin in it) scores every
reference, block and ridge penalty (`alphas` 0.1, 1 or 10), and beside them the
standard Theta method, Holt's damped trend and seasonal naive (`members`,
refitted at every origin). The MiniRocket configurations within 25 % of the best
of them make one forecast, their mean; the forecast is the mean of that and of the
members within 25 % of the best (listed in the last column: "theta (sp 12)" is a
member, "last 12 (0.1)" a MiniRocket configuration). The intervals are
split-conformal from the pooled backtest's errors at each lead time, and from
the shorter leads' errors scaled to it as a random walk's grow.
Three seeds (the random kernels); the table gives their mean. Mean coverage leaves
out the forecasters without intervals ("—")."""

MORE = """\
The same protocol on 17 series of the same files that the recipe was not
designed on: the 12 columns of `load_macroeconomic` (quarterly US data,
1959-2009: levels with trends such as GDP, prices and population, and rates such
as inflation, interest and unemployment), the 4 other columns of `load_uschange`
(income, production, savings, unemployment) and the PBS series (monthly, made of
zeros and small counts near its end, where seasonal naive is hard to beat). The
ratios are geometric means over the series of the recipe's MASE divided by the
peer's."""


def _percent(value):
    return "—" if not np.isfinite(value) else f"{100 * value:.0f} %"


if __name__ == "__main__":
    main()
