"""Browser check of the built documentation (``make docs-check``).

Serves the built HTML on localhost, opens it in headless Chromium through
Playwright and checks what a reader sees: the index's title, the API
reference's links to every estimator page, and a gallery page with its
rendered figure. Exits non-zero with the reason on the first failure.
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
ESTIMATORS = ["CNNClassifier", "GRUClassifier", "CRNNClassifier", "TextTokenizer"]


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

        page.goto(f"{base}/index.html")
        check("sknets" in page.title(), f"index title is {page.title()!r}")
        check(page.locator("a[href='api.html']").count() > 0, "index links the API")

        page.goto(f"{base}/api.html")
        hrefs = page.eval_on_selector_all("a", "links => links.map(a => a.href)")
        for name in ESTIMATORS:
            target = f"generated/sknets.{name}.html"
            pages = {h.split("#")[0] for h in hrefs}
            check(any(p.endswith(target) for p in pages), f"API reference links {name}")
        page.goto(f"{base}/generated/sknets.CRNNClassifier.html")
        check(page.locator("dl.py.class").count() == 1, "CRNNClassifier page renders")

        page.goto(f"{base}/auto_examples/video_crnn.html")
        check("CRNN" in page.title(), f"gallery page title {page.title()!r}")
        image = page.locator("img.sphx-glr-single-img").first
        check(image.count() == 1, "gallery page holds the example's figure")
        width = image.evaluate("img => img.complete ? img.naturalWidth : 0")
        check(width > 0, f"the figure is rendered ({width} px wide)")
        browser.close()
    server.shutdown()
    print("docs-check passed")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/_build/html")
