"""Static assets served by the app itself (no CDN), under fingerprinted URLs so phones cache them for good."""

import hashlib
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from app.errors import NotFound

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml",
               ".png": "image/png", ".ico": "image/x-icon", ".webmanifest": "application/manifest+json"}

router = APIRouter()


@lru_cache
def fingerprint(name: str) -> str:
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]


def url(name: str) -> str:
    return f"/static/{fingerprint(name)}/{name}"


@router.get("/static/{version}/{name:path}", include_in_schema=False)
def static_file(version: str, name: str) -> FileResponse:
    if "\x00" in name:  # no file has one, and the file system refuses to look it up (ValueError)
        raise NotFound()
    path = (STATIC_DIR / name).resolve()
    if STATIC_DIR not in path.parents or not path.is_file() or path.suffix not in MEDIA_TYPES:
        raise NotFound()
    # A stale fingerprint still gets the file, but must not be cached for long.
    cache = "public, max-age=31536000, immutable" if version == fingerprint(name) else "no-cache"
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers={"Cache-Control": cache})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    """Browsers ask for /favicon.ico by themselves (pages link the SVG icon): an answer, not a 404."""
    return FileResponse(STATIC_DIR / "favicon.ico", media_type=MEDIA_TYPES[".ico"],
                        headers={"Cache-Control": "public, max-age=86400"})
