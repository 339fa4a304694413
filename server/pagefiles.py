"""The page's own files (``static/``), served from memory.

A first visit loads about 50 modules at once. Starlette's ``StaticFiles`` stats and reads every file through the
thread pool, about 2 ms a request here, so the modules arrived over a quarter of a second while the page waited
(issue 8, bench/browser.py's first drawn frame). The files are small (about 0.5 MB in all), so each is read once
and kept with its ETag; a stat per request notices an edited file, so development needs no restart.

The page links every file by an address that names its contents (``/static/js/app.js?v=<digest>``, and an
import map for the modules' imports of each other), and such an address is kept by the browser for good.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from starlette.types import Receive, Scope, Send

# An address with the file's version names those bytes for good, so the browser keeps it a year without asking.
# Asked to revalidate instead, a second visit sent 51 requests for 304s, nine round trips on HTTP/1.1's six
# connections: 318-380 ms to the first drawn frame, 257-264 ms kept (loopback; over a classroom's Wi-Fi each
# round trip costs more). Any other address of a file (no version, or an older one) is revalidated every time,
# by its ETag.
KEPT = b"public, max-age=31536000, immutable"
REVALIDATED = b"no-cache"
MAX_FILE_BYTES = 4 << 20  # a bound on what one file may add to memory; the page's largest is about 60 KB
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".json": "application/json",
         ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2", ".txt": "text/plain; charset=utf-8"}


@dataclass(frozen=True)
class PageFile:
    stamp: tuple[int, int]  # (mtime_ns, size): what says the file on disk changed
    body: bytes
    version: str  # of the contents: the ?v= of the address the page links it by
    etag: bytes
    content_type: bytes


class PageFiles:
    """An ASGI app for GET and HEAD of the files under ``folder``; nothing outside it is ever opened."""

    def __init__(self, folder: Path, at: str = "/static") -> None:
        self.folder = folder.resolve()
        self.at = at  # where the app mounts it: the addresses url() gives start with it
        self.files: dict[str, PageFile] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        if scope["method"] not in ("GET", "HEAD"):
            await respond(send, 405, b"Method Not Allowed", [(b"allow", b"GET, HEAD")])
            return
        path, mount = scope["path"], scope.get("root_path", "")
        # Starlette's Mount puts "/static" (after any proxy prefix) into root_path and leaves the full path.
        found = self.lookup(path[len(mount):] if mount and path.startswith(mount) else path)
        if found is None:
            await respond(send, 404, b"Not Found")
            return
        version = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [""])[0]
        headers = [(b"etag", found.etag), (b"cache-control", KEPT if version == found.version else REVALIDATED)]
        asked = dict(scope["headers"]).get(b"if-none-match", b"")
        if found.etag in (tag.strip() for tag in asked.split(b",")):
            await respond(send, 304, b"", headers)
            return
        headers.append((b"content-type", found.content_type))
        await respond(send, 200, b"" if scope["method"] == "HEAD" else found.body, headers, len(found.body))

    def url(self, relative: str) -> str:
        """The address the page links a file by: ``relative`` (under the folder) with its contents' version."""
        found = self.lookup(relative)
        if found is None:
            raise FileNotFoundError(f"{self.folder / relative}: not a page file")
        return f"{self.at}/{relative}?v={found.version}"

    def module_addresses(self) -> dict[str, str]:
        """Every module of the page (``js/*.js``): its plain address, as the modules import each other
        ("./name.js" resolves to /static/js/name.js), to the address with its version."""
        modules = sorted(path.name for path in (self.folder / "js").glob("*.js"))
        return {f"{self.at}/js/{name}": self.url(f"js/{name}") for name in modules}

    def lookup(self, path: str) -> PageFile | None:
        relative = path.lstrip("/")
        if not relative or "\\" in relative or "\0" in relative:
            return None
        full = (self.folder / relative).resolve()
        if not full.is_relative_to(self.folder):  # "..", or a link that leads out
            return None
        try:
            stat = full.stat()
        except OSError:
            return None
        if not full.is_file() or stat.st_size > MAX_FILE_BYTES:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self.files.get(relative)
        if cached is not None and cached.stamp == stamp:
            return cached
        try:
            body = full.read_bytes()
        except OSError:
            return None
        kind = TYPES.get(full.suffix) or mimetypes.guess_type(full.name)[0] or "application/octet-stream"
        digest = hashlib.sha256(body).hexdigest()
        self.files[relative] = PageFile(stamp, body, digest[:16], f'"{digest[:32]}"'.encode(), kind.encode())
        return self.files[relative]


async def respond(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None,
                  length: int | None = None) -> None:
    size = len(body) if length is None else length
    await send({"type": "http.response.start", "status": status,
                "headers": [*(headers or []), (b"content-length", str(size).encode())] if status != 304
                else (headers or [])})
    await send({"type": "http.response.body", "body": body})


def import_map(addresses: dict[str, str]) -> str:
    """The page's import map of these addresses, JSON safe inside a <script>."""
    return json.dumps({"imports": addresses}, indent=1).replace("<", "\\u003c")
