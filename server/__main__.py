"""``backprop-lab`` / ``python -m server``: serve the app with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

from .app import create_app
from .network_addresses import EVERY_ADDRESS, serving, url_host
from .settings import Settings
from .storage import default_db_path

# Frames are mostly float bytes that barely compress; deflating them cost a third of the server's time
# with 50 sessions (py-spy), for a few per cent fewer bytes on loopback or a classroom LAN.
UVICORN_OPTIONS = {"ws_per_message_deflate": False}


def uvicorn_options(settings: Settings) -> dict[str, object]:
    """UVICORN_OPTIONS, and the WebSocket protocol's own cap on a message (it closes the socket, code 1009)."""
    return {**UVICORN_OPTIONS, "ws_max_size": settings.max_frame_bytes}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="backprop-lab", description="Serve Backprop Lab.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--db", default=str(default_db_path()),
                        help="the SQLite file that keeps sessions across restarts (default: %(default)s)")
    parser.add_argument("--reload", action="store_true", help="restart when the code changes (development)")
    args = parser.parse_args(argv)
    local = "127.0.0.1" if args.host in EVERY_ADDRESS else url_host(args.host)
    print(f"Backprop Lab: open http://{local}:{args.port}/ in a browser (Ctrl+C stops it)", flush=True)
    network = serving(args.host)
    if network["addresses"]:
        print(f"Students join at http://{url_host(network['addresses'][0])}:{args.port}/ "
              "(the page's 'Join code' button shows the link and its QR code)", flush=True)
    if network["advice"]:
        print(network["advice"], flush=True)
    print(f"Sessions are kept in {args.db}", flush=True)
    if args.reload:
        uvicorn.run("server.app:create_app", factory=True, host=args.host, port=args.port, reload=True,
                    **uvicorn_options(Settings()))
    else:
        settings = Settings(host=args.host, port=args.port, db=args.db)
        uvicorn.run(create_app(settings), host=args.host, port=args.port, **uvicorn_options(settings))


if __name__ == "__main__":
    main()
