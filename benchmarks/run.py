"""`make bench`: every benchmark, each writing its page under docs/results/."""

import os
import sys
from pathlib import Path

# before torch starts: OpenMP threads that spin while waiting slowed one
# measurement on a loaded machine 30-fold
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

sys.path.insert(0, str(Path(__file__).parent))

import amplitudes  # noqa: E402
import forecasting  # noqa: E402
import forecasting_panels  # noqa: E402
import images  # noqa: E402
import out_of_core  # noqa: E402
import panel  # noqa: E402
import prediction  # noqa: E402
import search  # noqa: E402
import speed  # noqa: E402
import text  # noqa: E402
import timeseries  # noqa: E402

if __name__ == "__main__":
    images.main()
    timeseries.main()
    amplitudes.main()
    forecasting.main([])
    forecasting.main(["--held-out", "0.3"])
    panel.main()
    forecasting_panels.main([])
    forecasting_panels.main(["--held-out", "0.3"])
    text.main()
    search.main()
    speed.main()
    prediction.main()
    out_of_core.main()
