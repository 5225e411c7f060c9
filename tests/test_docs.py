"""The docs' code runs as written, and the figures they quote from a benchmark
are the ones its results page holds."""

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START, END = "<!-- front-door:start -->", "<!-- front-door:end -->"


def front_door():
    text = README.read_text()
    return text[text.index(START) : text.index(END)]


def python_blocks(text):
    """The code of the ```python blocks of a Markdown text."""
    return re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)


def rst_blocks(text):
    """The code of the ``.. code-block:: python`` blocks of an rST text."""
    blocks = []
    for match in re.finditer(
        r"^\.\. code-block:: python\n\n((?:   .*\n|\n)+)", text, re.M
    ):
        lines = match.group(1).rstrip("\n").splitlines()
        blocks.append("\n".join(line[3:] for line in lines) + "\n")
    return blocks


def run(code, tmp_path, monkeypatch):
    """Run a block as a script in a folder of its own; its namespace and
    what it printed."""
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__main__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<docs>", "exec"), namespace)
    return namespace, out.getvalue()


# -- the README's first screen, which the landing page includes ---------------
def test_the_landing_page_shows_the_readme_front_door():
    index = (ROOT / "docs" / "index.md").read_text()
    include = re.search(r"```\{include\} \.\./README\.md\n(.*?)```", index, re.S)
    assert include is not None
    assert f":start-after: {START}" in include.group(1)
    assert f":end-before: {END}" in include.group(1)
    assert python_blocks(index) == []  # every code block it shows is the README's
    assert "pip install torch --index-url https://download.pytorch.org/whl/cpu" in (
        front_door()
    )


FRONT_DOOR = python_blocks(front_door()) if README.exists() else []


def test_the_front_door_has_one_snippet_per_kind_of_data():
    estimators = [
        re.search(r"from sknets import (\w+)", b).group(1) for b in FRONT_DOOR
    ]
    assert estimators == [
        "MiniRocketClassifier",
        "MiniRocketRegressor",
        "MiniRocketForecaster",
        "CNNClassifier",
        "TextCNNClassifier",
    ]


@pytest.mark.parametrize("i", range(len(FRONT_DOOR)))
def test_the_front_door_snippets_run_as_written(i, tmp_path, monkeypatch):
    code = FRONT_DOOR[i]
    if "sktime" in code:
        pytest.importorskip("sktime")
    namespace, printed = run(code, tmp_path, monkeypatch)
    if "MiniRocketClassifier" in code:  # BasicMotions' test split
        assert float(printed) >= 0.95
    elif "MiniRocketRegressor" in code:  # Covid3Month: below the training mean's
        assert float(printed) < 0.0447
    elif "MiniRocketForecaster" in code:
        forecast, interval = namespace["forecast"], namespace["interval"]
        assert forecast.index.equals(namespace["y"].index[-24:])  # the months
        assert interval.index.equals(forecast.index)
        forecast, interval = forecast.to_numpy(), interval.to_numpy()
        held_out = namespace["y"][-24:].to_numpy()
        assert forecast.shape == (24,) and interval.shape == (24, 2)
        assert (interval[:, 0] <= forecast).all() and (forecast <= interval[:, 1]).all()
        naive = namespace["y"][-36:-24].to_numpy()  # seasonal naive: last year again
        naive_error = np.abs(np.tile(naive, 2) - held_out).mean()
        assert np.abs(forecast - held_out).mean() < naive_error
    elif "TextCNNClassifier" in code:
        assert printed.strip() == "['pos' 'neg']"
    else:  # CNNClassifier on the digits' test split
        assert float(printed) >= 0.98


API_PAGES = sorted((ROOT / "docs" / "api").glob("*.rst"))
API_BLOCKS = [(p.stem, b) for p in API_PAGES for b in rst_blocks(p.read_text())]


def test_every_api_page_but_the_index_has_an_example():
    pages = {p.stem for p in API_PAGES} - {"index"}
    assert pages and pages == {page for page, _ in API_BLOCKS}


@pytest.mark.parametrize("page, code", API_BLOCKS, ids=[p for p, _ in API_BLOCKS])
def test_the_api_pages_examples_run(page, code, tmp_path, monkeypatch):
    if "sktime" in code:
        pytest.importorskip("sktime")
    _, printed = run(code, tmp_path, monkeypatch)
    assert printed.strip()  # each shows what it computed


# -- figures quoted from the benchmarks --------------------------------------
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
RESULTS = ROOT / "docs" / "results"
NUMBER = re.compile(r"(?<![\w.`=/-])(\d+\.\d+)(?![\w.]*\d*\.\d)(?![\w`/])")


def quoting_units(path):
    """``(text, cited results pages)`` of each paragraph, list item and
    table row of a Markdown page that links to a page of docs/results."""
    units = []
    for block in re.split(r"\n\s*\n", path.read_text()):
        if block.lstrip().startswith("```"):
            continue
        if block.lstrip().startswith("|"):
            rows = block.splitlines()  # a table: each row on its own
        else:  # a paragraph, or each item of a list
            rows = re.split(r"\n(?=(?:[-*]|\d+\.) )", block)
        for text in rows:
            cited = re.findall(r"results/(\w+)\.md", text)
            if cited:
                units.append((text, sorted(set(cited))))
    return units


def quoted_figures(text):
    """The decimal figures of a text, leaving out code (`...`), links'
    targets, versions (2.13.0) and numbers in names."""
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return [m for m in NUMBER.findall(text) if not re.search(r"\d\.\d+\.\d", m)]


def page_figures(name):
    return [
        float(x) for x in re.findall(r"\d+\.\d+", (RESULTS / f"{name}.md").read_text())
    ]


def found(figure, values):
    """Whether a quoted figure is a value of the page, as printed or rounded
    to the figure's decimals."""
    decimals = len(figure.split(".")[1])
    quoted = float(figure)
    return any(abs(v - quoted) <= 0.5 * 10**-decimals + 1e-12 for v in values)


def test_the_figure_check_reads_what_it_should():
    text = (
        "mean 0.955 (`lr=0.001`, torch 2.13.0) in 3.3 s "
        "([results](docs/results/timeseries.md), v1.2)"
    )
    assert quoted_figures(text) == ["0.955", "3.3"]
    assert found("0.996", [0.9956]) and not found("0.997", [0.9956])


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_quoted_figures_are_in_the_results_they_cite(path):
    missing = []
    for text, cited in quoting_units(path):
        values = [v for name in cited for v in page_figures(name)]
        missing += [
            (figure, cited, text[:80])
            for figure in quoted_figures(text)
            if not found(figure, values)
        ]
    assert missing == []


def test_a_figure_the_results_do_not_hold_is_caught(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "The digits CNN fits in 5.1 s ([results](docs/results/images.md)).\n\n"
        "| row | 0.9956 | [results](results/images.md) |\n"
        "| row | 0.9957 | [results](results/images.md) |\n"
    )
    units = quoting_units(page)
    assert [cited for _, cited in units] == [["images"]] * 3
    missing = [
        f
        for text, cited in units
        for f in quoted_figures(text)
        if not found(f, page_figures(cited[0]))
    ]
    assert missing == ["5.1", "0.9957"]
