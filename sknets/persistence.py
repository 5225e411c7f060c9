"""Safe persistence: ``save`` and ``load`` without unpickling arbitrary objects.

A model file is a zip archive with two members:

- ``config.json``: the estimator's class name, its hyperparameters, its fitted
  attributes (classes, shapes, scaling statistics, the tokenizer's
  vocabulary), the training history and the versions of sknets and torch;
- ``weights.pt``: the torch module's state dict (tensors only), written by
  ``torch.save`` and read back with ``torch.load(weights_only=True)``, which
  refuses anything but tensors and plain containers.

What is written is what the estimator gives through its state methods
(``__sknets_getstate__`` / ``__sknets_setstate__``); this module only turns
it into plain JSON and tensors and back. Loading looks the class up among
sknets' own estimators (:mod:`sknets._registry`), creates it with the saved
hyperparameters and hands it its state. No step imports a module named by
the file or runs code from it. ``joblib`` and ``pickle`` keep working for
estimators too, but they execute code while loading: use them for files you
trust only.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
import torch
from sklearn.base import BaseEstimator

from ._registry import ESTIMATORS
from ._version import __version__

__all__ = ["save", "load", "check_saveable"]

FORMAT_VERSION = 3
#: formats this version reads: 2 kept the target's state as estimator attributes
READABLE_FORMATS = (2, 3)
# what load reads at most: members of the archive (before they are read,
# from its directory, and again while inflating), nesting of the JSON, and
# the size of one string in a saved array (class labels, vocabulary)
MAX_CONFIG_BYTES = 64 * 2**20
MAX_WEIGHTS_BYTES = 64 * 2**30
MAX_DEPTH = 64
MAX_STRING_CHARS = 100_000


def _encode(value, where, arrays):
    """Plain JSON for a parameter or attribute; large arrays go to ``arrays``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float, np.integer, np.floating, np.bool_)):
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, torch.device):
        return {"__device__": str(value)}
    if isinstance(value, tuple):
        return {
            "__tuple__": [
                _encode(v, f"{where}.{i}", arrays) for i, v in enumerate(value)
            ]
        }
    if isinstance(value, list):
        return [_encode(v, f"{where}.{i}", arrays) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {
            "__dict__": [
                [_encode(k, where, arrays), _encode(v, f"{where}.{k}", arrays)]
                for k, v in value.items()
            ]
        }
    if isinstance(value, torch.Tensor):
        arrays[where] = value.detach().cpu().contiguous()
        return {"__torch__": where}
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf" and value.size > 64:
            arrays[where] = torch.from_numpy(np.ascontiguousarray(value))
            return {"__tensor__": where}
        if value.dtype.kind in "biufUS" or (
            value.dtype == object
            and all(isinstance(v, (str, int, float, bool)) for v in value.ravel())
        ):
            return {
                "__ndarray__": [
                    _encode(v, where, arrays) for v in value.ravel().tolist()
                ],
                "dtype": value.dtype.str if value.dtype != object else "object",
                "shape": list(value.shape),
            }
    if isinstance(value, np.ndarray):
        raise TypeError(
            f"sknets.save cannot store {where}, an array of dtype {value.dtype}: "
            "model files hold numbers, strings and booleans (convert such labels "
            "first, for example y.astype(str))."
        )
    if isinstance(value, BaseEstimator) and hasattr(value, "__sknets_getstate__"):
        return {
            "__estimator__": _class_name(value),
            "params": _encode(value.get_params(deep=False), f"{where}.params", arrays),
            "state": _encode(value.__sknets_getstate__(), f"{where}.state", arrays),
        }
    raise TypeError(
        f"sknets.save cannot store {where}={value!r} ({type(value).__name__}): only "
        "built-in sknets architectures with plain parameter values (numbers, "
        "strings, tuples, arrays, a TextTokenizer) are saved as safe files. For "
        "your own module, optimizer class or callbacks, use joblib.dump, whose "
        "files run code when loaded (trusted files only)."
    )


def _decode(value, arrays):
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "__device__" in value:
        return torch.device(value["__device__"])
    if "__tuple__" in value:
        return tuple(_decode(v, arrays) for v in value["__tuple__"])
    if "__dict__" in value:
        return {_decode(k, arrays): _decode(v, arrays) for k, v in value["__dict__"]}
    if "__tensor__" in value:
        return arrays[value["__tensor__"]].numpy().copy()
    if "__torch__" in value:
        return arrays[value["__torch__"]]
    if "__ndarray__" in value:
        return _array(value)
    if "__estimator__" in value:
        estimator = _new(value["__estimator__"], value["params"], arrays)
        return estimator.__sknets_setstate__(_decode(value["state"], arrays))
    raise ValueError(f"Unknown entry in the model file: {sorted(value)}.")


def _array(value):
    """A saved small array, its dtype and shape checked before any memory is
    taken: only the dtypes save writes, strings of bounded length, a shape
    that matches the values."""
    values, shape = value["__ndarray__"], value["shape"]
    if value["dtype"] == "object":
        if not all(isinstance(v, (str, int, float, bool)) for v in values):
            raise ValueError("an object array holds something other than scalars")
        dtype = object
    else:
        dtype = np.dtype(value["dtype"])
        limit = 8 if dtype.kind in "biuf" else 4 * MAX_STRING_CHARS
        if dtype.kind not in "biufUS" or dtype.itemsize > limit:
            raise ValueError(f"an array declares the dtype {value['dtype']!r}")
    if not isinstance(shape, list) or int(np.prod(shape)) != len(values):
        raise ValueError(f"an array's shape {shape!r} does not match its values")
    return np.array(values, dtype=dtype).reshape(shape)


def _depth(value):
    """Nesting depth of decoded JSON (iteratively: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _class_name(estimator):
    name = type(estimator).__name__
    if ESTIMATORS.get(name) is not type(estimator):
        raise TypeError(
            f"sknets.save stores sknets' own estimators, not {name}; use joblib.dump "
            "for other objects (trusted files only)."
        )
    return name


def _new(name, params, arrays):
    """An unfitted sknets estimator of class ``name`` with the saved
    hyperparameters."""
    cls = ESTIMATORS.get(name)
    if cls is None:
        raise ValueError(
            f"The model file names {name!r}, which is not an sknets estimator; it "
            "is refused."
        )
    return cls(**_decode(params, arrays))


def save(estimator, path, *, _skip=()):
    """Save a fitted sknets estimator to a safe model file.

    Parameters
    ----------
    estimator : sknets estimator
        A fitted estimator with a built-in architecture.
    path : str or path-like
        File to write (a zip archive; ``.sknets`` is a good suffix).

    Raises
    ------
    TypeError
        When a parameter cannot be stored without pickling (your own module
        class or instance, an optimizer class, callbacks, a RandomState).

    See Also
    --------
    load : Read the file back.
    """
    name = _class_name(estimator)
    state = estimator.__sknets_getstate__()
    params = {
        k: v for k, v in estimator.get_params(deep=False).items() if k not in _skip
    }
    arrays = {}
    config = {
        "format_version": FORMAT_VERSION,
        "sknets_version": __version__,
        "torch_version": torch.__version__,
        "estimator": name,
        "params": _encode(params, "param", arrays),
        "fitted": _encode(state["fitted"], "fitted", arrays),
        "history": _encode(state["history"], "history", arrays),
    }
    weights = {f"module.{k}": v.contiguous() for k, v in state["weights"].items()}
    weights.update({f"array.{k}": v for k, v in arrays.items()})
    buffer = io.BytesIO()
    torch.save(weights, buffer)
    _write_atomically(Path(path), json.dumps(config, indent=1), buffer.getvalue())


def _write_atomically(path, config, weights):
    """Write the archive to a temporary file beside ``path``, flush it to the
    disk, then rename it over ``path``: a crash or a full disk at any point
    leaves the file that was there before as it was."""
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
    except OSError as exc:  # named by the target, not the temporary file
        reason = (
            f"the folder {path.parent} does not exist"
            if not path.parent.is_dir()
            else exc.strerror or str(exc)
        )
        raise type(exc)(
            exc.errno, f"sknets.save could not write {path}: {reason}"
        ) from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("config.json", config)
                archive.writestr("weights.pt", weights)
            stream.flush()
            os.fsync(stream.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise OSError(
                exc.errno,
                f"sknets.save could not write {path} ({exc.strerror or exc}); the "
                "file that was there is unchanged",
            ) from exc
        raise
    with contextlib.suppress(OSError):  # the rename itself, on the disk
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def check_saveable(estimator, skip=()):
    """A TypeError now when ``sknets.save`` could not write the estimator's
    hyperparameters (a custom module, an optimizer class, callbacks)."""
    params = estimator.get_params(deep=False)
    _encode({k: v for k, v in params.items() if k not in skip}, "param", {})


def load(path):
    """Load an estimator saved by :func:`save`, on the CPU or ``device='auto'``.

    Only tensors and plain JSON are read: the weights go through
    ``torch.load(weights_only=True)``, and the estimator class must be one of
    sknets' own. A file written by another major version of sknets, or in
    another file format, is refused. A model saved on a GPU loads on a
    machine without one.

    Parameters
    ----------
    path : str or path-like
        File written by :func:`save`.

    Returns
    -------
    estimator : sknets estimator
        The fitted estimator; its predictions equal those of the saved one.

    Raises
    ------
    ValueError
        When the file is not an sknets model file, comes from another major
        version or file format, or holds anything but tensors in its weights.
    """
    config, weights = _read(path)
    arrays = {
        k[len("array.") :]: v for k, v in weights.items() if k.startswith("array.")
    }
    try:
        estimator = _new(config["estimator"], config["params"], arrays)
        return estimator.__sknets_setstate__(
            {
                "fitted": _decode(config["fitted"], arrays),
                "history": _decode(config["history"], arrays),
                "weights": {
                    k[len("module.") :]: v
                    for k, v in weights.items()
                    if k.startswith("module.")
                },
            }
        )
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    except Exception as exc:  # values of the right types that do not fit
        raise ValueError(
            f"{path} is not a valid sknets model file ({type(exc).__name__}: {exc})."
        ) from exc


def restore_fitted(estimator, fitted, allowed):
    """Set the fitted attributes a model file holds on ``estimator``; a name
    that is not in ``allowed`` (or that the class defines) is refused."""
    for key, value in fitted.items():
        if key not in allowed or hasattr(type(estimator), key):
            raise ValueError(
                f"The model file sets {key!r}, which is not a fitted attribute "
                f"of {type(estimator).__name__}; it is refused."
            )
        setattr(estimator, key, value)


def _member(archive, name, limit):
    """A member of the archive, refused when it holds more than ``limit``
    bytes: by the size the archive declares, and while it inflates."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise ValueError(
            f"{name} declares {info.file_size:,} bytes, more than a model file's "
            f"{limit:,}; it is not read"
        )
    with archive.open(info) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{name} inflates beyond {limit:,} bytes; it is not read")
    return data


