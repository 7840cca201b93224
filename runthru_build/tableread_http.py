"""The table read's HTTP endpoints, under ``/_tableread/`` (serve.py dispatches here once the PIN
gate and its cross-site check have let the request through).

```
GET  /_tableread/?production=<slug>     {"code": ... or null}: is a read of this play on?
POST /_tableread/start                  {"production", "name", "audio"} -> {"token", "state"}
GET  /_tableread/<code>                 who holds which part (for the join screen)
POST /_tableread/<code>/join            {"name"} -> {"token", "state"}
GET  /_tableread/<code>/state?since=V   long-poll (X-Tableread-Token): the state once newer than V
POST /_tableread/<code>/act             {"action", "arg"} (X-Tableread-Token) -> {"state"}
GET  /_tableread/<code>/qr.svg          the join link as a QR code
```

A POST must be JSON (``Content-Type: application/json``, which no other site's form can send
without the browser asking first); every answer is JSON and never cached.
"""

from __future__ import annotations

import functools
import io
import json
import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, urlsplit

from .livereload import polled_version
from .tableread import CODE, TableReadError, TableReads

if TYPE_CHECKING:
    from .serve import Handler

PREFIX = "/_tableread/"
PAGE = "tableread.html"
"""Each production's table-read page (site.py writes it beside the list of parts)."""
_HOST = re.compile(r"[A-Za-z0-9.\-:\[\]]{1,255}")


def join_url(handler: Handler, production: str, code: str) -> str:
    """The link a phone opens to join: this server as the host's browser reached it."""
    host = handler.headers.get("Host", "").strip()
    if not _HOST.fullmatch(host):
        address, port = handler.server.server_address[:2]
        host = f"{address}:{port}"
    scheme = "https" if handler.is_https() else "http"
    return f"{scheme}://{host}/{quote(production)}/{PAGE}?join={quote(code)}"


@functools.lru_cache(maxsize=32)
def qr_svg(url: str) -> bytes:
    """The join link as an SVG QR code (made once per link)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False, dark="#1d1b18",
                                    light="#ffffff")
    return out.getvalue()


def handle(handler: Handler, reads: TableReads, path: str) -> None:
    """Answer one request for ``/_tableread/<path>``."""
    try:
        status, body, content_type = _route(handler, reads, path)
    except TableReadError as exc:
        status, body, content_type = exc.status, _json({"error": str(exc)}), "application/json"
    handler._send(status, body, content_type)


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _body(handler: Handler) -> dict[str, Any]:
    if handler.body_too_large:
        raise TableReadError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request too large")
    if handler.headers.get("Content-Type", "").split(";")[0].strip().lower() != "application/json":
        raise TableReadError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send JSON")
    try:
        data = json.loads(handler.body or b"{}")
    except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested deeper than Python recurses
        raise TableReadError(HTTPStatus.BAD_REQUEST, "not JSON") from None
    if not isinstance(data, dict):
        raise TableReadError(HTTPStatus.BAD_REQUEST, "send a JSON object")
    return data


def _route(handler: Handler, reads: TableReads, path: str) -> tuple[int, bytes, str]:
    method = handler.command if handler.command != "HEAD" else "GET"
    parts = path.split("/")
    token = handler.headers.get("X-Tableread-Token", "").strip() or None
    query = parse_qs(urlsplit(handler.path).query)
    ok = HTTPStatus.OK
    if path == "" and method == "GET":
        read = reads.for_production(query.get("production", [""])[0])
        return ok, _json({"code": read.code if read else None}), "application/json"
    if path == "start" and method == "POST":
        data = _body(handler)
        read, host = reads.start(str(data.get("production", "")), data.get("name"), str(data.get("audio", "room")),
                                 handler.client_id())
        return HTTPStatus.CREATED, _json({"token": host.token, "state": reads.view(read, host)}), "application/json"
    if not parts or not CODE.fullmatch(parts[0].upper()) or len(parts) > 2:
        raise TableReadError(HTTPStatus.NOT_FOUND, "not found")
    code, what = parts[0].upper(), parts[1] if len(parts) > 1 else ""
    if what == "" and method == "GET":
        return ok, _json(reads.view(reads.get(code))), "application/json"
    if what == "join" and method == "POST":
        read, me = reads.join(code, _body(handler).get("name"), handler.client_id())
        return HTTPStatus.CREATED, _json({"token": me.token, "state": reads.view(read, me)}), "application/json"
    if what == "state" and method == "GET":
        return ok, _json(reads.wait(code, token, polled_version(query))), "application/json"
    if what == "act" and method == "POST":
        data = _body(handler)
        read, me = reads.act(code, token, str(data.get("action", "")), data.get("arg"))
        return ok, _json({"state": reads.view(read, me)}), "application/json"
    if what == "qr.svg" and method == "GET":
        read = reads.get(code)
        return ok, qr_svg(join_url(handler, read.production, read.code)), "image/svg+xml"
    raise TableReadError(HTTPStatus.NOT_FOUND if method == "GET" else HTTPStatus.METHOD_NOT_ALLOWED, "not found")
