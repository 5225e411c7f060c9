"""Intersphinx inventories of the libraries the docs link to, written from the
installed packages, so that ``make docs`` resolves links offline.

Sphinx's intersphinx reads an ``objects.inv`` for each linked project; the
build machine cannot download them. Each project here documents every public
name on a page whose address follows from the name (scikit-learn's
``modules/generated/sklearn.pipeline.Pipeline.html``, numpy's
``reference/generated/numpy.asarray.html``, ...), so the inventory lists the
public names of the installed version with those addresses: the links point
at the projects' own pages. A name that is not in an inventory stays
unlinked, and ``-W`` with ``nitpicky`` would say so.
"""

from __future__ import annotations

import importlib
import inspect
import zlib
from pathlib import Path

#: project -> (documentation root, packages and the modules whose ``__all__``
#: lists the public names, address of a name's page)
PROJECTS = {
    "sklearn": (
        "https://scikit-learn.org/stable/",
        [
            "sklearn.base",
            "sklearn.calibration",
            "sklearn.compose",
            "sklearn.datasets",
            "sklearn.decomposition",
            "sklearn.dummy",
            "sklearn.ensemble",
            "sklearn.feature_extraction.text",
            "sklearn.frozen",
            "sklearn.inspection",
            "sklearn.linear_model",
            "sklearn.metrics",
            "sklearn.model_selection",
            "sklearn.multioutput",
            "sklearn.neural_network",
            "sklearn.pipeline",
            "sklearn.preprocessing",
            "sklearn.svm",
            "sklearn.utils",
        ],
        "modules/generated/{name}.html#{name}",
    ),
    "numpy": (
        "https://numpy.org/doc/stable/",
        ["numpy"],
        "reference/generated/{name}.html#{name}",
    ),
    "pandas": (
        "https://pandas.pydata.org/docs/",
        ["pandas"],
        "reference/api/{name}.html#{name}",
    ),
    "torch": (
        "https://docs.pytorch.org/docs/stable/",
        ["torch.nn", "torch.optim"],
        "generated/{name}.html#{name}",
    ),
    "skorch": (
        "https://skorch.readthedocs.io/en/stable/",
        ["skorch.net", "skorch.callbacks"],
        "{page}.html#{name}",
    ),
    "sktime": (
        "https://www.sktime.net/en/stable/",
        ["sktime.datasets", "sktime.forecasting.ets", "sktime.forecasting.theta"],
        "api_reference/auto_generated/{name}.html#{name}",
    ),
}

#: names documented on a page of their own topic, not at the pattern's address
SPECIAL = {
    "torch": {
        "torch.Tensor": ("py:class", "tensors.html#torch.Tensor"),
        "torch.device": ("py:class", "tensor_attributes.html#torch.device"),
        "torch.dtype": ("py:class", "tensor_attributes.html#torch.dtype"),
        "torch.nn.Module": (
            "py:class",
            "generated/torch.nn.Module.html#torch.nn.Module",
        ),
    },
}


def _public_names(module_name):
    """``(full name, role)`` of the classes and functions a module lists in
    its ``__all__`` (or, without one, defines without a leading underscore)."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:  # an optional package absent: no inventory entries
        return []
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    found = []
    for name in names:
        try:
            obj = getattr(module, name, None)
        except ImportError:  # scikit-learn's experimental names until enabled
            obj = type  # a class: documented at the pattern's address all the same
        if inspect.isclass(obj):
            found.append((f"{module_name}.{name}", "py:class"))
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj) or callable(obj):
            found.append((f"{module_name}.{name}", "py:function"))
    return found


def entries(project):
    """The inventory lines of one project."""
    _, modules, pattern = PROJECTS[project]
    lines = {}
    for module_name in modules:
        page = module_name.split(".")[1] if "." in module_name else module_name
        for name, role in _public_names(module_name):
            uri = pattern.format(name=name, page=page)
            lines[name] = f"{name} {role} 1 {uri} -"
    for name, (role, uri) in SPECIAL.get(project, {}).items():
        lines[name] = f"{name} {role} 1 {uri} -"
    return [lines[name] for name in sorted(lines)]


def write(project, folder):
    """Write ``folder/<project>.inv`` in Sphinx's inventory format 2."""
    version = getattr(_module(project), "__version__", "")
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = zlib.compress(("\n".join(entries(project)) + "\n").encode())
    path = Path(folder) / f"{project}.inv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header.encode() + body)
    return path


def _module(project):
    try:
        return importlib.import_module(project)
    except ImportError:
        return None


def intersphinx_mapping(folder):
    """``intersphinx_mapping`` for conf.py, the inventories written first."""
    return {
        project: (root, str(write(project, folder)))
        for project, (root, _, _) in PROJECTS.items()
    }
