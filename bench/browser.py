"""Browser benchmark: how smoothly the page draws while a 2-8-8-1 network trains at full speed.

A real server in its own process, Debian's headless Chromium through Playwright, the page at 1600 × 1000 with the
network, the decision map and the loss curve on screen. Over a measured window it counts:
  - frames drawn per second: requestAnimationFrame callbacks in which the app drew something new
    (window.backpropLab.draws), next to the browser's own animation-frame rate;
  - updates per second: training updates, from the step counter of the frames the page drew;
  - slow animation frames (more than 25 ms since the previous one), which a person sees as stutter.
Target (issue 5): at least 55 frames drawn per second.

    .venv/bin/python bench/browser.py [--seconds 6] [--speed max]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
from browserkit import launch, wait_for_app  # noqa: E402

SETUP = "#dataset=circle&n_points=500&noise=0&sizes=8,8&activations=tanh&batch_size=10&optimizer=momentum&lr=0.03"
TARGET_FPS = 55

# Counts the browser's animation frames and the app's draws over a window, and the gaps between frames.
MEASURE = """async (seconds) => {
  const app = window.backpropLab;
  const draws0 = app.draws, step0 = app.frame.header.step, ms0 = app.drawMs;
  const received0 = app.connection.received.frame;
  let ticks = 0, slow = 0, last = performance.now(), worst = 0;
  const start = last;
  await new Promise((done) => {
    function tick(now) {
      ticks++;
      const gap = now - last;
      if (gap > 25) slow++;
      worst = Math.max(worst, gap);
      last = now;
      if (now - start < seconds * 1000) requestAnimationFrame(tick); else done();
    }
    requestAnimationFrame(tick);
  });
  const elapsed = (performance.now() - start) / 1000;
  return {elapsed, ticks, draws: app.draws - draws0, steps: app.frame.header.step - step0, slow, worst,
          received: app.connection.received.frame - received0, drawMs: app.drawMs - ms0};
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port)], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/options", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="length of the measured window")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of training before measuring")
    parser.add_argument("--speed", default="max", help="updates per second to ask for, or 'max'")
    parser.add_argument("--idle", action="store_true", help="measure without training (the page's floor)")
    args = parser.parse_args()

    port = free_port()
    server = start_server(port)
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"http://127.0.0.1:{port}/{SETUP}&speed={args.speed}")
            wait_for_app(page)
            for selector in ("#network-view svg.bl-network-svg", "#map-view canvas", "#loss-view canvas"):
                box = page.locator(selector).bounding_box()
                assert box and box["y"] + box["height"] <= 1000, f"{selector} is not on screen"
            if not args.idle:
                page.click("#play")
                page.wait_for_function("() => window.backpropLab.frame.header.playing")
            time.sleep(args.warmup)
            result = page.evaluate(MEASURE, args.seconds)
            if not args.idle:
                page.click("#play")
            browser.close()
    finally:
        server.terminate()
        server.wait(10)

    elapsed = result["elapsed"]
    fps = result["draws"] / elapsed
    raf = result["ticks"] / elapsed
    ups = result["steps"] / elapsed
    print(f"2-8-8-1 tanh on circle (250 training points, batch 10), speed {args.speed}, {elapsed:.1f} s measured")
    print(f"frames drawn per second: {fps:.1f}  (browser animation frames: {raf:.1f}/s; "
          f"slower than 25 ms: {result['slow']}, worst gap {result['worst']:.0f} ms)")
    print(f"frames received per second: {result['received'] / elapsed:.1f}; "
          f"main-thread time per drawn frame: {result['drawMs'] / max(1, result['draws']):.2f} ms")
    print(f"updates per second: {ups:.0f}  ({ups / 25:.0f} epochs/s)")
    if errors:
        print("page errors:", *errors, sep="\n  ")
    print(f"target ≥ {TARGET_FPS} frames drawn per second: {'met' if fps >= TARGET_FPS else 'NOT met'}")


if __name__ == "__main__":
    main()
