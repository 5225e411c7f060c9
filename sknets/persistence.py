"""Safe persistence: ``save`` and ``load`` without unpickling arbitrary objects.

A model file is a zip archive with two members:

- ``config.json``: the estimator's class name, its hyperparameters, its fitted
  attributes (classes, shapes, scaling statistics, the tokenizer's
  vocabulary, the training history) and the versions of sknets and torch;
- ``weights.pt``: the torch module's state dict (tensors only), written by
  ``torch.save`` and read back with ``torch.load(weights_only=True)``, which
  refuses anything but tensors and plain containers.

Loading looks the class up among sknets' own estimators, rebuilds the module
from the saved shapes and loads the weights into it. No step imports a module
named by the file or runs code from it. ``joblib`` and ``pickle`` keep working
for estimators too, but they execute code while loading: use them for files
you trust only.
"""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

__all__ = ["save", "load"]

FORMAT_VERSION = 1
_PRIVATE_FITTED = ("_y_mean", "_y_scale", "_y_1d", "_fitted_on_2d")
_SKIP = {"net_", "tokenizer_"}


def _version():
    from . import __version__

    return __version__


def _classes():
    import sknets

    return {
        name: getattr(sknets, name)
        for name in sknets.__all__
        if isinstance(getattr(sknets, name), type)
        and issubclass(getattr(sknets, name), BaseEstimator)
    }


def _encode(value, where, arrays):
    """Plain JSON for a parameter or attribute; large arrays go to ``arrays``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float, np.integer, np.floating, np.bool_)):
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, torch.device):
        return {"__device__": str(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, where, arrays) for v in value]}
    if isinstance(value, list):
        return [_encode(v, where, arrays) for v in value]
    if isinstance(value, dict):
        return {
            "__dict__": [
                [_encode(k, where, arrays), _encode(v, where, arrays)]
                for k, v in value.items()
            ]
        }
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
    if isinstance(value, BaseEstimator) and type(value).__name__ in _classes():
        return {
            "__estimator__": type(value).__name__,
            "params": _encode(value.get_params(deep=False), where, arrays),
            "fitted": _fitted_state(value, where, arrays),
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
    if "__ndarray__" in value:
        dtype = object if value["dtype"] == "object" else np.dtype(value["dtype"])
        return np.array(value["__ndarray__"], dtype=dtype).reshape(value["shape"])
    if "__estimator__" in value:
        return _rebuild(value, arrays)
    raise ValueError(f"Unknown entry in the model file: {sorted(value)}.")


def _fitted_state(estimator, where, arrays):
    state = {}
    for key, value in vars(estimator).items():
        fitted = key.endswith("_") and not key.startswith("_")
        if key in _SKIP or not (fitted or key in _PRIVATE_FITTED):
            continue
        state[key] = _encode(value, f"{where}.{key}", arrays)
    if "tokenizer_" in vars(estimator):
        state["tokenizer_"] = _encode(
            estimator.tokenizer_, f"{where}.tokenizer_", arrays
        )
    return state


def _class_name(estimator):
    name = type(estimator).__name__
    if _classes().get(name) is not type(estimator):
        raise TypeError(
            f"sknets.save stores sknets' own estimators, not {name}; use joblib.dump "
            "for other objects (trusted files only)."
        )
    return name


def _rebuild(entry, arrays):
    cls = _classes().get(entry["__estimator__"])
    if cls is None:
        raise ValueError(
            f"The model file names {entry['__estimator__']!r}, which is not an sknets "
            "estimator; it is refused."
        )
    estimator = cls(**_decode(entry["params"], arrays))
    for key, value in entry["fitted"].items():
        setattr(estimator, key, _decode(value, arrays))
    if hasattr(estimator, "vocabulary_"):  # a TextTokenizer
        vocab = estimator.vocabulary_
        estimator._id_to_token = np.array(
            ["<pad>", "<unk>", *sorted(vocab, key=vocab.get)], dtype=object
        )
    return estimator


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
    check_is_fitted(estimator, "net_")
    arrays = {}
    config = {
        "format_version": FORMAT_VERSION,
        "sknets_version": _version(),
        "torch_version": torch.__version__,
        "estimator": _class_name(estimator),
        "params": _encode(
            {
                k: v
                for k, v in estimator.get_params(deep=False).items()
                if k not in _skip
            },
            "param",
            arrays,
        ),
        "fitted": _fitted_state(estimator, "fitted", arrays),
        "history": [
            {
                k: row[k]
                for k in ("epoch", "train_loss", "valid_loss", "dur")
                if k in row
            }
            for row in estimator.net_.history
        ],
    }
    weights = {
        f"module.{k}": v.detach().cpu()
        for k, v in estimator.net_.module_.state_dict().items()
    }
    weights.update({f"array.{k}": v for k, v in arrays.items()})
    buffer = io.BytesIO()
    torch.save(weights, buffer)
    with zipfile.ZipFile(Path(path), "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", json.dumps(config, indent=1))
        archive.writestr("weights.pt", buffer.getvalue())


def load(path):
    """Load an estimator saved by :func:`save`, on the CPU or ``device='auto'``.

    Only tensors and plain JSON are read: the weights go through
    ``torch.load(weights_only=True)``, and the estimator class must be one of
    sknets' own. A file written by another major version of sknets is refused.
    A model saved on a GPU loads on a machine without one.

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
        version, or holds anything but tensors in its weights.
    """
    try:
        with zipfile.ZipFile(Path(path)) as archive:
            config = json.loads(archive.read("config.json"))
            raw_weights = archive.read("weights.pt")
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not an sknets model file: {exc}") from exc
    saved = str(config.get("sknets_version", "?"))
    if saved.split(".")[0] != _version().split(".")[0]:
        raise ValueError(
            f"{path} was saved by sknets {saved}; this is sknets {_version()}, "
            "another major version, whose files are not read. Load it with the "
            "version that saved it and refit, or save it again from there."
        )
    try:
        weights = torch.load(
            io.BytesIO(raw_weights), map_location="cpu", weights_only=True
        )
    except (pickle.UnpicklingError, RuntimeError, AttributeError, TypeError) as exc:
        raise ValueError(
            f"{path}: the weights part holds something other than tensors; it is "
            f"refused and nothing in it was run ({type(exc).__name__})."
        ) from None
    if not isinstance(weights, dict) or not all(
        isinstance(v, torch.Tensor) for v in weights.values()
    ):
        raise ValueError(f"{path}: the weights part is not a dict of tensors.")
    arrays = {
        k[len("array.") :]: v for k, v in weights.items() if k.startswith("array.")
    }
    entry = {
        "__estimator__": config["estimator"],
        "params": config["params"],
        "fitted": config["fitted"],
    }
    estimator = _rebuild(entry, arrays)
    from ._base import _resolve_device

    requested = estimator.device
    if str(requested).startswith("cuda") and not torch.cuda.is_available():
        requested = "cpu"  # saved on a GPU, loaded without one
    estimator.device_ = _resolve_device(requested)
    module = estimator._build_module(estimator._n_outputs)
    module.load_state_dict(
        {k[len("module.") :]: v for k, v in weights.items() if k.startswith("module.")}
    )
    estimator.net_ = estimator._make_net(module)
    estimator.net_.initialize()
    for group in estimator.net_.optimizer_.param_groups:
        group.setdefault("initial_lr", group["lr"])  # lets an LR schedule resume
    for row in config["history"]:
        estimator.net_.history.new_epoch()
        for key, value in row.items():
            estimator.net_.history.record(key, value)
    estimator._record_history()
    return estimator
