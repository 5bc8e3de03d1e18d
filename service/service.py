"""The REST service: one BentoML class, :class:`Fakeguard`, in front of :class:`~fakeguard.detectors.api.Detector`.

    $ fakeguard serve                       # or: bentoml serve fakeguard.service.service:Fakeguard
    $ curl -F file=@clip.mp4 localhost:3000/score

Endpoints (all ``POST``, a multipart upload in the ``file`` field, optional ``heatmaps``):
``/score`` takes any kind; ``/score_image``, ``/score_audio`` and ``/score_video`` answer 415 when
the bytes hold another kind; ``/score_video_task`` is a BentoML task (``/submit``, ``/status``,
``/get``) for clips that take longer than a client wants to hold a connection. Each answers the
report of ``Report.to_dict()`` or an error as JSON: 413 too large, 415 unsupported, 422 corrupt
or undecodable in the time budget, 401 without the API key, 503 while the models load, 500 with
a ``request_id`` for a bug. The weights are the shipped safetensors, loaded once per worker.

A small web page for people, ``/ui/``, is mounted beside the API (:class:`WebPage`): static files
from ``service/web/`` that call ``/score`` from the browser.

With ``FAKEGUARD_WATCHLIST`` (an impersonation watchlist's SQLite file) every report is matched
against the protected people enrolled there, and ``/admin/watchlist`` lists, enrols and removes
them (:mod:`fakeguard.service.admin`; only with an API key, 403 without one).

What the HTTP layer adds sits in :class:`RequestGate`, an ASGI middleware that sees every request
before BentoML reads its body: the request id, the API key check, the upload size limit and the
one log line per request.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bentoml
from pydantic import Field
from starlette.staticfiles import StaticFiles

from fakeguard.detectors.errors import MediaError, UnsupportedMedia

from .admin import WatchlistAdmin
from .gate import GateSettings, RequestGate, safe_name

__all__ = ["Fakeguard", "GateSettings", "ModelLoader", "RequestGate", "Upload", "WebPage", "safe_name"]

if TYPE_CHECKING:
    from fakeguard.detectors.api import Detector

log = logging.getLogger(__name__)

#: HTTP status per ``MediaError.code``. A decode that runs past its time budget is the input's fault
#: (a pathological stream under the configured limits), so it is a 422 like a corrupt file; 504 stays
#: BentoML's own answer to a request that outlives ``traffic.timeout``.
STATUS_FOR_CODE = {"too_large": 413, "unsupported": 415, "corrupt": 422, "timeout": 422, "not_found": 422}


def _use_private_task_store() -> None:
    """Keep BentoML's task store, which holds each submitted upload, in a temporary folder.

    A ``@bentoml.task`` submission is stored whole (the request body, so the video) in an SQLite
    file, by default ``$BENTOML_HOME/task_result.db``, kept after the server stops. Unless the
    operator chose a place (``BENTOML_RESULT_STORE``), the server process that imports this module
    first puts it in a private temporary folder and removes the folder when it exits; its workers
    inherit the variable. It must run at import: BentoML resolves the path before any hook runs.
    """
    if os.environ.get("BENTOML_RESULT_STORE"):
        return
    folder = tempfile.mkdtemp(prefix="fakeguard-tasks-")
    os.environ["BENTOML_RESULT_STORE"] = os.path.join(folder, "task_result.db")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)


_use_private_task_store()


# Why a spec of our own: BentoML's multipart parser downloads a URL given as text in a file field,
# with no size limit, and errs (500) on other text. This spec admits only a real upload; anything
# else reaches the endpoint as ``file=None`` with the reason in the request state: a 400.
class Upload(bentoml.IODescriptor):
    """One media file (image, audio or video) as a multipart upload in the 'file' field, and whether
    to add Grad-CAM heatmaps to the faces."""

    file: Path = Field(description="The media file (image, audio or video), as a multipart upload.")
    heatmaps: bool = Field(default=False, description="Add a Grad-CAM overlay (base64 PNG) to each face.")

    @classmethod
    async def from_http_request(cls, request: Any, serde: Any) -> Upload:
        from starlette.datastructures import UploadFile

        problem = None
        try:
            form = await request.form()
        except Exception as exc:  # malformed multipart, a client gone, or the gate's body limit
            problem = f"the request body could not be read as a form: {getattr(exc, 'detail', exc)}"
        else:
            uploads = form.getlist("file")
            if not uploads:
                problem = "no file: send the media as a multipart/form-data upload in the 'file' field"
            elif len(uploads) > 1:
                problem = f"{len(uploads)} files in the 'file' field: send one file per request"
            elif not isinstance(uploads[0], UploadFile):
                problem = "the 'file' field must be an uploaded file (multipart with a filename), not text or a URL"
        if problem is not None:
            request.state.fakeguard_problem = (400, {"file": None, "error": "bad_request", "reason": problem})
            return cls.model_construct(file=None, heatmaps=False)
        upload = uploads[0]
        upload.filename = safe_name(upload.filename)
        request.state.fakeguard_upload_name = upload.filename
        return await super().from_http_request(request, serde)


#: The web page's files (index.html, app.js, style.css), shipped as package data.
WEB_DIR = Path(__file__).with_name("web")

#: Headers on every file of the page. The page shows text from reports and uploads (file names,
#: reasons) and inserts it as text, never as markup; the content policy is the second line of
#: defence: no inline or outside script, and requests only to this origin. ``no-cache`` makes the
#: browser revalidate, so that a restarted server's page is not served stale from its cache.
PAGE_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' blob: data:; object-src 'none'; base-uri 'none'; "
        b"form-action 'none'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-cache"),
]


class WebPage:
    """The web page at ``/ui/``: Starlette's static files from :data:`WEB_DIR` with :data:`PAGE_HEADERS`.

    Static files because the page needs nothing from the server but the API: no template, no
    build step. ``html=True`` answers ``/ui/`` with index.html; the app's router redirects ``/ui``
    to ``/ui/``, so that the page's relative links (``app.js``, ``../score``) resolve.
    """

    def __init__(self, directory: Path = WEB_DIR) -> None:
        self.files = StaticFiles(directory=directory, html=True)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *PAGE_HEADERS]}
            await send(message)

        await self.files(scope, receive, send_with_headers)


class ModelsNotReady(Exception):
    """The detector is still loading, or failed to load (the worker then also reports not alive)."""


class ModelLoader:
    """Loads the :class:`Detector` once per worker, in a thread, so probes answer during the load.

    ``/livez`` answers at once; ``/readyz`` turns 200 only once the voice and the face model are
    both in memory (the face model would otherwise load on the first image). A request that
    arrives during the load waits for it. Settings come from the environment: models from
    ``FAKEGUARD_VOICE_MODEL`` / ``FAKEGUARD_FACE_MODEL`` (shipped defaults when unset), limits
    from ``FAKEGUARD_MAX_*``, torch threads from ``FAKEGUARD_THREADS``, the impersonation
    watchlist from ``FAKEGUARD_WATCHLIST`` (a SQLite file, created empty if missing; none when unset).
    """

    def __init__(self) -> None:
        self.detector: Detector | None = None
        self.error: str | None = None
        self._done = threading.Event()
        threading.Thread(target=self._load, name="fakeguard-model-load", daemon=True).start()

    def _load(self) -> None:
        started = time.perf_counter()
        try:
            from fakeguard.detectors.api import Detector
            from fakeguard.detectors.intake.limits import IntakeLimits
            from fakeguard.detectors.runtime import set_threads

            threads = set_threads()
            detector = Detector.load(
                voice_model=os.environ.get("FAKEGUARD_VOICE_MODEL") or None,
                face_model=os.environ.get("FAKEGUARD_FACE_MODEL") or None,
                limits=IntakeLimits.from_env(),
                watchlist=os.environ.get("FAKEGUARD_WATCHLIST") or None,
            )
            face = detector.face  # loaded lazily by Detector: load it now, so that ready means every model
            self.detector = detector
            models = [m.name for m in (detector.voice.model_info, face.model_info) if m is not None]
            seconds = round(time.perf_counter() - started, 2)
            record = {"event": "models_loaded", "models": models, "seconds": seconds, "threads": threads}
            if detector.watchlist is not None:
                record["watchlist_people"] = detector.watchlist.snapshot().people
            log.info(json.dumps(record))
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            log.exception("fakeguard models failed to load")
        finally:
            self._done.set()

    @property
    def ready(self) -> bool:
        return self.detector is not None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def get(self, timeout: float = 600.0) -> Detector:
        """The detector, once loaded. Raises :class:`ModelsNotReady` on failure or timeout."""
        self._done.wait(timeout)
        if self.detector is None:
            raise ModelsNotReady(f"models failed to load: {self.error}" if self.error else "models are still loading")
        return self.detector


@bentoml.service(
    name="fakeguard",
    workers=int(os.environ.get("FAKEGUARD_WORKERS", "1")),
    traffic={"timeout": float(os.environ.get("FAKEGUARD_REQUEST_TIMEOUT_S", "300"))},
)
@bentoml.asgi_app(WebPage(), path="/ui", name="ui")
@bentoml.asgi_app(WatchlistAdmin(), path="/admin", name="admin")
class Fakeguard:
    """Deepfake and AI-fraud scoring for images, voices and videos.

    Each worker holds one :class:`Detector` and scores one request at a time (BentoML's
    ``threads`` default of 1: torch runs with ``FAKEGUARD_THREADS`` threads, and the Grad-CAM
    hooks are not meant to be shared); more workers (``FAKEGUARD_WORKERS``) score in parallel.
    """

    def __init__(self) -> None:
        # BentoML's server logging leaves the root logger at WARNING: let our INFO lines through.
        logging.getLogger("fakeguard").setLevel(os.environ.get("FAKEGUARD_LOG_LEVEL", "INFO").upper())
        self.models = ModelLoader()

    async def __is_ready__(self) -> bool:
        return self.models.ready

    async def __is_alive__(self) -> bool:
        return not self.models.failed  # a worker whose models cannot load is restarted, not kept

    @bentoml.api(input_spec=Upload)
    def score(self, file: Path | None, heatmaps: bool = False, *, ctx: bentoml.Context) -> dict[str, Any]:
        """Score one file of any kind: the report (verdict, calibrated score, evidence)."""
        return self._answer(ctx, file, heatmaps, expect=None, endpoint="score")

    @bentoml.api(input_spec=Upload)
    def score_image(self, file: Path | None, heatmaps: bool = False, *, ctx: bentoml.Context) -> dict[str, Any]:
        """Score an image; any other kind is refused with 415."""
        return self._answer(ctx, file, heatmaps, expect="image", endpoint="score_image")

    @bentoml.api(input_spec=Upload)
    def score_audio(self, file: Path | None, heatmaps: bool = False, *, ctx: bentoml.Context) -> dict[str, Any]:
        """Score an audio file; any other kind is refused with 415."""
        return self._answer(ctx, file, heatmaps, expect="audio", endpoint="score_audio")

    @bentoml.api(input_spec=Upload)
    def score_video(self, file: Path | None, heatmaps: bool = False, *, ctx: bentoml.Context) -> dict[str, Any]:
        """Score a video (faces, voice, per-second timeline); any other kind is refused with 415."""
        return self._answer(ctx, file, heatmaps, expect="video", endpoint="score_video")

    @bentoml.task(input_spec=Upload)
    def score_video_task(self, file: Path | None, heatmaps: bool = False, *, ctx: bentoml.Context) -> dict[str, Any]:
        """Score a long video as a task: ``/submit`` answers a task id at once, ``/status`` and
        ``/get`` follow it; the result is what ``/score_video`` would answer."""
        return self._answer(ctx, file, heatmaps, expect="video", endpoint="score_video_task")

    def _answer(
        self, ctx: bentoml.Context, file: Path | None, heatmaps: bool, expect: str | None, endpoint: str
    ) -> dict[str, Any]:
        """Score the upload, set the HTTP status, and leave the outcome for the request's log line."""
        state = ctx.request.state
        request_id = getattr(state, "fakeguard_request_id", None) or uuid.uuid4().hex
        outcome: dict[str, Any] = {"kind": None, "verdict": None, "error": None, "timings": None}
        if file is None:
            status, body = getattr(state, "fakeguard_problem", (400, {"error": "bad_request", "reason": "no file"}))
        else:
            name = getattr(state, "fakeguard_upload_name", None) or safe_name(file.name)
            status, body = self._score(file, name, heatmaps, expect, request_id)
        if status == 200:
            timings = {t["stage"]: t["seconds"] for t in body["timings"]}
            outcome.update(kind=body["kind"], verdict=body["verdict"], timings=timings)
        else:
            outcome["error"] = body.get("error")
        ctx.response.status_code = status
        state.fakeguard_outcome = outcome
        task_id = getattr(state, "task_id", None)
        if task_id is not None:  # a task runs after its /submit answer went out (and was logged): log it here
            record = {"event": "task", "task_id": task_id, "request_id": request_id, "endpoint": endpoint}
            log.info(json.dumps(record | {"status": status} | outcome))
        return body

    def _score(
        self, file: Path, name: str, heatmaps: bool, expect: str | None, request_id: str
    ) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body) for one upload; never raises."""
        from fakeguard.detectors.intake import as_source, identify

        try:
            detector = self.models.get()
            source = as_source(file, name=name)
            if expect is None:
                return 200, detector.score(source, heatmaps=heatmaps).to_dict()
            source, sniffed = identify(source, detector.limits)
            found = sniffed.kind.value
            if found != expect:
                error = UnsupportedMedia(name, f"expected {expect}, found {found} ({sniffed.format})")
                return 415, error.to_dict() | {"expected": expect, "found": found}
            return 200, detector.score_identified(source, sniffed, heatmaps=heatmaps).to_dict()
        except MediaError as exc:
            return STATUS_FOR_CODE.get(exc.code, 422), exc.to_dict()
        except ModelsNotReady as exc:
            return 503, {"file": name, "error": "not_ready", "reason": str(exc)}
        except Exception:  # a bug: log it whole, answer 500 with the id to find it by, and keep serving
            log.exception("request %s: internal error while scoring %s", request_id, name)
            return 500, {"error": "internal", "request_id": request_id}


Fakeguard.add_asgi_middleware(RequestGate)
