"""Print the requirements of the floors job: every runtime dependency of
pyproject.toml pinned to the lowest version it declares (``name>=x`` gives
``name==x``), then the test extra's own tools (pytest and its plugins,
hypothesis), so that the suite runs with the oldest versions sknets claims.
The tests that need another optional package skip without it."""

import pathlib
import re
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
TOOLS = ("pytest", "hypothesis")


def main():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = []
    for requirement in project["dependencies"]:
        match = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([^,;\s]+)", requirement)
        if match is None:
            raise SystemExit(f"{requirement!r} declares no lower bound (name>=x)")
        pins.append(f"{match[1]}=={match[2]}")
    tools = [r for r in project["optional-dependencies"]["test"] if r.startswith(TOOLS)]
    print(" ".join(pins + tools))


if __name__ == "__main__":
    main()
