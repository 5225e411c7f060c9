"""`make bench`: every benchmark, each writing its page under docs/results/."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import images  # noqa: E402
import speed  # noqa: E402
import text  # noqa: E402
import timeseries  # noqa: E402

if __name__ == "__main__":
    images.main()
    timeseries.main()
    text.main()
    speed.main()
