"""Chromium as a person's browser has it: no DevTools watching each request. For first loads.

Playwright turns on Chromium's Network domain for every page it opens: each request then sends events to the
driver, and our page of 55 requests paid for it. In one run, the same first loads took a median of 851 ms for ours
under Playwright against 502 ms over this bare connection, and 209 against 145 ms for TF Playground (6 or 7
requests). So the first-frame comparison is made here: the same Chromium and flags, driven over a bare DevTools
socket that only opens pages, adds their init scripts and reads values back.

Each load gets a fresh browser context (an empty cache, as a first visit). Hosts other than loopback resolve
nowhere (``--host-resolver-rules``), as the Playwright bench aborts them: Playground's page links a web font.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


class BareChromium:
    def __init__(self, executable: str, flags: list[str], viewport: dict[str, int]) -> None:
        self.viewport = viewport
        self.profile = tempfile.mkdtemp(prefix="bench-chromium-")
        # Port 0: Chromium picks a free one and writes it to DevToolsActivePort in the profile.
        self.proc = subprocess.Popen(
            [executable, *flags, LOOPBACK_ONLY, "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._open = contextlib.ExitStack()  # the DevTools socket, closed with the browser
        self.socket = self._connect(Path(self.profile) / "DevToolsActivePort")
        self._id = 0

    def _connect(self, port_file: Path) -> ClientConnection:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            lines = port_file.read_text().split("\n") if port_file.exists() else []
            if len(lines) >= 2 and lines[1]:
                return self._open.enter_context(connect(f"ws://127.0.0.1:{lines[0]}{lines[1]}", max_size=None))
            time.sleep(0.05)
        self.close()
        raise RuntimeError("Chromium did not open its DevTools socket")

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:  # events (none asked for, but some come unasked) go by
            reply = json.loads(self.socket.recv(timeout=30))
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, session: str, expression: str, wait: bool = False) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": wait}, session)
        failed = result.get("exceptionDetails")
        if failed:
            raise RuntimeError(f"{expression[:60]}: {failed.get('exception', {}).get('description', failed['text'])}")
        return result["result"].get("value")

    def load(self, url: str, init: str, done: str, read: str, before_leaving: str | None = None,
             timeout: float = 30) -> Any:
        """Open ``url`` in a fresh context with ``init`` run before any of its scripts; poll ``done`` until it is
        true; return the value of ``read`` (JSON-able); run ``before_leaving``; close the context."""
        return self.visits(url, init, done, read, 1, before_leaving, timeout)[0]

    def visits(self, url: str, init: str, done: str, read: str, count: int, before_leaving: str | None = None,
               timeout: float = 30) -> list[Any]:
        """As load, ``count`` times in one fresh context: the first visit with an empty cache, then visits
        again with what the browser kept (each from about:blank, so a link with a #hash is a new document)."""
        context = self.call("Target.createBrowserContext")["browserContextId"]
        target = self.call("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
        values = []
        try:
            session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            # A page in front, with focus and the bench's viewport: as Playwright sets them, or animation frames
            # would wait for a page the browser thinks hidden.
            self.call("Page.enable", {}, session)  # page events only (a few per load), none per request
            self.call("Page.bringToFront", {}, session)
            self.call("Emulation.setFocusEmulationEnabled", {"enabled": True}, session)
            self.call("Emulation.setDeviceMetricsOverride", {**self.viewport, "deviceScaleFactor": 1,
                                                              "mobile": False}, session)
            self.call("Page.addScriptToEvaluateOnNewDocument", {"source": init}, session)
            for visit in range(count):
                if visit:
                    self.call("Page.navigate", {"url": "about:blank"}, session)
                    deadline = time.monotonic() + timeout
                    while self.evaluate(session, "location.href") != "about:blank":
                        if time.monotonic() > deadline:
                            raise TimeoutError("about:blank: not reached")
                        time.sleep(0.02)
                self.call("Page.navigate", {"url": url}, session)
                deadline = time.monotonic() + timeout
                while not self.evaluate(session, f"Boolean({done})"):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{url}: not drawn within {timeout:g} s")
                    time.sleep(0.02)
                values.append(self.evaluate(session, read))
                if before_leaving:
                    self.evaluate(session, before_leaving, wait=True)
            return values
        finally:
            self.call("Target.closeTarget", {"targetId": target})
            self.call("Target.disposeBrowserContext", {"browserContextId": context})

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._open.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)
