"""A plain (not editable) install works: the wheel carries the page, and `backprop-lab` serves it from there.

The wheel is built from a copy of the sources (a stale build/ in the checkout cannot leak into it) and installed
without its dependencies into a fresh virtual environment outside the checkout; that environment sees the
checkout venv's packages (fastapi, numpy, ...) through a .pth line, so nothing is downloaded. A .pth line only
adds a path: the checkout's editable install (itself a .pth hook) stays out, so `server` is the wheel's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx2 as httpx
from browserkit import screenshot, wait_for_app
from liveserver import free_port

CHECKOUT = Path(__file__).resolve().parents[2]
SOURCES = ("engine", "server", "static", "templates", "pyproject.toml", "README.md")


def run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def install_wheel(tmp: Path) -> Path:
    """Build the wheel, install it into a fresh venv tmp/venv; its site-packages folder."""
    source = tmp / "source"
    for name in SOURCES:
        copy = shutil.copytree if (CHECKOUT / name).is_dir() else shutil.copy2
        copy(CHECKOUT / name, source / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                                 if (CHECKOUT / name).is_dir() else {}))
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--disable-pip-version-check",
        "-q", "-w", tmp / "wheels", source, cwd=tmp)
    (wheel,) = (tmp / "wheels").glob("backprop_lab-*.whl")
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site / "checkout-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index",
        "--disable-pip-version-check", "-q", wheel, cwd=tmp)
    return site


def test_the_installed_wheel_serves_the_page_from_the_package(browser, tmp_path):
    site = install_wheel(tmp_path)
    static = site / "server" / "static"
    assert (static / "js" / "app.js").is_file() and (site / "server" / "templates" / "index.html").is_file()

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # --db: sessions are kept in a file; the test's own, not the user's data folder.
    server = subprocess.Popen([tmp_path / "venv" / "bin" / "backprop-lab", "--port", str(port),
                               "--db", str(tmp_path / "sessions.db")], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:  # until it answers (or has died)
            assert server.poll() is None, server.stdout.read()
            try:
                if httpx.get(f"{url}/api/options", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "backprop-lab did not answer within 20 s"
            time.sleep(0.05)

        context = browser.new_context()
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        assets: dict[str, int] = {}
        page.on("response", lambda r: "/static/" in r.url and assets.setdefault(r.url, r.status))
        page.goto(f"{url}/#dataset=circle&sizes=4")
        wait_for_app(page, timeout=20_000)
        assert page.locator("#network-view circle.bl-node").count() == 2 + 4 + 1
        screenshot(page, "16_installed_wheel", full_page=False)
        context.close()
        assert errors == []
        paths = {u.split("?")[0] for u in assets}
        assert f"{url}/static/js/app.js" in paths and any(p.endswith(".css") for p in paths), assets
        assert set(assets.values()) == {200}, assets
        # What it served is the installed package's copy, byte for byte.
        assert httpx.get(f"{url}/static/js/app.js").content == (static / "js" / "app.js").read_bytes()
        # The lessons are data in the package too, listed and validated from there.
        listed = httpx.get(f"{url}/api/lessons").json()
        assert len(listed["lessons"]) == len(list((static / "lessons").glob("*-*.json"))) == 3, listed
        assert listed["problems"] == []
    finally:
        server.terminate()
        server.wait(10)
