"""`backprop-lab` serves with what start-up made out of the garbage collector's sight (server/app.py,
freeze_startup_objects): a full collection then walks the sessions' objects, not NumPy's and FastAPI's.

Each case runs the command line in a process of its own, with uvicorn's serving replaced by a note of what the
collector tracks at that moment, so no port is opened and this test process is never frozen itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Imports alone (NumPy, FastAPI, pydantic, uvicorn) leave about 95,000 objects to track; far fewer stay visible.
FROZEN_AT_LEAST = 50_000
VISIBLE_AT_MOST = 5_000

NOTE = """
import gc, json
def note(*args, **kwargs):
    print(json.dumps({"frozen": gc.get_freeze_count(), "visible": len(gc.get_objects())}))
"""


def noted(code: str) -> dict[str, int]:
    done = subprocess.run([sys.executable, "-c", NOTE + code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_one_process_freezes_what_start_up_made_before_it_serves(tmp_path: Path) -> None:
    seen = noted(f"""
import uvicorn
uvicorn.run = note
from server.__main__ import main
main(["--port", "8765", "--db", {str(tmp_path / "sessions.db")!r}])
""")
    assert seen["frozen"] >= FROZEN_AT_LEAST, seen
    assert seen["visible"] <= VISIBLE_AT_MOST, seen


def test_each_worker_freezes_what_start_up_made_before_it_serves() -> None:
    seen = noted("""
import uvicorn
import server.workers as workers
uvicorn.Server.run = note
workers.listening_socket = lambda *args, **kwargs: None
from server.settings import Settings
workers.serve_worker(Settings(host="127.0.0.1", port=8765, redis="redis://127.0.0.1:1/0"), 0, {})
""")
    assert seen["frozen"] >= FROZEN_AT_LEAST, seen
    assert seen["visible"] <= VISIBLE_AT_MOST, seen


def test_a_server_made_by_create_app_alone_is_not_frozen() -> None:
    """Tests build many servers in one process: freezing there would keep each one's garbage for good."""
    seen = noted("""
from server import Settings, create_app
create_app(Settings())
note()
""")
    assert seen["frozen"] == 0, seen
