"""One file's work, the same in every engine: read it, hash it, score it, and say what happened.

The in-process loop, the worker processes of the local engine and the Ray
actors all call :func:`score_entry`, so the three engines store identical rows.
A worker process or a Ray actor cannot be handed a loaded :class:`Detector`
(torch modules and locks do not travel well between processes), so it gets a
:class:`DetectorSpec` instead: the weight folders and settings that rebuild the
same detector, and therefore the same models key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fakeguard.detectors.errors import MediaError, MediaNotFound
from fakeguard.detectors.intake.limits import IntakeLimits
from fakeguard.detectors.intake.source import MediaSource, as_source
from fakeguard.detectors.pipelines.video_faces import VideoConfig
from fakeguard.detectors.report import VerdictThresholds

from .store import ScanResult
from .walk import WalkEntry

if TYPE_CHECKING:
    from fakeguard.detectors.api import Detector


@dataclass(frozen=True)
class DetectorSpec:
    """Everything needed to build the same :class:`Detector` in another process.

    Attributes:
        voice_model: a weight folder or shipped ``arch.tag`` (None: the default).
        face_model: the same for the face model.
        limits: intake limits. thresholds: verdict thresholds. video: video sampling.
        threads: torch threads in each process that loads it (one per worker keeps
            two workers on two cores from fighting over them).
        watchlist: the impersonation watchlist's SQLite file (None: none). Each process
            opens it and rereads it when it changes; with Ray, every node must reach the path.
    """

    voice_model: str | None = None
    face_model: str | None = None
    limits: IntakeLimits = field(default_factory=IntakeLimits)
    thresholds: VerdictThresholds = field(default_factory=VerdictThresholds)
    video: VideoConfig = field(default_factory=VideoConfig)
    threads: int = 1
    watchlist: str | None = None

    @classmethod
    def from_detector(cls, detector: Detector, threads: int = 1) -> DetectorSpec:
        """The spec of a loaded detector: its weight folders (by path, so a worker loads the
        very same files) and its settings.

        Raises:
            ValueError: a model was built in memory rather than loaded from a weight folder.
        """
        voice_info = detector.voice.info
        face_info = detector.face.info
        if voice_info is None or face_info is None:
            raise ValueError("worker processes need models loaded from weight folders (Detector.load)")
        return cls(
            voice_model=str(voice_info.path),
            face_model=str(face_info.path),
            limits=detector.limits,
            thresholds=detector.thresholds,
            video=detector.video,
            threads=threads,
            watchlist=str(detector.watchlist.path) if detector.watchlist is not None else None,
        )

    def load(self) -> Detector:
        """Build the detector (and set this process's torch threads)."""
        from fakeguard.detectors.api import Detector

        detector = Detector.load(
            self.voice_model,
            self.face_model,
            self.limits,
            self.thresholds,
            self.video,
            threads=self.threads,
            watchlist=self.watchlist,
        )
        detector.face  # noqa: B018 - load the face model now, not inside the first file's timing
        return detector


def read_entry(entry: WalkEntry) -> MediaSource:
    """The entry's content as a source: a local file by path, a remote one fetched whole through fsspec.

    Raises:
        MediaNotFound: the file vanished or cannot be read (named by its path or URL).
    """
    if not entry.remote:
        return as_source(entry.path, name=str(entry.path))
    import fsspec

    url = str(entry.path)
    try:
        with fsspec.open(url, "rb") as f:
            data = f.read()
    except Exception as exc:  # backends raise their own types (FileNotFoundError, ClientError...)
        raise MediaNotFound(url, f"cannot be read: {type(exc).__name__}: {exc}") from exc
    return as_source(data, name=url)


def internal_error(key: str, exc: BaseException) -> dict[str, Any]:
    """A bug met while scanning ``key``, in the shape of :meth:`MediaError.to_dict` (code ``internal``)."""
    return {"file": key, "error": "internal", "type": type(exc).__name__, "reason": str(exc)}


def score_entry(detector: Detector, entry: WalkEntry, src: MediaSource | None = None) -> ScanResult:
    """Score one listed file and return its row: the report, or the media error that stopped it.

    The hash is taken from the bytes that were scored, so a file that changed since
    it was listed is stored under its new content. Errors other than media errors
    (bugs) propagate: the engines log them and leave the file for the next scan.

    Args:
        detector: the loaded models.
        entry: the listed file.
        src: its content when the caller has already read it (the remote case).

    Raises:
        MediaError: only when the file cannot even be read for hashing (vanished).
    """
    src = src or read_entry(entry)
    sha = src.sha256()
    try:
        report = detector.score(src).to_dict()
    except MediaError as exc:
        return ScanResult(entry.key, sha, entry.size, entry.mtime_ns, error=exc.to_dict())
    return ScanResult(entry.key, sha, entry.size, entry.mtime_ns, report=report)
