"""Backprop Lab's server in a process of its own, as people run it, for the benchmarks that measure it from
outside: bench/server.py, limits.py, storage.py and poll.py."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2 as httpx
from websockets.sync.client import ClientConnection, connect

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class ServerProcess:
    """``ServerProcess(db=..., work_seconds=...)``: a server on a free loopback port with these settings,
    started as ``backprop-lab`` starts one (server.__main__.serve); ready when it answers."""

    def __init__(self, **settings: object) -> None:
        self.port = free_port()
        code = ("from server import Settings; from server.__main__ import serve; "
                f"serve(Settings(host='127.0.0.1', port={self.port}, **{settings!r}), log_level='warning')")
        self.proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.http}/api/options", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def create(self, config: dict[str, Any] | None = None) -> tuple[str, str]:
        """A new session with this setup: (id, control token)."""
        r = httpx.post(f"{self.http}/api/sessions", json={"config": config or {}}, timeout=60)
        r.raise_for_status()
        return r.json()["session"], r.json()["token"]

    def socket(self, session: str) -> ClientConnection:
        return connect(f"ws://127.0.0.1:{self.port}/ws/{session}", max_size=None, max_queue=1)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return next(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS"))

    def stop(self, timeout: float = 60) -> float:
        """SIGTERM, as `make serve` gets it; the seconds it took to stop (inf: it had to be killed)."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return float("inf")
        return time.monotonic() - started


class RedisServer:
    """Debian's redis-server on a free loopback port with a folder of its own, stopped by its pid (benchmarks and
    the tests of several workers). ``persist``: its append-only file on, fsync'd at every write, so a restart
    (``restart()``) loses nothing written; otherwise nothing is written to disk."""

    def __init__(self, folder: Path, persist: bool = False) -> None:
        self.folder, self.persist = folder, persist
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            raise RuntimeError("redis-server is missing: `make test` installs Debian's package "
                               "(apt-get install redis-server)")
        durable = ["--appendonly", "yes", "--appendfsync", "always"] if self.persist else ["--appendonly", "no"]
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder), "--save", "",
             *durable, "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        """SIGTERM by its pid (it writes what it must), and wait."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self) -> None:
        self.stop()
        self.start()
