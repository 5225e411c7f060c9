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
