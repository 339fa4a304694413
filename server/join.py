"""The join code: a link to this server as a QR code (SVG), for the projector, so a class joins by scanning.

Only links to this page on this server are encoded (the address the page came from, or one the server
advertises in /api/options "network"), so the endpoint cannot be used to draw codes for other sites.
"""

from __future__ import annotations

import io
from typing import Annotated
from urllib.parse import urlsplit

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from .deps import get_settings
from .network_addresses import serving
from .settings import Settings

router = APIRouter()
SettingsDep = Annotated[Settings, Depends(get_settings)]

# A viewer link is about 60 characters. Longer text makes a denser code that a phone at the back of a room
# cannot resolve on a projected image, and this bounds the work one request may ask for.
MAX_URL_CHARS = 256
DEFAULT_PORTS = {"http": 80, "https": 443}


def refused(message: str) -> JSONResponse:
    return JSONResponse({"field": "url", "message": f"url: {message}"}, status_code=422)


def link_problem(url: str, request: Request, addresses: list[str]) -> str | None:
    """Why `url` is not a link to this page on this server, in plain words; None when it is."""
    if len(url) > MAX_URL_CHARS:
        return f"at most {MAX_URL_CHARS} characters (a longer link makes a code too dense to scan), got {len(url)}"
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return "expected a link to this server, starting http:// or https://"
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return "the link's port is not a number from 0 to 65535"
    own_port = request.url.port or DEFAULT_PORTS.get(request.url.scheme, 80)
    if parts.hostname not in {request.url.hostname, *addresses} or port != own_port:
        return "only links to this server (the address this page came from, or one it listens on) become a join code"
    if parts.path not in ("", "/") or parts.query or parts.username or parts.password:
        return "only links to this page ('/#session=…') become a join code"
    return None


@router.get("/api/qr")
async def join_code(request: Request, settings: SettingsDep) -> Response:
    url = request.query_params.get("url")
    if not url:
        return refused("give the link to encode: /api/qr?url=<link to this page>")
    network = await run_in_threadpool(serving, settings.host)  # resolves the host name: not on the event loop
    problem = link_problem(url, request, network["addresses"])
    if problem:
        return refused(problem)
    # Error correction M (15 %): a smudged projector still scans, and the code stays coarse enough for the back row.
    code = segno.make(url, error="m", micro=False)
    svg = io.BytesIO()
    code.save(svg, kind="svg", xmldecl=False, omitsize=True, border=4, title="Join code: scan to follow this session")
    return Response(svg.getvalue(), media_type="image/svg+xml", headers={"cache-control": "no-store"})
