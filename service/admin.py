"""The watchlist's admin endpoints: list, enrol and remove protected people over HTTP.

Mounted on the service at ``/admin`` (:class:`WatchlistAdmin`, a small Starlette app),
so every request passes the :class:`~fakeguard.service.gate.RequestGate` first: the API
key, the upload limit, the request id and the log line. Enrolment stores biometric
embeddings and decides whom the service protects, so it must never be open: when the
service runs without an API key the endpoints answer 403 and do nothing.

``GET /admin/watchlist``
    ``{"people": [{"name", "enrolled_at", "faces", "voices"}, ...]}``.
``POST /admin/watchlist``
    multipart: ``name``, photos in ``photos`` and voice clips in ``voices`` (each
    repeatable, at least one file), optional ``replace=true``. 201 with ``{"person": ...}``.
    Enrolment is all or nothing (:func:`fakeguard.detectors.identity.enrol`): the uploads
    are written to a private temporary folder, removed when the request ends, and any
    refused file (no face, several faces, no speech, unreadable) gives 422 with every
    refused file and its reason, and nobody is enrolled.
``DELETE /admin/watchlist/{name}``
    ``{"removed": name, "embeddings_deleted": n}``; 404 for a name not enrolled.

Errors are JSON like the scoring endpoints' (``{"error": code, "reason": ...}``): 400
``bad_request``, 403 ``forbidden``, 404 ``no_watchlist`` (no ``FAKEGUARD_WATCHLIST``) or
``unknown_person``, 409 ``exists``, 422 ``refused``, 503 ``not_available`` (the speaker
encoder's weights are not installed). The scoring workers see a change at their next
report (:class:`~fakeguard.detectors.identity.WatchlistMatcher`).
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .gate import safe_name

log = logging.getLogger(__name__)

#: Most files one enrolment request may carry (photos and clips together).
MAX_FILES = 50


@dataclass(frozen=True)
class AdminSettings:
    """What the admin endpoints need, read from the worker's environment.

    Attributes:
        api_key: ``FAKEGUARD_API_KEY``; without one the endpoints refuse everything (403).
        watchlist: ``FAKEGUARD_WATCHLIST``, the watchlist's SQLite file; None: no watchlist (404).
    """

    api_key: str | None
    watchlist: str | None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AdminSettings:
        env = os.environ if environ is None else environ
        return cls(api_key=env.get("FAKEGUARD_API_KEY") or None, watchlist=env.get("FAKEGUARD_WATCHLIST") or None)


def _error(status: int, error: str, reason: str, **fields: Any) -> JSONResponse:
    return JSONResponse({"error": error, "reason": reason, **fields}, status_code=status)


@dataclass(frozen=True)
class _File:
    field: str
    name: str
    data: bytes


def _enrol(
    db: str, name: str, files: list[_File], replace: bool
) -> tuple[int, dict[str, Any]]:  # runs in a worker thread: dlib and the speaker encoder take seconds
    from fakeguard.detectors.identity.ge2e import SpeakerEncoderMissing
    from fakeguard.detectors.identity.watchlist import EnrolmentError, enrol
    from fakeguard.detectors.identity.watchlist_store import PersonExists, WatchlistError, WatchlistStore
    from fakeguard.detectors.intake.limits import IntakeLimits

    with tempfile.TemporaryDirectory(prefix="fakeguard-enrol-") as tmp:  # mode 0700: this user's only
        given: dict[str, str] = {}
        paths: dict[str, list[Path]] = {"photos": [], "voices": []}
        for i, f in enumerate(files):
            path = Path(tmp) / f.field / f"{i:03d}_{f.name}"  # numbered: two uploads may share a name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(f.data)
            given[str(path)] = f.name
            paths[f.field].append(path)
        try:
            with WatchlistStore(db) as store:
                person = enrol(
                    store,
                    name,
                    paths["photos"] or None,
                    paths["voices"] or None,
                    replace=replace,
                    limits=IntakeLimits.from_env(),
                )
        except EnrolmentError as exc:
            problems = [{"file": given.get(p.file, Path(p.file).name), "reason": p.reason} for p in exc.problems]
            reason = f"nothing was enrolled for {exc.name!r}: {len(problems)} file(s) refused"
            return 422, {"error": "refused", "reason": reason, "name": exc.name, "problems": problems}
        except PersonExists as exc:
            return 409, {"error": "exists", "reason": str(exc)}
        except SpeakerEncoderMissing as exc:
            return 503, {"error": "not_available", "reason": str(exc)}
        except WatchlistError as exc:
            return 400, {"error": "bad_request", "reason": str(exc)}
    return 201, {"person": person.to_dict()}


def _people(db: str) -> list[dict[str, Any]]:
    from fakeguard.detectors.identity.watchlist_store import WatchlistStore

    with WatchlistStore(db) as store:
        return [p.to_dict() for p in store.people()]


def _remove(db: str, name: str) -> tuple[int, dict[str, Any]]:
    from fakeguard.detectors.identity.watchlist_store import UnknownPerson, WatchlistError, WatchlistStore

    try:
        with WatchlistStore(db) as store:
            n = store.remove(name)
    except UnknownPerson as exc:
        return 404, {"error": "unknown_person", "reason": str(exc)}
    except WatchlistError as exc:
        return 400, {"error": "bad_request", "reason": str(exc)}
    return 200, {"removed": name.strip(), "embeddings_deleted": n}


class WatchlistAdmin:
    """The ASGI app of the admin endpoints (see the module docstring).

    Args:
        settings: fixed settings (tests); None reads :meth:`AdminSettings.from_env` at each
            request, so the app follows the worker's environment.
    """

    def __init__(self, settings: AdminSettings | None = None) -> None:
        self.settings = settings
        self.app = Starlette(
            routes=[
                Route("/watchlist", self.people, methods=["GET", "POST"]),
                Route("/watchlist/{name:path}", self.remove, methods=["DELETE"]),
            ]
        )

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)

    def _refusal(self) -> tuple[AdminSettings, JSONResponse | None]:
        settings = self.settings or AdminSettings.from_env()
        if not settings.api_key:
            reason = (
                "the watchlist admin endpoints are disabled because this service runs without an API key: "
                "start it with one (FAKEGUARD_API_KEY, or fakeguard serve --api-key-env NAME)"
            )
            return settings, _error(403, "forbidden", reason)
        if not settings.watchlist:
            reason = "this service has no watchlist: set FAKEGUARD_WATCHLIST to its SQLite file"
            return settings, _error(404, "no_watchlist", reason)
        return settings, None

    async def people(self, request: Request) -> JSONResponse:
        settings, refusal = self._refusal()
        if refusal is not None:
            return refusal
        assert settings.watchlist is not None
        if request.method == "GET":
            return JSONResponse({"people": await run_in_threadpool(_people, settings.watchlist)})
        return await self._add(request, settings.watchlist)

    async def _add(self, request: Request, db: str) -> JSONResponse:
        try:
            form = await request.form(max_files=MAX_FILES, max_fields=20)
        except Exception as exc:  # malformed multipart, too many files, or the gate's body limit
            return _error(400, "bad_request", f"the request body could not be read as a form: {exc}")
        try:
            name = form.get("name")
            if not isinstance(name, str) or not name.strip():
                return _error(400, "bad_request", "give the person's name in the 'name' field")
            files = []
            for field in ("photos", "voices"):
                for item in form.getlist(field):
                    if not isinstance(item, UploadFile):
                        return _error(400, "bad_request", f"the '{field}' field must hold uploaded files, not text")
                    files.append(_File(field, safe_name(item.filename), await item.read()))
            if not files:
                return _error(400, "bad_request", "no files: upload photos in 'photos' and/or voice clips in 'voices'")
            replace = str(form.get("replace", "")).lower() in {"1", "true", "yes", "on"}
        finally:
            await form.close()
        status, body = await run_in_threadpool(_enrol, db, name, files, replace)
        if status == 201:
            log.info("watchlist: enrolled %s (%s)", body["person"]["name"], db)
        return JSONResponse(body, status_code=status)

    async def remove(self, request: Request) -> JSONResponse:
        settings, refusal = self._refusal()
        if refusal is not None:
            return refusal
        assert settings.watchlist is not None
        status, body = await run_in_threadpool(_remove, settings.watchlist, request.path_params["name"])
        if status == 200:
            log.info("watchlist: removed %s (%s)", body["removed"], settings.watchlist)
        return JSONResponse(body, status_code=status)
