"""`backprop-lab` as a teacher runs it (`python -m server --db …`, stopped with SIGTERM as `make serve` is):
it writes the sessions and stops within a few seconds, and started again it has the class back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
from liveserver import free_port, stored_step
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[2]
STOP_SECONDS = 10.0  # "a few seconds", on a machine that may be busy with other work


def start(port: int, db: Path) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "server", "--port", str(port), "--db", str(db)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/options", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            raise RuntimeError(f"the server did not start: {server.stderr.read()}")
        time.sleep(0.05)
    server.kill()
    raise RuntimeError("the server did not answer within 30 s")


def stop(server: subprocess.Popen) -> float:
    started = time.monotonic()
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=STOP_SECONDS * 4)
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGKILL)
    return time.monotonic() - started


def test_sigterm_writes_every_session_and_stops_within_seconds_and_a_restart_brings_them_back(tmp_path):
    port, db = free_port(), tmp_path / "class.db"
    server = start(port, db)
    try:
        http = f"http://127.0.0.1:{port}"
        created = httpx.post(f"{http}/api/sessions", json={"config": {"sizes": [8, 8], "batch_size": 4}}).json()
        session, token = created["session"], created["token"]
        with connect(f"ws://127.0.0.1:{port}/ws/{session}") as ws:  # a page still connected at SIGTERM
            ws.send(f'{{"type": "hello", "token": "{token}"}}')
            ws.send('{"type": "play", "id": 1}')
            deadline = time.monotonic() + 20
            while httpx.get(f"{http}/api/sessions/{session}").json()["step"] < 50 and time.monotonic() < deadline:
                time.sleep(0.05)
            seconds = stop(server)
    finally:
        if server.poll() is None:
            server.kill()
    # uvicorn shuts down cleanly ("Application shutdown complete"), then re-raises the signal it caught.
    log = server.stderr.read()
    assert server.returncode in (0, -signal.SIGTERM) and "Application shutdown complete" in log, log
    assert seconds < STOP_SECONDS, f"took {seconds:.1f} s to stop"

    server = start(port, db)
    try:
        back = httpx.get(f"http://127.0.0.1:{port}/api/sessions/{session}").json()
        assert back["step"] >= 50 and back["playing"] is False
        with connect(f"ws://127.0.0.1:{port}/ws/{session}") as ws:
            ws.send(f'{{"type": "hello", "token": "{token}"}}')
            assert '"role":"controller"' in ws.recv(timeout=10)
    finally:
        stop(server)


def test_a_crash_loses_at_most_the_last_seconds_of_training(tmp_path):
    """SIGKILL gives the server no time to write: what survives is what the periodic saves wrote while it played."""
    port, db = free_port(), tmp_path / "crash.db"
    server = start(port, db)
    try:
        http = f"http://127.0.0.1:{port}"
        created = httpx.post(f"{http}/api/sessions", json={"config": {"sizes": [4], "batch_size": 4}}).json()
        session = created["session"]
        with connect(f"ws://127.0.0.1:{port}/ws/{session}") as ws:
            ws.send(f'{{"type": "hello", "token": "{created["token"]}"}}')
            ws.send('{"type": "play", "id": 1}')
            deadline = time.monotonic() + 20
            while httpx.get(f"{http}/api/sessions/{session}").json()["step"] < 30 and time.monotonic() < deadline:
                time.sleep(0.05)
            reached = httpx.get(f"{http}/api/sessions/{session}").json()["step"]
            # Wait for a save that holds at least that step (written within about a second, while it plays).
            while time.monotonic() < deadline and stored_step(db, session) < reached:
                time.sleep(0.05)
            server.kill()
            server.wait(10)
    finally:
        if server.poll() is None:
            server.kill()
    server = start(port, db)
    try:
        back = httpx.get(f"http://127.0.0.1:{port}/api/sessions/{session}").json()
        assert back["step"] >= reached and back["playing"] is False
    finally:
        stop(server)
