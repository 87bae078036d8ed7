"""The `/app` router: the pages and their static files, each with the pages' security headers.

Only files that ship in `static/` are served (read once, when the router is built),
so no request path can reach anything else. Pages are plain HTML with ES modules; nothing is
built at run time and nothing comes from a CDN.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from edtech.kernel.errors import NotFoundError
from edtech.web.csp import APP_CSP

STATIC = Path(__file__).parent / "static"

PAGES = {
    "": "index.html",
    "board": "board.html",
    "parent": "parent.html",
    "office": "office.html",
    "invitation": "invitation.html",
    "reset-password": "reset-password.html",
    "forgot-password": "forgot-password.html",
    "confirm-email": "confirm-email.html",
    "sso/callback": "sso-callback.html",
}
"""Page paths under `/app/` (the identity slice mails links to invitation, reset-password and
confirm-email; an OpenID provider sends the browser back to sso/callback)."""

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".json": "application/json",
}

# The page policy, and no Referer (the mailed links carry tokens), on the node itself so that a
# node serves the pages safely without Caddy; Caddy adds its other security headers in front.
HEADERS = {
    "Content-Security-Policy": APP_CSP,
    "Referrer-Policy": "no-referrer",
    # Pages and modules change with each deployment: revalidate, never serve a stale SDK.
    "Cache-Control": "no-cache",
}


def _files(root: Path) -> dict[str, tuple[bytes, str]]:
    """Every servable file's content and media type, read once (they are small, and an async
    route must not read files)."""
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), MEDIA_TYPES[path.suffix])
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.suffix in MEDIA_TYPES
    }


def build_router(root: Path = STATIC) -> APIRouter:
    """The router serving `root` at `/app/` (pages by their path, assets by their file name)."""
    files = _files(root)
    router = APIRouter(include_in_schema=False)

    @router.get("/app")
    async def app_root() -> RedirectResponse:
        return RedirectResponse("/app/", status_code=308)

    @router.get("/app/{path:path}")
    async def page(path: str) -> Response:
        name = PAGES.get(path.rstrip("/"), path)
        found = files.get(name)
        if found is None:
            raise NotFoundError("No such page.")
        content, media_type = found
        return Response(content, media_type=media_type, headers=HEADERS)

    return router
