"""The operator dashboard: one static page at ``/`` and its files under ``/static/``, public.

The page holds no data and no secret. Everything it shows comes from ``/api`` with the
caller's key: the page asks for the key once (kept in the tab's ``sessionStorage``) and sends
it as ``Authorization: Bearer`` on every ``fetch``: JSON, images (fetched as blobs, shown
through object URLs) and the live feed (``/api/alarms/stream`` read as a fetch stream, not
``EventSource``, which cannot send the header). So no key ever travels in a URL or a cookie,
and with no key configured (loopback only) the page works without asking.

Files are served from the package (``service/api/static``, shipped as package data) through
Starlette's ``StaticFiles``, which refuses any path outside that folder; every answer carries
a strict Content-Security-Policy (scripts from this origin only, no inline script).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
"""The dashboard's files: ``index.html``, ``css/``, ``js/`` (ES modules, no build step)."""
STATIC_PREFIX = "/static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
"""Sent with the page and its files: the page may only talk to and load from this server."""
REVALIDATE = {"Cache-Control": "no-cache"}
"""Browsers keep the files but check them (ETag) each time: an upgrade shows at once."""

router = APIRouter(tags=["dashboard"], include_in_schema=False)


@cache
def _files() -> StaticFiles:
    return StaticFiles(directory=STATIC_DIR)


@router.get("/", response_class=FileResponse)
async def index() -> FileResponse:
    """The dashboard page."""
    return FileResponse(
        STATIC_DIR / "index.html",
        media_type="text/html; charset=utf-8",
        headers={**SECURITY_HEADERS, **REVALIDATE},
    )


@router.api_route(STATIC_PREFIX + "/{path:path}", methods=["GET", "HEAD"])
async def static_file(path: str, request: Request) -> Response:
    """A file of the dashboard (404 for anything else, as JSON like every error)."""
    response = await _files().get_response(path, request.scope)
    response.headers.update({**SECURITY_HEADERS, **REVALIDATE})
    return response
