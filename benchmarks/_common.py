"""Helpers shared by the benchmark scripts: the machine line and table output."""

import os
import platform
from pathlib import Path

import numpy as np
import sklearn
import skorch
import torch

import sknets

DOCS = Path(__file__).resolve().parents[1] / "docs" / "results"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [
                line.split(":", 1)[1].strip() for line in f if "model name" in line
            ]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores visible, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), Python {platform.python_version()}, "
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
        f"skorch {skorch.__version__}, sknets {sknets.__version__}"
    )


def markdown_table(rows) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def write_page(name, title, intro, rows, command, more=(), measured=None):
    """Write docs/results/<name>.md: the intro, the machine and a table of rows;
    ``more`` adds sections, each a (heading, text, rows) triple; ``measured``
    replaces the sentence naming the command and this machine."""
    DOCS.mkdir(parents=True, exist_ok=True)
    if measured is None:
        measured = f"Measured by `{command}` on: {machine()}."
    text = f"# {title}\n\n{intro}\n\n{measured}\n\n{markdown_table(rows)}\n"
    for heading, section, section_rows in more:
        text += f"\n## {heading}\n\n{section}\n\n{markdown_table(section_rows)}\n"
    (DOCS / f"{name}.md").write_text(text)
    print(text, flush=True)
