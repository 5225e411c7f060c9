"""The time index of a series: read it, check it is a regular grid, and
continue it past the series' end.

A forecaster reads a pandas series by its index, as sktime and statsforecast
do: the times must run forward, each once, at one step (a ``DatetimeIndex``
of one frequency, a ``PeriodIndex`` without missing periods, or integers at
one step). The index of the forecasts continues that grid. A series without
such an index (an array, a list, a pandas index of labels) is read in the
order given.

The fitted description is plain data (kind, last time, step, name), so it is
saved in a model file as it is.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

# times named in an error at most
SHOWN = 5
# consecutive triples read to guess the step of an irregular DatetimeIndex
SAMPLED = 200


def read_index(y, name="y"):
    """The description of y's time index (a dict), or None when y has none.

    Raises a ValueError naming the times when the index is out of order,
    repeats a time, or has gaps."""
    index = getattr(y, "index", None)
    if not isinstance(y, (pd.Series, pd.DataFrame)) or len(index) == 0:
        return None
    if isinstance(index, pd.MultiIndex):
        raise ValueError(
            f"{name} has a MultiIndex, the layout of several series; this "
            "forecaster forecasts one series: select one, for example "
            f"{name}.xs(key, level=0)."
        )
    if not isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        if not pd.api.types.is_integer_dtype(index.dtype):
            return None
    _check_order(index, name)
    label = getattr(y, "name", None)
    described = {"name": label if isinstance(label, (str, int)) else None}
    if len(index) == 1:
        raise ValueError(f"{name} has one value; a series needs at least 2.")
    if isinstance(index, pd.PeriodIndex):
        _check_grid(index, 1, index.freqstr, name)
        return described | {
            "kind": "period", "last": str(index[-1]), "freq": index.freqstr
        }  # fmt: skip
    if isinstance(index, pd.DatetimeIndex):
        freq = _datetime_freq(index, name)
        return described | {
            "kind": "datetime",
            "last": index[-1].isoformat(),
            "freq": freq,
            "tz": str(index.tz) if index.tz is not None else None,
        }
    values = index.to_numpy().astype(np.int64)
    steps = np.diff(values)
    step = int(Counter(steps.tolist()).most_common(1)[0][0])
    _check_grid(pd.Index(values), step, step, name)
    return described | {"kind": "integer", "last": int(values[-1]), "step": step}


def future_index(described, steps):
    """The pandas index of the ``steps`` times after the series' end."""
    kind = described["kind"]
    if kind == "period":
        last = pd.Period(described["last"], freq=described["freq"])
        return pd.period_range(last + 1, periods=steps, freq=described["freq"])
    if kind == "datetime":
        last = pd.Timestamp(described["last"])
        if described["tz"] is not None:
            last = last.tz_convert(described["tz"])
        offset = pd.tseries.frequencies.to_offset(described["freq"])
        return pd.date_range(last + offset, periods=steps, freq=offset)
    step = described["step"]
    first = described["last"] + step
    return pd.RangeIndex(first, first + steps * step, step)


def _check_order(index, name):
    duplicated = index[index.duplicated()]
    if len(duplicated):
        raise ValueError(
            f"{name}'s index repeats {len(duplicated)} time(s): "
            f"{_shown(duplicated.unique())}; a series holds one value per time "
            "(aggregate them first, for example with groupby(level=0).mean())."
        )
    if not index.is_monotonic_increasing:
        back = np.flatnonzero(np.asarray(index[1:] < index[:-1])) + 1
        raise ValueError(
            f"{name}'s index does not run forward: {len(back)} time(s) follow a "
            f"later one, {_shown(index[back])}. Sort it first: {name}.sort_index()."
        )


def _check_grid(index, step, label, name):
    """A ValueError naming the jumps when ``index`` does not advance by
    ``step`` (an int, or a pandas offset) at every value."""
    jumps = np.flatnonzero(np.asarray(index[:-1] + step != index[1:]))
    if not len(jumps):
        return
    shown = [f"{index[j]} to {index[j + 1]}" for j in jumps]
    raise ValueError(
        f"{name}'s index is not a regular grid of step {label!r}: it jumps from "
        f"{_shown(shown)}. A forecaster reads values at regular times: fill the "
        "missing times first (reindex onto the full grid, then interpolate)."
    )


