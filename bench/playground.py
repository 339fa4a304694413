"""TensorFlow Playground, the anchor the page's speed is compared with: served on loopback, driven in Chromium.

A local build lies in ``../shared/anchors/tf-playground/dist`` (its README says how it was made; set
``PLAYGROUND_DIST`` to use another). It is never served to users; the benchmarks serve it on a loopback port
next to our own server and drive both in one Chromium, in the same run, with the same setup. Nothing here
holds a figure of Playground's: every one is measured.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, Route

ANCHOR = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "tf-playground" / "dist"
DIST = Path(os.environ.get("PLAYGROUND_DIST", ANCHOR))

# The setup through its URL hash: 2-8-8-1 tanh on the circle set without noise, 50 % of its 500 points for
# training, batch 10, learning rate 0.03, no regularization; only the inputs x1 and x2 (its defaults).
HASH = ("#seed=0.50000&dataset=circle&networkShape=8,8&batchSize=10&learningRate=0.03&activation=tanh"
        "&percTrainData=50&noise=0&regularization=none&regularizationRate=0&problem=classification")
PLAY = "#play-pause-button"
# Its epoch counter, "000,123": one epoch is one pass over its training set, then its losses and drawing.
EPOCH = "() => Number((document.getElementById('iter-number').textContent || 'NaN').replace(/,/g, ''))"
PLAYING = "() => document.querySelector('#play-pause-button').classList.contains('playing')"
# Its index.html does not load the analytics script, yet Play calls ga(...): without this, training never starts.
STUB_GA = "window.ga = function () {};"


def available() -> str | None:
    """None when the build is there, else why not, in plain words."""
    return None if (DIST / "index.html").is_file() else f"no TF Playground build at {DIST}"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class PlaygroundServer:
    """``dist/`` on a free loopback port, in a thread of this process (a static server: little work)."""

    def __init__(self) -> None:
        handler = functools.partial(_Quiet, directory=str(DIST))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/index.html{HASH}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def prepare(context: BrowserContext) -> list[str]:
    """What a context needs before it opens Playground: the analytics stub and loopback-only requests.
    Returns the list the hosts of blocked requests go into (its page links a web font from the internet)."""
    blocked: list[str] = []

    def loopback_only(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            blocked.append(host or route.request.url)
            route.abort()

    context.add_init_script(STUB_GA)
    context.route("**/*", loopback_only)
    return blocked


def load(page: Page, server: PlaygroundServer) -> None:
    """Open it (in a context made ready by ``prepare``) and wait until it shows epoch 0."""
    page.goto(server.url)
    page.wait_for_function(f"() => ({EPOCH})() === 0")


def play(page: Page) -> None:
    page.click(PLAY)
    page.wait_for_function(PLAYING)


def pause(page: Page) -> None:
    page.click(PLAY)
    page.wait_for_function(f"() => !({PLAYING})()")
