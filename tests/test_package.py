"""The package as a whole: imports, old import paths, layout."""

import ast
import os
import pathlib
import re
import subprocess
import sys

import pytest

import sknets

PACKAGE = pathlib.Path(sknets.__file__).parent
ROOT = PACKAGE.parent


def test_import_works_without_docstrings():
    # python -OO strips docstrings; the generated ones must not need them
    code = (
        "import sknets; "
        "assert sknets.CNNClassifier.__doc__ is None; "
        "print(sknets.LSTMClassifier().get_params()['cell'])"
    )
    out = subprocess.run(
        [sys.executable, "-OO", "-c", code], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "lstm"


def test_datasets_and_modules_are_reachable_from_the_package():
    assert callable(sknets.datasets.make_moving_squares)
    assert issubclass(sknets.modules.SequenceModule, object)


@pytest.mark.parametrize(
    "module, names",
    [
        ("sknets.image", ["CNNClassifier", "CNNRegressor"]),
        ("sknets.hybrid", ["CRNNClassifier", "CRNNRegressor"]),
        ("sknets.sequence", ["LSTMClassifier", "TCNRegressor", "TextCNNClassifier"]),
        ("sknets.forecasting", ["make_windows"]),
    ],
)
def test_old_import_paths_give_the_same_classes(module, names):
    old = __import__(module, fromlist=names)
    for name in names:
        assert getattr(old, name) is getattr(sknets, name)


def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path, name):
    """The sknets modules that a module imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("sknets")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            if not base.startswith("sknets"):
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if _is_module(candidate) else base)
    return found


def _is_module(name):
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def import_graph():
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        graph[name] = _imports(path, name) - {name}
    return graph


def find_cycle(graph):
    """One import cycle of ``graph`` as a list of modules, or None."""
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt, stack + [nxt])
                if cycle:
                    return cycle
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node, [node])
            if cycle:
                return cycle
    return None


def test_no_import_cycle_in_the_package():
    graph = import_graph()
    assert "sknets._base" in graph["sknets.cnn"]  # the graph sees relative imports
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_finder_finds_a_cycle():
    graph = import_graph()
    graph["sknets.persistence"] = graph["sknets.persistence"] | {"sknets._base"}
    assert find_cycle(graph) is not None


def test_no_file_over_600_lines():
    sizes = {
        str(p.relative_to(PACKAGE)): len(p.read_text().splitlines())
        for p in PACKAGE.rglob("*.py")
    }
    assert max(sizes.values()) <= 600, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]


def test_functions_of_the_input_adapters_are_short():
    for path in (PACKAGE / "_inputs").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 60, f"{path.name}:{node.name} has {length} lines"


def test_persistence_names_no_private_attribute_of_another_module():
    source = (PACKAGE / "persistence.py").read_text()
    tree = ast.parse(source)
    private = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    }
    assert private == set(), private
    assert os.sep not in "".join(private)


def test_the_contributor_page_names_every_source_file_and_no_other():
    """docs/contributing.md's file table is the list of files in sknets/:
    each row's first cell names files, the first with its folder and the
    rest in that folder."""
    page = (ROOT / "docs" / "contributing.md").read_text()
    named = set()
    for row in re.findall(r"^\| (`sknets/[^|]*) \|", page, re.M):
        paths = re.findall(r"`([^`]+)`", row)
        folder = paths[0].rsplit("/", 1)[0]
        named |= {p if "/" in p else f"{folder}/{p}" for p in paths}
    files = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "sknets").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert sorted(files - named) == [], "files the page leaves out"
    assert sorted(named - files) == [], "files the page names that do not exist"


def test_no_class_calls_another_class_method_on_self():
    """``Class._method(self, ...)`` skips the method order: every class asks
    ``super()`` (or a declared hook) instead."""
    calls = {
        f"{path.relative_to(PACKAGE)}: {match.group(0)}"
        for path in PACKAGE.rglob("*.py")
        for match in re.finditer(r"\b[A-Z]\w*\.\w+\(self\s*[,)]", path.read_text())
    }
    assert sorted(calls) == []


def _functions_setting(attributes):
    """``{(file, function)}`` of the functions that assign one of
    ``attributes`` to an object (``x.name = ...``)."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                targets = getattr(node, "targets", [getattr(node, "target", None)])
                if isinstance(node, (ast.Assign, ast.AugAssign)) and any(
                    isinstance(t, ast.Attribute) and t.attr in attributes
                    for t in targets
                ):
                    found.add((path.name, function.name))
    return found


def test_the_training_settings_are_resolved_in_one_function():
    """'auto' and the kind of fit become ``max_epochs_``, ``batch_size_``,
    ``early_stopping_`` and ``device_`` in ``_resolve_settings`` only (a
    loaded model sets its device where it is loaded)."""
    assert _functions_setting({"max_epochs_", "batch_size_", "early_stopping_"}) == {
        ("_base.py", "_resolve_settings")
    }
    assert _functions_setting({"device_"}) == {
        ("_base.py", "_resolve_settings"),
        ("_state.py", "__sknets_setstate__"),
    }


def _files_naming(name):
    """The files of the package that name an attribute: ``x.name`` or the
    string ``"name"``."""
    files = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and node.attr == name) or (
                isinstance(node, ast.Constant) and node.value == name
            ):
                files.add(path.relative_to(PACKAGE).as_posix())
    return files


def test_private_state_is_named_only_in_the_module_that_owns_it():
    """A target's private attributes only in ``_targets.py``; an input kind's
    private fitted attributes (its ``state``) only in the module of the class
    that declares them; and a fitted estimator holds no other private state
    than those and its ``_target_``."""
    import numpy as np

    from sknets._inputs import FRAMES, IMAGES, SERIES, TOKENS
    from sknets._targets import (
        ClassificationTarget,
        MultiLabelTarget,
        RegressionTarget,
    )

    owners = {}
    targets = [
        ClassificationTarget("x", np.array([0, 1])),
        MultiLabelTarget("x", 2, "<i8"),
        RegressionTarget.learn(np.arange(3.0), "squared_error", 0.5, "x"),
    ]
    for target in targets:
        for name in vars(target):
            if name.startswith("_"):
                owners[name] = "_targets.py"
    kinds = [IMAGES, SERIES, TOKENS, FRAMES]
    for kind in kinds:
        for name in kind.state:
            cls = next(
                c for c in type(kind).__mro__[::-1] if name in vars(c).get("state", ())
            )
            owners[name] = sys.modules[cls.__module__].__file__
            owners[name] = pathlib.Path(owners[name]).relative_to(PACKAGE).as_posix()
    assert {"_mean", "_label_dtype", "_fitted_on_2d_", "_per_sample_scaling_"} <= set(
        owners
    )
    for name, owner in owners.items():
        assert _files_naming(name) == {owner}, name

    allowed = {"_target_"} | {name for kind in kinds for name in kind.state}
    rng = np.random.RandomState(0)
    fitted = [
        sknets.GRUClassifier(max_epochs=1, standardize="sample").fit(
            rng.rand(10, 5, 2), np.arange(10) % 2
        ),
        sknets.CNNRegressor(max_epochs=1).fit(rng.rand(10, 8, 8), rng.rand(10)),
        sknets.LSTMClassifier(max_epochs=1).fit(["a b", "b c"] * 5, [0, 1] * 5),
    ]
    for estimator in fitted:
        private = {k for k in vars(estimator) if k.startswith("_") and k.endswith("_")}
        assert private <= allowed, type(estimator).__name__