def _read(path):
    """The config and the tensors of a model file, or a ValueError."""
    with open(path, "rb") as handle:  # a missing file stays FileNotFoundError
        try:
            with zipfile.ZipFile(handle) as archive:
                config = json.loads(_member(archive, "config.json", MAX_CONFIG_BYTES))
                raw_weights = _member(archive, "weights.pt", MAX_WEIGHTS_BYTES)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,  # offsets of a damaged archive that cannot be sought
            KeyError,
            ValueError,
            RecursionError,
            NotImplementedError,  # a compression method zipfile does not know
        ) as exc:
            raise ValueError(f"{path} is not an sknets model file: {exc}") from exc
    if not isinstance(config, dict):
        raise ValueError(f"{path}: its config is not the JSON object save writes.")
    if _depth(config) > MAX_DEPTH:
        raise ValueError(f"{path}: its config nests deeper than {MAX_DEPTH} levels.")
    saved = str(config.get("sknets_version", "?"))
    if saved.split(".")[0] != __version__.split(".")[0]:
        raise ValueError(
            f"{path} was saved by sknets {saved}; this is sknets {__version__}, "
            "another major version, whose files are not read. Load it with the "
            "version that saved it and refit, or save it again from there."
        )
    if config.get("format_version") not in READABLE_FORMATS:
        raise ValueError(
            f"{path} is in model file format {config.get('format_version')!r}; "
            f"this sknets reads formats {READABLE_FORMATS[0]} to {FORMAT_VERSION}. "
            "Save the model again with this version of sknets (refit it if the "
            "old version is gone)."
        )
    try:
        weights = torch.load(
            io.BytesIO(raw_weights), map_location="cpu", weights_only=True
        )
    except Exception as exc:  # torch's reader on damaged bytes raises many kinds
        raise ValueError(
            f"{path}: the weights part is damaged or holds something other than "
            f"tensors; it is refused and nothing in it was run "
            f"({type(exc).__name__})."
        ) from None
    if not isinstance(weights, dict) or not all(
        isinstance(v, torch.Tensor) for v in weights.values()
    ):
        raise ValueError(f"{path}: the weights part is not a dict of tensors.")
    return config, weights
