"""``backprop-lab`` / ``python -m server``: serve the app with uvicorn."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit, urlunsplit

import uvicorn

from .app import create_app, freeze_startup_objects
from .network_addresses import EVERY_ADDRESS, serving, url_host
from .settings import Settings
from .storage import default_db_path
from .workers import own_port, serve_worker, supervise

# Frames are mostly float bytes that barely compress; deflating them cost a third of the server's time
# with 50 sessions (py-spy), for a few per cent fewer bytes on loopback or a classroom LAN.
# A request's head (its line and headers) is held at most this long while it arrives. h11's own default, 16 KB,
# applied only when the bytes came in several reads: a 60 KB link to /api/qr got its plain refusal on a quiet
# machine and a cut connection on a loaded one. 64 KB a connection, read before any of our code runs.
MAX_REQUEST_HEAD_BYTES = 64 * 1024
UVICORN_OPTIONS = {"ws_per_message_deflate": False, "h11_max_incomplete_event_size": MAX_REQUEST_HEAD_BYTES}


def uvicorn_options(settings: Settings) -> dict[str, object]:
    """UVICORN_OPTIONS, and the WebSocket protocol's own cap on a message (it closes the socket, code 1009)."""
    return {**UVICORN_OPTIONS, "ws_max_size": settings.max_frame_bytes}


def serve(settings: Settings, **options: object) -> None:
    """One server process, as ``backprop-lab`` runs it (bench/ starts its servers the same way)."""
    app = create_app(settings)
    freeze_startup_objects()
    uvicorn.run(app, host=settings.host, port=settings.port, **uvicorn_options(settings), **options)  # type: ignore[arg-type]


def redacted(url: str) -> str:
    """The Redis URL without its password, for the log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{parts.hostname}:{parts.port}"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="backprop-lab", description="Serve Backprop Lab.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    parser.add_argument("--db", default=str(default_db_path()),
                        help="the SQLite file that keeps sessions across restarts (default: %(default)s)")
    parser.add_argument("--reload", action="store_true", help="restart when the code changes (development)")
    parser.add_argument("--redis", default=None, metavar="redis://HOST:PORT/DB",
                        help="keep sessions in this Redis (not --db), shared by every worker on every machine "
                             "pointed at it (docs/scaling.md; needs the [redis] extra)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes on this machine, sharing --port (more than one needs --redis)")
    parser.add_argument("--worker-index", type=int, default=None, help=argparse.SUPPRESS)  # set by the parent
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers: at least 1")
    if args.workers > 1 and not args.redis:
        parser.error("--workers: several workers share their sessions through Redis; give --redis redis://HOST:PORT/0")
    if args.redis and args.reload:
        parser.error("--reload: not with --redis")
    if args.redis:
        try:
            import redis  # noqa: F401
        except ImportError:
            parser.error("--redis: needs the redis client: pip install 'backprop-lab[redis]'")
    if args.worker_index is not None:  # one of the parent's workers (server/workers.py)
        settings = Settings(host=args.host, port=args.port, redis=args.redis)
        serve_worker(settings, args.worker_index, uvicorn_options(settings))
        return
    local = "127.0.0.1" if args.host in EVERY_ADDRESS else url_host(args.host)
    print(f"Backprop Lab: open http://{local}:{args.port}/ in a browser (Ctrl+C stops it)", flush=True)
    network = serving(args.host)
    if network["addresses"]:
        print(f"Students join at http://{url_host(network['addresses'][0])}:{args.port}/ "
              "(the page's 'Join code' button shows the link and its QR code)", flush=True)
    if network["advice"]:
        print(network["advice"], flush=True)
    if args.redis:
        print(f"Sessions are kept in Redis at {redacted(args.redis)}", flush=True)
    else:
        print(f"Sessions are kept in {args.db}", flush=True)
    if args.workers > 1:
        print(f"{args.workers} workers share port {args.port}; each also answers on its own port, "
              f"{own_port(args.port, 0)} to {own_port(args.port, args.workers - 1)}", flush=True)
        supervise(["--host", args.host, "--port", str(args.port), "--redis", args.redis], args.workers)
    elif args.reload:
        uvicorn.run("server.app:create_app", factory=True, host=args.host, port=args.port, reload=True,
                    **uvicorn_options(Settings()))
    else:
        serve(Settings(host=args.host, port=args.port, db=None if args.redis else args.db, redis=args.redis))


if __name__ == "__main__":
    main()
