"""bench/barecdp.py, which times first loads as a person's browser makes them: its init script must run before
the page's own, it must wait for what it is told to wait for, and each load must start from an empty cache."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator

import pytest
from benchfiles import BENCH, ROOT, load

BareChromium = load(BENCH / "barecdp.py").BareChromium
browserkit = load(ROOT / "tests" / "browser" / "browserkit.py")

PAGE = """<!doctype html><title>t</title><script src="/counted.js"></script>
<script>
  window.seenByPage = window.early;  // what the init script left, as the page's own script sees it
  requestAnimationFrame(() => setTimeout(() => { window.drawn = true; }, 50));
</script>"""


class Site(http.server.SimpleHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self.hits.append(self.path)
        body = (PAGE if self.path == "/" else "window.counted = true;").encode()
        self.send_response(200)
        self.send_header("content-type", "text/html" if self.path == "/" else "text/javascript")
        self.send_header("cache-control", "max-age=3600")  # cached, if a context kept its cache
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Site))
    Site.hits = hits
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_load_runs_the_init_script_first_waits_and_reads_back(site: tuple[str, list[str]]):
    url, hits = site
    chromium = BareChromium(browserkit.CHROMIUM, browserkit.FLAGS, {"width": 800, "height": 600})
    try:
        for _ in range(2):
            got = chromium.load(url, "window.early = 'before the page';", "window.drawn === true",
                                "({seen: window.seenByPage, counted: window.counted, width: innerWidth})",
                                before_leaving="Promise.resolve(window.left = true)")
            assert got == {"seen": "before the page", "counted": True, "width": 800}
    finally:
        chromium.close()
    # A fresh context each load: the script, cacheable for an hour, was fetched again.
    assert hits.count("/counted.js") == 2
    assert chromium.proc.poll() is not None  # closed with its browser
