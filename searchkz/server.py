"""``searchkz serve``: the JSON API and the search page, a thin layer over :class:`searchkz.api.Index`.

Starlette routes, run by uvicorn.  Every endpoint is a GET that calls one ``Index``
method and returns its result as JSON; errors are JSON ``{"error": ...}`` with a
status code (400 bad request, 404 unknown id or path, 503 no usable index), never a
stack trace.  The page (``searchkz/web/``) is static files that call the same API.
Read-only: nothing here writes to the index.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from searchkz.api import Index
from searchkz.errors import DocumentNotFoundError, IndexCorruptError, IndexNotFoundError, QueryError, SearchkzError
from searchkz.workers import Indexes, doc_count

WEB_DIR = Path(__file__).resolve().parent / "web"
MAX_LIMIT = 100  # hits per page
MAX_OFFSET = 1_000  # the deepest hit a page may start at
BY_CHOICES = ("day", "week", "month", "year", "source")
SORT_CHOICES = ("relevance", "date", "-date")
THREADS = 4  # "thread" access: threads, each with its own Index (searchkz.workers.Indexes)

# the page runs only its own files: a second guard besides escaping every article text
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     b"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


class JSON(JSONResponse):
    """UTF-8 JSON with Kazakh letters as they are; dates and other values as strings."""

    def render(self, content) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=str, separators=(",", ":")).encode("utf-8")


def _status(exc: Exception) -> int:
    if isinstance(exc, DocumentNotFoundError):
        return 404
    if isinstance(exc, (IndexNotFoundError, IndexCorruptError)):
        return 503
    if "Timeout" in type(exc).__name__:
        return 503
    return 400


def _error(status: int, message: str) -> JSON:
    return JSON({"error": message, "status": status}, status_code=status)


def _int(request: Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        raise QueryError(f"{name} must be a whole number from {lo} to {hi}")
    return value


def _choice(request: Request, name: str, default: str, choices) -> str:
    value = request.query_params.get(name) or default
    if value not in choices:
        raise QueryError(f"{name} must be one of: {', '.join(choices)}")
    return value


def _required(request: Request, name: str) -> str:
    value = request.query_params.get(name, "").strip()
    if not value:
        raise QueryError(f"missing parameter {name!r}")
    return value


def _opt(request: Request, name: str) -> str | None:
    return request.query_params.get(name) or None


def hit_to_dict(hit) -> dict:
    d = hit.to_dict()
    d.pop("type", None)
    d["title_highlights"] = [list(s) for s in hit.title_highlights]
    return d


def run_search(ix: Index, query: str, limit: int, offset: int, since, until, sort: str, source, collapse: bool) -> dict:
    """One page of hits as JSON."""
    result = ix.search(query, limit=limit, offset=offset, since=since, until=until, sort=sort, source=source,
                       collapse=collapse)  # (the time budget as in the CLI)
    return {
        "query": result.query,
        "total": result.total,
        "groups": result.groups,
        "offset": offset,
        "limit": limit,
        "seconds": round(result.seconds, 4),
        "suggestion": result.suggestion,
        "notices": list(result.notices),
        "partial": result.partial,
        "hits": [hit_to_dict(h) for h in result],
    }


def article_with_highlights(ix: Index, doc_id: str, query: str | None) -> dict:
    """One article as JSON, the words ``query`` matched marked in its text and title."""
    doc = ix.get(doc_id)
    if doc is None:
        raise DocumentNotFoundError(f"no article with id {doc_id!r}")
    spans = ix.highlight(doc.text, query) if query else []
    tspans = ix.highlight(doc.title, query) if query else []
    return doc.to_dict(spans, tspans)


def similar_hits(ix: Index, doc_id: str, limit: int) -> dict:
    return {"id": doc_id, "hits": [hit_to_dict(h) for h in ix.similar(doc_id, limit=limit)]}


def facet_counts(ix: Index, query: str, by: str, since, until, source) -> dict:
    return ix.facets(query, by=by, since=since, until=until, source=source).to_dict()


def index_stats(ix: Index) -> dict:
    return ix.stats()


def create_app(index_path=None, access: str = "lock", processes: int = 0) -> "SecurityHeaders":
    """The ASGI app over the index at ``index_path``; ``access``: "lock" (one shared :class:`Index`,
    one request at a time) or "thread" (``THREADS`` threads, each with its own); ``processes`` > 1:
    that many worker processes instead, each with its own :class:`Index`."""
    indexes = Indexes(index_path, 1 if access == "lock" else THREADS, processes if processes > 1 else 0)

    def endpoint(work):
        """An endpoint: the request's parameters read, its index work queued (:class:`Indexes`);
        errors become JSON, never a trace."""

        async def handle(request: Request):
            try:
                return JSON(await work(request))
            except HTTPException as exc:
                return _error(exc.status_code, str(exc.detail))
            except SearchkzError as exc:
                return _error(_status(exc), str(exc))
            except Exception as exc:  # a bug: one line for the client, the trace on the server's log
                logging.getLogger("searchkz.server").exception("error answering %s", request.url.path)
                return _error(500, f"internal error ({type(exc).__name__})")

        return handle

    async def search(request: Request) -> dict:
        query = _required(request, "q")
        limit = _int(request, "limit", 10, 1, MAX_LIMIT)
        page = _int(request, "page", 1, 1, MAX_OFFSET // limit + 1)
        offset = _int(request, "offset", (page - 1) * limit, 0, MAX_OFFSET)
        since, until, source = _opt(request, "since"), _opt(request, "until"), _opt(request, "source")
        sort = _choice(request, "sort", "relevance", SORT_CHOICES)
        collapse = request.query_params.get("all", "") not in ("1", "true", "yes")
        return await indexes.run(run_search, query, limit, offset, since, until, sort, source, collapse)

    async def article(request: Request) -> dict:
        return await indexes.run(article_with_highlights, _required(request, "id"), _opt(request, "q"))

    async def similar(request: Request) -> dict:
        return await indexes.run(similar_hits, _required(request, "id"), _int(request, "limit", 10, 1, MAX_LIMIT))

    async def facets(request: Request) -> dict:
        query = _required(request, "q")
        by = _choice(request, "by", "month", BY_CHOICES)
        since, until, source = _opt(request, "since"), _opt(request, "until"), _opt(request, "source")
        return await indexes.run(facet_counts, query, by, since, until, source)

    async def stats(request: Request) -> dict:
        return await indexes.run(index_stats)

    async def health(request: Request):
        try:
            docs = await indexes.run(doc_count)
        except SearchkzError as exc:
            return JSON({"status": "unavailable", "error": str(exc)}, status_code=503)
        except Exception as exc:  # a bug: JSON as from every endpoint, the trace on the server's log
            logging.getLogger("searchkz.server").exception("error answering /api/health")
            return JSON({"status": "unavailable", "error": f"internal error ({type(exc).__name__})"}, status_code=500)
        return JSON({"status": "ok", "documents": docs})

    def page(request: Request):
        return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")

    async def not_found(request: Request, exc: HTTPException):
        return _error(exc.status_code, "no such page" if exc.status_code == 404 else str(exc.detail))

    routes = [
        Route("/", page),
        Route("/api/search", endpoint(search)),
        Route("/api/article", endpoint(article)),
        Route("/api/similar", endpoint(similar)),
        Route("/api/facets", endpoint(facets)),
        Route("/api/timeline", endpoint(facets)),
        Route("/api/stats", endpoint(stats)),
        Route("/api/health", health),
        Mount("/static", StaticFiles(directory=WEB_DIR), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: not_found})
    app.state.indexes = indexes
    return SecurityHeaders(app)


class SecurityHeaders:
    """ASGI middleware: the security headers on every response."""

    def __init__(self, app) -> None:
        self.app = app

    def __getattr__(self, name):  # app.state, app.routes, ... for tests
        return getattr(self.app, name)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def serve(index_path=None, host: str = "127.0.0.1", port: int = 8000, access: str = "lock", workers: int = 1,
          echo=print) -> None:
    """Check that the index exists, then serve it until interrupted (``workers`` > 1: that many
    search processes behind the one server, :class:`Indexes`)."""
    import uvicorn

    path = Index(index_path).path
    with Index(path) as ix:
        ix.doc_count()  # (no index, a file, an unreadable or damaged one: one line, before serving)
    _check_address(host, port)
    shown = f"[{host}]" if ":" in host else host
    echo(f"searchkz: serving {path} at http://{shown}:{port}/ (read-only; Ctrl+C stops)")
    app = create_app(path, access, workers)
    if workers <= 1:
        threading.Thread(target=_warm, args=(app.state.indexes,), daemon=True).start()
    uvicorn.run(app, **uvicorn_options(host, port))


def uvicorn_options(host: str, port: int) -> dict:
    """How uvicorn serves the app: no websockets (the import alone costs ~0.1 s) and no lifespan
    events, the app has neither; connections by :class:`searchkz.connections.GuardedProtocol`."""
    from searchkz.connections import GuardedProtocol

    return {"host": host, "port": port, "log_level": "warning", "access_log": False, "ws": "none",
            "lifespan": "off", "http": GuardedProtocol}


def _check_address(host: str, port: int) -> None:
    """Fail with one line when the address cannot be listened on (uvicorn would log and exit 1)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(infos[0][4])
    except OSError as exc:
        raise SearchkzError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _warm(indexes) -> None:
    """Open the index in the background so the first search does not pay for it."""
    try:
        indexes.call(doc_count)
    except Exception:
        pass  # the request that needs it reports the problem
