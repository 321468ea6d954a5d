"""`/openapi.json`, `/docs` (Swagger UI) and `/redoc` for the whole platform, with local assets.

The document is rebuilt from the services at most once a minute. Viewer assets come from the
folder `make install` fills (DOCS_ASSETS_DIR), so the pages work with no internet access.
"""

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import structlog
from litestar import Response, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from health.docs.merge import merge_documents
from health.docs.pages import REDOC_PAGE, SWAGGER_INIT, SWAGGER_PAGE
from shared.internal_calls import internal_urls
from shared.settings import Settings

log = structlog.get_logger("health.docs")
REFRESH_SECONDS = 60.0
ASSET_TYPES = {".js": "text/javascript", ".css": "text/css"}
ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js")


class MergedDocument:
    """The merged document, fetched from each service's own and kept for a minute."""

    def __init__(self, settings: Settings) -> None:
        self._services = internal_urls(settings)
        self._timeout = settings.health_check_timeout
        self._built_at = float("-inf")
        self._document: dict[str, Any] | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> dict[str, Any]:
        """The merged document, rebuilt when older than a minute."""
        async with self._lock:
            if self._document is None or time.monotonic() - self._built_at > REFRESH_SECONDS:
                self._document = await self._build()
                self._built_at = time.monotonic()
            return self._document

    async def _build(self) -> dict[str, Any]:
        documents: dict[str, dict[str, Any]] = {}
        async with httpx.AsyncClient(timeout=self._timeout, trust_env=False) as client:
            for name, base_url in self._services.items():
                try:
                    response = await client.get(f"{base_url.rstrip('/')}/schema/openapi.json")
                    response.raise_for_status()
                    documents[name] = response.json()
                except (httpx.HTTPError, ValueError) as exc:
                    # Documented without it; the next build (a minute later) tries again.
                    log.warning("docs.service_unavailable", target=name, error=type(exc).__name__)
        return merge_documents(documents, title="The Logbook API")


def _require_docs(state: State) -> None:
    settings: Settings = state.settings
    if not settings.docs_enabled:
        raise NotFoundException


def _html(page: str) -> Response[str]:
    return Response(page, media_type="text/html; charset=utf-8")


@get("/openapi.json", include_in_schema=False)
async def openapi_document(state: State) -> dict[str, Any]:
    """The whole public API as one OpenAPI 3.1 document."""
    _require_docs(state)
    merged: MergedDocument | None = state.get("merged_docs")
    if merged is None:  # the first request builds it; later ones share its minute-long copy
        merged = state.merged_docs = MergedDocument(state.settings)
    return await merged.get()


@get("/docs", include_in_schema=False)
async def swagger_ui(state: State) -> Response[str]:
    """Swagger UI on the merged document."""
    _require_docs(state)
    return _html(SWAGGER_PAGE)


@get("/redoc", include_in_schema=False)
async def redoc(state: State) -> Response[str]:
    """Redoc on the merged document."""
    _require_docs(state)
    return _html(REDOC_PAGE)


@get("/docs/assets/{name:str}", include_in_schema=False)
async def docs_asset(state: State, name: FromPath[str]) -> Response[bytes]:
    """A viewer's script or stylesheet, from the local assets folder."""
    _require_docs(state)
    if name == "swagger-init.js":
        return Response(SWAGGER_INIT.encode(), media_type=ASSET_TYPES[".js"])
    if name not in ASSETS:
        raise NotFoundException
    settings: Settings = state.settings
    path = Path(settings.docs_assets_dir) / name
    if not path.is_file():
        log.warning("docs.asset_missing", path=str(path), hint="run `make install`")
        raise NotFoundException
    return Response(
        path.read_bytes(),
        media_type=ASSET_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=3600"},
    )


ROUTES = [openapi_document, swagger_ui, redoc, docs_asset]
