"""Browser check of the built documentation (``make docs-check``).

Serves the built HTML on localhost, opens it in headless Chromium through
Playwright and checks what a reader sees: the landing page with the install
line, code and an intersphinx link to scikit-learn's page of a class; the API
reference with a page per family, an example and the estimators' pages; and a
narrative gallery page with its rendered figure. Exits non-zero with the
reason on the first failure.
"""

import functools
import http.server
import sys
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ESTIMATORS = ["MiniRocketClassifier", "MiniRocketRegressor"]
FAMILIES = ["minirocket", "recurrent", "convolutional", "images", "text", "forecasting"]
SKLEARN = "https://scikit-learn.org/stable/"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(root):
    handler = functools.partial(_QuietHandler, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def check(condition, message):
    if not condition:
        sys.exit(f"docs-check FAILED: {message}")
    print(f"ok: {message}")


def main(root):
    if not (Path(root) / "index.html").exists():
        sys.exit(f"docs-check: no {root}/index.html; run `make docs` first")
    server, base = serve(root)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()

        # the landing page: the README's install line and first fits
        page.goto(f"{base}/index.html")
        check("sknets" in page.title(), f"index title is {page.title()!r}")
        body = page.inner_text("body")
        check("download.pytorch.org/whl/cpu" in body, "landing page shows the install")
        check("MiniRocketForecaster(horizon=24" in body, "landing page shows code")
        check(
            page.locator("a[href='api/index.html']").count() > 0,
            "landing page links the API reference",
        )
        # an intersphinx link to scikit-learn's own page of the class
        target = f"{SKLEARN}modules/generated/sklearn.pipeline.Pipeline.html"
        links = page.locator(f"a.reference.external[href^='{target}']")
        check(links.count() > 0, "landing page links scikit-learn's Pipeline page")
        href = links.first.get_attribute("href")
        check(
            href.endswith("#sklearn.pipeline.Pipeline"),
            f"the link resolves to the class's anchor: {href}",
        )

        # the API reference: a page per family, each linking its estimators
        page.goto(f"{base}/api/index.html")
        hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.href)")
        for family in FAMILIES:
            check(
                any(h.split("#")[0].endswith(f"api/{family}.html") for h in hrefs),
                f"API reference links its {family} page",
            )
        page.goto(f"{base}/api/minirocket.html")
        check(page.locator("div.highlight pre").count() > 0, "API page has an example")
        hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.href)")
        for name in ESTIMATORS:
            target = f"generated/sknets.{name}.html"
            pages = {h.split("#")[0] for h in hrefs}
            check(any(p.endswith(target) for p in pages), f"API page links {name}")
        page.goto(f"{base}/generated/sknets.MiniRocketClassifier.html")
        check(page.locator("dl.py.class").count() == 1, "estimator page renders")
        check(
            "Other Parameters" in page.inner_text("body"),
            "estimator page groups the training settings",
        )

        # a narrative example: text between code cells, and its figure
        page.goto(f"{base}/auto_examples/minirocket_forecaster.html")
        check("MiniRocketForecaster" in page.title(), f"gallery title {page.title()!r}")
        check(
            page.locator("div.highlight-Python").count() >= 3
            and page.locator("section h2").count() >= 2,
            "the example alternates text sections and code cells",
        )
        image = page.locator("img.sphx-glr-single-img").first
        check(image.count() == 1, "the example holds its figure")
        width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
        check(width > 0, f"the figure is rendered ({width} px wide)")
        browser.close()
    server.shutdown()
    print("docs-check passed")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/_build/html")
