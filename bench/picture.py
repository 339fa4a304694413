"""What "Save picture" costs, per view: making the PNG in the page (static/js/picture.js: the view's HTML with
its computed styles in an SVG foreignObject, each canvas drawn again at 2x, then canvas.toBlob), against
Chromium's own capture of the same view at the same 2x (Playwright's element screenshot, device scale 2) in the
same run: the browser's cost of a picture of those pixels, without the page's copying.

Networks: 2-8-8-1 (the usual size) and 2-32×6-1 (the largest the server takes: 11,000 SVG elements). Each figure
is the median of --rounds; the page's own time is from its clock (performance.now), the capture's from this
process's.

    .venv/bin/python bench/picture.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "bench"))
from browserkit import launch, wait_for_app  # noqa: E402
from serverproc import ServerProcess  # noqa: E402

VIEWS = {"network": "network-view", "decision map": "map-view", "loss chart": "loss-view",
         "loss surface": "surface-view"}
SETUPS = {"2-8-8-1": "8,8", "2-32x6-1": "32,32,32,32,32,32"}
IN_PAGE = """async (id) => {
  const { pictureOf } = await import('/static/js/picture.js');
  const started = performance.now();
  const canvas = await pictureOf(document.getElementById(id));
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  return { ms: performance.now() - started, bytes: blob.size };
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = ServerProcess()
    try:
        with sync_playwright() as p:
            browser = launch(p)
            print(f"{'network':10} {'view':13} {'picture ms':>11} {'capture ms':>11} {'ratio':>6} {'PNG KB':>7}")
            for setup, sizes in SETUPS.items():
                context = browser.new_context(viewport={"width": 1600, "height": 1000}, device_scale_factor=2)
                page = context.new_page()
                page.goto(f"{server.http}/#dataset=circle&sizes={sizes}&surface=random")
                wait_for_app(page, timeout=60_000)
                page.evaluate("() => window.backpropLab.connection.request("
                              "{type: 'play_until', update: 40, at_once: true})")
                page.wait_for_function("() => window.backpropLab.frame.header.step === 40"
                                       " && window.backpropLab.surface !== null", timeout=60_000)
                for view, id_ in VIEWS.items():
                    ours, theirs, size = [], [], 0
                    for _ in range(args.rounds):
                        result = page.evaluate(IN_PAGE, id_)
                        ours.append(result["ms"])
                        size = result["bytes"]
                        started = time.perf_counter()
                        page.locator(f"#{id_}").screenshot()
                        theirs.append(1000 * (time.perf_counter() - started))
                    a, b = statistics.median(ours), statistics.median(theirs)
                    print(f"{setup:10} {view:13} {a:11.0f} {b:11.0f} {a / b:6.2f} {size / 1024:7.0f}")
                context.close()
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
