"""The page's files, served from memory (server/pagefiles.py): the bytes on disk, revalidated by ETag, an edited
file served fresh, and nothing outside static/ ever, whatever the path says."""

from __future__ import annotations

import asyncio
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
from liveserver import LiveServer

from server.folders import page_folder
from server.pagefiles import PageFiles

STATIC = page_folder("static")


def raw_get(live: LiveServer, target: str) -> int:
    """The status of a GET whose path goes to the server exactly as written (clients tidy '..' away)."""
    host, port = live.http.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        head = conn.recv(4096).decode("latin-1")
    return int(head.split(" ", 2)[1])


def test_every_file_is_served_as_it_is_on_disk_with_its_type(live: LiveServer):
    for path, kind in (("js/app.js", "text/javascript"), ("css/app.css", "text/css")):
        response = httpx.get(f"{live.http}/static/{path}")
        assert response.status_code == 200
        assert response.content == (STATIC / path).read_bytes()
        assert response.headers["content-type"].startswith(kind)
        assert response.headers["cache-control"] == "no-cache"  # no version asked: revalidated every time


def test_an_address_with_the_files_version_is_kept_for_good_and_any_other_is_revalidated(live: LiveServer):
    version = httpx.get(f"{live.http}/static/js/app.js").headers["etag"].strip('"')[:16]
    kept = httpx.get(f"{live.http}/static/js/app.js?v={version}")
    assert kept.status_code == 200 and kept.content == (STATIC / "js/app.js").read_bytes()
    assert kept.headers["cache-control"] == "public, max-age=31536000, immutable"
    for stale in ("0123456789abcdef", "", version[:8], version + "0"):  # an older page's, or a made-up one
        other = httpx.get(f"{live.http}/static/js/app.js?v={stale}")
        assert other.status_code == 200 and other.headers["cache-control"] == "no-cache", stale


def test_a_page_that_has_the_file_gets_304_without_a_body(live: LiveServer):
    first = httpx.get(f"{live.http}/static/js/app.js")
    again = httpx.get(f"{live.http}/static/js/app.js", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = httpx.get(f"{live.http}/static/js/app.js", headers={"if-none-match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_head_gives_the_length_and_no_body_and_other_methods_are_refused(live: LiveServer):
    head = httpx.head(f"{live.http}/static/js/app.js")
    assert head.status_code == 200
    assert int(head.headers["content-length"]) == (STATIC / "js/app.js").stat().st_size
    post = httpx.post(f"{live.http}/static/js/app.js", content=b"x")
    assert post.status_code == 405 and post.headers["allow"] == "GET, HEAD"


def test_nothing_outside_static_is_ever_served(live: LiveServer):
    assert (STATIC.parent / "pyproject.toml").exists() or (STATIC.parent / "__init__.py").exists()
    for target in ("/static/../pyproject.toml", "/static/js/../../pyproject.toml", "/static/%2e%2e/pyproject.toml",
                   "/static/..%2fpyproject.toml", "/static/js/..%5c..%5cpyproject.toml", "/static//etc/passwd",
                   "/static/", "/static/js", "/static/js/nothing.js", "/static/js/app.js%00.css"):
        assert raw_get(live, target) in (404, 400), target
    assert raw_get(live, "/static/js/app.js") == 200


def test_an_edited_file_is_served_fresh_and_a_link_out_is_refused(tmp_path: Path):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "a.js").write_text("export const a = 1;\n")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", folder / "out.txt")
    files = PageFiles(folder)

    def get(path: str) -> tuple[int, bytes]:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        async def receive() -> dict:
            return {"type": "http.request", "body": b""}

        scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
        # A thread of its own: the browser tests' event loop may be running in this one.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, files(scope, receive, send)).result()
        return sent[0]["status"], sent[1]["body"]

    assert get("/a.js") == (200, b"export const a = 1;\n")
    first_url = files.url("a.js")
    (folder / "a.js").write_text("export const a = 22;\n")  # another size: noticed even within one mtime tick
    assert get("/a.js") == (200, b"export const a = 22;\n")
    assert files.url("a.js") != first_url  # the page links the new bytes by a new address: no cache keeps the old
    assert get("/out.txt")[0] == 404
