"""Many series at once: read a panel in the layouts users bring, and write
forecasts back in the same layout.

- a long DataFrame of id, time and value columns (statsforecast's and
  neuralforecast's ``unique_id``, ``ds``, ``y``), with covariate columns;
- sktime's ``pd-multiindex`` (and hierarchical) frames: a MultiIndex of
  series id(s) and time, one column of values (and covariate columns);
- one series: a pandas Series, a one-column DataFrame or an array.

Each series is checked as a single series is (its times run forward at one
step, no value missing after its first), named by its id in a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ._time import future_index, read_index

__all__ = ["Panel", "read_panel", "write_panel"]


@dataclass
class Panel:
    """Series of a panel, each with its covariates and time index."""

    ids: list
    values: list  # (T_i,) float arrays
    indexes: list  # read_index descriptions (or None)
    past: list = field(default_factory=list)  # (T_i, P) arrays or None
    future: list = field(default_factory=list)  # (T_i, Q) arrays or None
    static: np.ndarray | None = None  # (n_series, S)
    layout: str = "single"  # 'long', 'multiindex' or 'single'
    names: dict = field(default_factory=dict)  # id, time and target names


def _columns(frame, columns, what):
    columns = list(columns or [])
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"The {what} {missing} are not columns of the panel; its columns are "
            f"{list(frame.columns)}."
        )
    return columns


def read_panel(
    y, *, id_col, time_col, target_col, series, past=(), future=(), static=()
):
    """The series of ``y``, whichever layout it comes in (see the module);
    one series is read by ``series`` (a forecaster's own reader, which
    returns its values and time index description)."""
    if isinstance(y, pd.Series) and isinstance(y.index, pd.MultiIndex):
        y = y.to_frame(name=y.name if y.name is not None else target_col)
    if isinstance(y, pd.DataFrame) and isinstance(y.index, pd.MultiIndex):
        frame = y.reset_index()
        levels = list(frame.columns[: y.index.nlevels])
        frame["__id__"] = (
            list(zip(*(frame[c] for c in levels[:-1])))
            if len(levels) > 2
            else frame[levels[0]]
        )
        value = [c for c in y.columns if c not in (*past, *future, *static)]
        if len(value) != 1:
            raise ValueError(
                "A MultiIndex panel (sktime's pd-multiindex) holds one column of "
                f"values besides the covariates; it has {value}."
            )
        names = {"id": levels[:-1], "time": levels[-1], "target": value[0]}
        return _read_long(
            frame,
            "__id__",
            levels[-1],
            value[0],
            past,
            future,
            static,
            "multiindex",
            names,
        )
    if isinstance(y, pd.DataFrame) and {id_col, time_col} <= set(y.columns):
        names = {"id": id_col, "time": time_col, "target": target_col}
        _columns(y, [target_col], "target column")
        return _read_long(
            y, id_col, time_col, target_col, past, future, static, "long", names
        )
    if isinstance(y, pd.DataFrame) and y.shape[1] > 1:
        raise ValueError(
            f"y is a DataFrame of columns {list(y.columns)[:6]}; a panel is a long "
            f"frame with the columns {id_col!r}, {time_col!r} and {target_col!r} "
            "(set id_col, time_col and target_col to your names), or sktime's "
            "pd-multiindex frame (a MultiIndex of series and time)."
        )
    if past or future or static:
        raise ValueError(
            "Covariate columns need a panel frame that holds them: a long frame "
            f"with {id_col!r}, {time_col!r}, {target_col!r} and the covariates."
        )
    y = y.iloc[:, 0] if isinstance(y, pd.DataFrame) else y
    values, described = series(y)
    return Panel(
        ids=[0],
        values=[values],
        indexes=[described],
        past=[None],
        future=[None],
        names={"target": getattr(y, "name", None)},
    )


def _values(values, name):
    """One series' values of a panel as a float64 1D array (the caller
    checks for missing values, naming their times)."""
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Series {name!r} must hold numbers: {exc}") from None
    if values.ndim != 1:
        raise ValueError(f"Series {name!r} must be 1D, got shape {values.shape}.")
    return values


def _read_long(
    frame, id_col, time_col, target_col, past, future, static, layout, names
):
    past = _columns(frame, past, "past covariates")
    future = _columns(frame, future, "future covariates")
    static = _columns(frame, static, "static covariates")
    if frame[id_col].isna().any():
        raise ValueError(f"The id column {id_col!r} holds missing ids.")
    panel = Panel(
        ids=[], values=[], indexes=[], past=[], future=[], layout=layout, names=names
    )
    statics = []
    for key, part in frame.groupby(id_col, sort=False):
        part = part.sort_values(time_col, kind="stable")
        series = part.set_index(time_col)[target_col]
        values = _values(series.to_numpy(), key)
        first = np.flatnonzero(~np.isnan(values))
        if not len(first):
            raise ValueError(f"Series {key!r} holds no value.")
        part, series, values = (
            part.iloc[first[0] :],
            series.iloc[first[0] :],
            values[first[0] :],
        )
        gaps = np.flatnonzero(~np.isfinite(values))
        if len(gaps):
            raise ValueError(
                f"Series {key!r} holds NaN or infinity at {series.index[gaps[0]]}"
                + (f" and {len(gaps) - 1} more" if len(gaps) > 1 else "")
                + "; fill the missing values first."
            )
        try:
            indexed = pd.Series(values, index=pd.Index(series.index))
            panel.indexes.append(read_index(indexed, name=f"series {key!r}"))
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        panel.ids.append(key)
        panel.values.append(values)
        panel.past.append(_covariates(part, past, key, "past"))
        panel.future.append(_covariates(part, future, key, "future"))
        if static:
            rows = part[static].drop_duplicates()
            if len(rows) != 1:
                raise ValueError(
                    f"Series {key!r} has {len(rows)} different values of its static "
                    f"covariates {static}; a static covariate is one value per series."
                )
            statics.append(_numeric(rows.to_numpy()[0], key, "static covariates"))
    panel.static = np.array(statics) if static else None
    return panel


def _numeric(values, key, what):
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"The {what} of series {key!r} must be numbers (encode categories as "
            "numbers first, for example with OrdinalEncoder)."
        ) from None
    if not np.isfinite(values).all():
        raise ValueError(f"The {what} of series {key!r} hold NaN or infinity.")
    return values


def _covariates(part, columns, key, what):
    if not columns:
        return None
    return _numeric(part[columns].to_numpy(), key, f"{what} covariates")


def write_panel(panel, forecasts, columns):
    """Forecasts (one (steps, k) array per series, ``columns`` naming the k)
    in the layout the panel came in: a long frame for a long frame, a
    MultiIndex frame for one, a Series or DataFrame for one indexed series,
    an array otherwise."""
    steps = len(forecasts[0])
    if panel.layout == "single":
        values = forecasts[0] if len(columns) > 1 else forecasts[0][:, 0]
        described = panel.indexes[0]
        if described is None:
            return values
        index = future_index(described, steps)
        if len(columns) > 1:
            return pd.DataFrame(values, index=index, columns=columns)
        return pd.Series(values, index=index, name=panel.names.get("target"))
    frames = []
    for key, described, values in zip(panel.ids, panel.indexes, forecasts):
        times = (
            future_index(described, steps) if described is not None else range(steps)
        )
        frame = pd.DataFrame(values, columns=columns)
        frame.insert(0, "__time__", list(times))
        frame.insert(0, "__id__", [key] * steps)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    names = panel.names
    if panel.layout == "long":
        return out.rename(columns={"__id__": names["id"], "__time__": names["time"]})
    ids = names["id"]
    if len(ids) > 1:
        parts = pd.DataFrame(out["__id__"].tolist(), columns=ids)
        out = pd.concat([parts, out.drop(columns="__id__")], axis=1)
    else:
        out = out.rename(columns={"__id__": ids[0]})
    return out.rename(columns={"__time__": names["time"]}).set_index(
        [*ids, names["time"]]
    )