def _datetime_freq(index, name):
    """The frequency of a DatetimeIndex: its own, the one pandas infers, or
    the most common one among its consecutive triples, checked."""
    if index.freq is not None:
        return index.freqstr
    if len(index) >= 3:
        inferred = pd.infer_freq(index)
        if inferred is not None:
            return inferred
    picks = np.linspace(0, len(index) - 3, min(SAMPLED, max(len(index) - 2, 0)))
    guesses = Counter(
        pd.infer_freq(index[i : i + 3]) for i in np.unique(picks.astype(int))
    )
    guesses.pop(None, None)
    if not guesses:
        raise ValueError(
            f"{name}'s DatetimeIndex has no regular step (from {index[0]} to "
            f"{index[-1]}); a forecaster reads values at regular times: resample "
            f"it first, for example {name}.resample('D').mean()."
        )
    freq = guesses.most_common(1)[0][0]
    _check_grid(index, pd.tseries.frequencies.to_offset(freq), freq, name)
    return freq


def _shown(times):
    shown = ", ".join(str(t) for t in list(times)[:SHOWN])
    return shown + (f" and {len(times) - SHOWN} more" if len(times) > SHOWN else "")


def calendar_season(described):
    """The seasonal period that y's time step suggests, as sktime's,
    statsforecast's and R's users give it (4 for quarterly data, 12
    monthly, 52 weekly, 7 daily, 5 for business days, 24 hourly), or None:
    no time index, integer times, or another step."""
    if described is None or described["kind"] == "integer":
        return None
    if described["kind"] == "period":
        offset = pd.Period(described["last"], freq=described["freq"]).freq
    else:
        offset = pd.tseries.frequencies.to_offset(described["freq"])
    if offset.n != 1:
        return None
    offsets = pd.offsets
    seasons = [
        ((offsets.QuarterEnd, offsets.QuarterBegin), 4),
        ((offsets.MonthEnd, offsets.MonthBegin), 12),
        ((offsets.Week,), 52),
        ((offsets.BusinessDay,), 5),
        ((offsets.Day,), 7),
        ((offsets.Hour,), 24),
    ]
    return next((p for kinds, p in seasons if isinstance(offset, kinds)), None)


def _difference_acf(values, max_lag):
    """Autocorrelations (lags 0 to ``max_lag + 1``) of the series' first
    differences, on the logarithm of a positive series; None for a
    constant series."""
    z = np.asarray(values, dtype=np.float64)
    if np.all(z > 0):
        z = np.log(z)
    x = np.diff(z)
    x = x - x.mean()
    denom = float(x @ x)
    if denom == 0:
        return None
    lags = range(1, min(max_lag + 2, len(x)))
    return np.array([1.0] + [float(x[:-k] @ x[k:]) / denom for k in lags])


def _significant(acf, k, n, effect, z):
    """Whether the autocorrelation at lag k is above ``effect`` and above
    Bartlett's bound of ``z`` standard errors for n values."""
    bound = z * np.sqrt((1 + 2 * acf[1:k] @ acf[1:k]) / n)
    return acf[k] > max(effect, bound)


def find_season(values, described):
    """The seasonal period of a series, or 1 (``sp='auto'``).

    Read on the first differences (a trend or a random walk leaves no
    seasonal correlation there), where the series holds at least three
    seasons: the season of its time step (:func:`calendar_season`) when the
    autocorrelation of the differences peaks at that lag, above 0.2 and
    Bartlett's 95 % bound;
    else, searched among lags from 3 up, the highest local peak of their
    autocorrelation above 0.3 and 2.5 standard errors (a stricter bar for a
    season the calendar does not suggest), or the shortest of its divisors
    that peaks at least 0.7 times as high (a season of 4 also peaks at 8
    and 12); else 1."""
    n = len(values) - 1
    acf = _difference_acf(values, n // 3)
    if acf is None or n // 3 < 2:
        return 1
    calendar = calendar_season(described)

    def peak(k):
        return acf[k] > acf[k - 1] and acf[k] >= acf[k + 1]

    if calendar and 2 <= calendar < len(acf) - 1:
        if peak(calendar) and _significant(acf, calendar, n, 0.2, 1.96):
            return calendar
    peaks = [
        k
        for k in range(3, len(acf) - 1)
        if peak(k) and _significant(acf, k, n, 0.3, 2.5)
    ]
    if not peaks:
        return 1
    best = max(peaks, key=lambda k: acf[k])
    return next(d for d in peaks if best % d == 0 and acf[d] >= 0.7 * acf[best])
