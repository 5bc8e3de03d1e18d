"""The HTTP gate in front of every route of the service: request id, API key, upload limit, one log line.

:class:`RequestGate` is an ASGI middleware (``Fakeguard.add_asgi_middleware``), so it sees each
request before BentoML reads its body: an unauthenticated or oversized upload is refused without
being read. It is apart from :mod:`fakeguard.service.service` because none of it depends on
BentoML or the models, and it is tested in-process as well as through the running server.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from fakeguard.detectors.errors import MediaTooLarge

log = logging.getLogger("fakeguard.service.service")

#: Paths answered without the API key: probes and metrics (orchestrators and Prometheus carry no
#: key), the generated API docs, which describe the endpoints and hold no data, and the web page at
#: ``/ui/`` (static files: a browser cannot send a key with a page load, and the page holds no data;
#: the scoring calls it makes carry the key the user types into it).
PUBLIC_PATHS = frozenset({"/healthz", "/livez", "/readyz", "/metrics", "/", "/docs.json", "/schema.json", "/ui"})
PUBLIC_PREFIXES = ("/static_content/", "/assets/", "/ui/")
PROBE_PATHS = frozenset({"/healthz", "/livez", "/readyz", "/metrics"})

#: Room for the multipart envelope (boundaries, part headers, the ``heatmaps`` field) on top of the
#: file limit, so that a file just under ``FAKEGUARD_MAX_BYTES`` is judged by the intake's own check.
MULTIPART_ALLOWANCE = 64 * 1024

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@dataclass(frozen=True)
class GateSettings:
    """What :class:`RequestGate` enforces, read from the environment of each worker.

    Attributes:
        api_key: the key every non-public request must carry (``FAKEGUARD_API_KEY``); None: open.
        max_upload_bytes: the largest request body (``FAKEGUARD_MAX_UPLOAD_BYTES``; by default the
            intake's ``max_bytes`` plus :data:`MULTIPART_ALLOWANCE`).
    """

    api_key: str | None
    max_upload_bytes: int

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> GateSettings:
        from fakeguard.detectors.intake.limits import IntakeLimits

        env = os.environ if environ is None else environ
        raw = env.get("FAKEGUARD_MAX_UPLOAD_BYTES")
        if raw:
            try:
                limit = int(float(raw))
            except ValueError:
                limit = 0
            if limit <= 0:
                raise ValueError(f"FAKEGUARD_MAX_UPLOAD_BYTES must be a positive number of bytes, got {raw!r}")
        else:
            limit = IntakeLimits.from_env(env).max_bytes + MULTIPART_ALLOWANCE
        return cls(api_key=env.get("FAKEGUARD_API_KEY") or None, max_upload_bytes=limit)


def safe_name(filename: str | None) -> str:
    """The client's file name, fit for reports, logs and a temp-file suffix.

    Only the last path component is kept, control characters go, and the name is cut to its
    last 100 characters (the extension survives): BentoML appends it to a temporary file name,
    and a 300-character name would fail there as an internal error.
    """
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-100:] or "upload"


class _BodyTooLarge(Exception):
    """Raised from ``receive`` once a streamed body passes the limit; the gate answers 413."""


def _authorized(headers: dict[bytes, bytes], key: str) -> bool:
    """True when ``Authorization: Bearer <key>`` or ``X-API-Key: <key>`` carries the key.

    ``hmac.compare_digest`` takes the same time however much of a guess is right.
    """
    expected = key.encode()
    scheme, _, token = headers.get(b"authorization", b"").partition(b" ")
    if scheme.lower() == b"bearer" and hmac.compare_digest(token.strip(), expected):
        return True
    return hmac.compare_digest(headers.get(b"x-api-key", b"").strip(), expected)


def _json_message(status: int, body: dict[str, Any], request_id: str, close: bool = False) -> tuple[dict, dict]:
    payload = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"x-request-id", request_id.encode()),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="fakeguard"'))
    if close:  # the rest of the body is never read: tell the client this connection is done
        headers.append((b"connection", b"close"))
    start = {"type": "http.response.start", "status": status, "headers": headers}
    return start, {"type": "http.response.body", "body": payload, "more_body": False}


def too_large_body(size: int, maximum: int, streamed: bool) -> dict[str, Any]:
    """The 413 body for an upload over the request limit, shaped like ``MediaTooLarge.to_dict()``."""
    reason = (
        f"upload stopped after {size} bytes: over the limit of {maximum} bytes"
        if streamed
        else f"upload of {size} bytes is over the limit of {maximum} bytes"
    )
    error = MediaTooLarge("<upload>", reason, limit="max_upload_bytes", value=size, maximum=maximum)
    return error.to_dict()


class RequestGate:
    """ASGI middleware in front of every route: request id, API key, body limit, one log line.

    It runs before BentoML parses a form, so an unauthenticated or oversized upload is refused
    without being read: a ``Content-Length`` over the limit at once, a chunked body as soon as
    the bytes counted pass it. Inner code can put ``(status, body)`` in the request state under
    ``fakeguard_reply`` to have that answer sent instead of what BentoML produced (how a body cut
    off mid-parse becomes a 413), and every 500 leaves as ``{"error": "internal", "request_id"}``
    (the traceback is logged, never sent).
    """

    def __init__(self, app: Any, settings: GateSettings | None = None) -> None:
        self.app = app
        self.settings = settings or GateSettings.from_env()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["fakeguard_request_id"] = request_id
        path = scope.get("path", "")
        limit = self.settings.max_upload_bytes
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": 0, "bytes_in": 0, "error": None, "logged": False, "replaced": False}

        def finish() -> None:
            if not seen["logged"]:
                seen["logged"] = True
                _log_request(scope, state, request_id, seen, time.perf_counter() - started)

        async def answer(status: int, body: dict[str, Any], close: bool = False) -> None:
            start, message = _json_message(status, body, request_id, close)
            seen["status"], seen["error"] = status, body.get("error")
            await send(start)
            await send(message)
            finish()

        key = self.settings.api_key
        public = path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)
        if key and not public and not _authorized(headers, key):
            reason = "missing or wrong API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"
            await answer(401, {"error": "unauthorized", "reason": reason, "request_id": request_id}, close=True)
            return
        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0  # the HTTP server rejects a malformed length itself
        if declared > limit:
            await answer(413, too_large_body(declared, limit, streamed=False), close=True)
            return

        async def counted_receive() -> dict[str, Any]:
            message = await receive()
            if message["type"] == "http.request":
                seen["bytes_in"] += len(message.get("body", b""))
                if seen["bytes_in"] > limit:
                    state["fakeguard_reply"] = (413, too_large_body(seen["bytes_in"], limit, streamed=True))
                    raise _BodyTooLarge(f"request body over {limit} bytes")
            return message

        async def gated_send(message: dict[str, Any]) -> None:
            if seen["replaced"]:
                return  # an answer of ours went out instead; drop what the app still sends
            if message["type"] == "http.response.start":
                reply = state.get("fakeguard_reply")
                if reply is None and message["status"] == 500:
                    reply = (500, {"error": "internal", "request_id": request_id})
                if reply is not None:
                    seen["replaced"] = True
                    await answer(*reply, close=reply[0] == 413)
                    return
                seen["status"] = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", request_id.encode())]}
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                finish()  # logged when the answer is out, not after a task's background run

        try:
            await self.app(scope, counted_receive, gated_send)
        except Exception:
            if seen["status"]:
                raise
            log.exception("request %s failed before an answer was sent", request_id)
            reply = state.get("fakeguard_reply") or (500, {"error": "internal", "request_id": request_id})
            await answer(*reply, close=True)
        finally:
            finish()


def _log_request(scope: dict[str, Any], state: dict[str, Any], request_id: str, seen: dict, seconds: float) -> None:
    """One JSON line per request: id, endpoint, status, kind, verdict or error, and stage timings."""
    path = scope.get("path", "")
    outcome = state.get("fakeguard_outcome") or {}
    error = seen["error"] or outcome.get("error")  # the gate's own answer wins: it is what the client got
    record = {
        "event": "request",
        "request_id": request_id,
        "method": scope.get("method"),
        "endpoint": path,
        "status": seen["status"],
        "kind": outcome.get("kind"),
        "verdict": outcome.get("verdict"),
        "error": error,
        "bytes_in": seen["bytes_in"],
        "seconds": round(seconds, 4),
        "timings": outcome.get("timings"),
    }
    log.log(logging.DEBUG if path in PROBE_PATHS else logging.INFO, json.dumps(record))
