"""The report: one versioned result type for every kind of media.

Every way of running fakeguard (CLI, Python API, batch scan, REST service)
returns this structure, serialised the same way. Its JSON Schema lives in
``docs/report.schema.json`` and is generated from these dataclasses by
``python -m fakeguard.detectors.report`` (a test fails when the two drift).

Conventions:
    * ``score`` is a calibrated probability that the media is manipulated
      (1 = fake), for the file and for every face and speech segment.
    * Boxes are in pixels of the upright image or frame: ``x0, y0`` top-left,
      ``x1, y1`` bottom-right.
    * Times are seconds from the start of the media.
    * "No face found" or "no speech found" are warnings in a report, never
      errors: the file was read, there was nothing of that kind to score.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter

from .intake.info import MediaInfo
from .intake.sniff import MediaKind
from .provenance.types import Provenance

#: Bumped on any change to the report's fields: major for removals or changed
#: meaning, minor for additions.
SCHEMA_VERSION = "1.3"


class Verdict(str, enum.Enum):
    """The one-word answer, from the calibrated score and :class:`VerdictThresholds`."""

    FAKE = "fake"
    REAL = "real"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True)
class VerdictThresholds:
    """Where a calibrated score turns into a verdict.

    Scores in ``[real_below, fake_at)`` are ``uncertain``: a fraud desk should
    look at the evidence rather than trust a coin-flip probability. A report
    with no score at all (nothing scoreable found) is also ``uncertain``.
    """

    real_below: float = 0.3
    fake_at: float = 0.7

    def __post_init__(self) -> None:
        if not 0.0 <= self.real_below <= self.fake_at <= 1.0:
            raise ValueError(f"need 0 <= real_below <= fake_at <= 1, got {self.real_below}, {self.fake_at}")

    def verdict(self, score: float | None) -> Verdict:
        if score is None:
            return Verdict.UNCERTAIN
        if score >= self.fake_at:
            return Verdict.FAKE
        if score < self.real_below:
            return Verdict.REAL
        return Verdict.UNCERTAIN


@dataclass(frozen=True)
class Box:
    """A face box in pixels of the upright image: top-left ``(x0, y0)``, bottom-right ``(x1, y1)``."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class IdentityMatch:
    """An enrolled person of the watchlist whom a face or a voice matches.

    Only matches are reported: a similarity under the threshold leaves the
    ``identity`` of the face, track or segment None (docs/watchlist.md).

    Attributes:
        person: the enrolled name.
        similarity: cosine similarity to that person's nearest enrolled embedding, in [-1, 1].
        threshold: the similarity from which it counts as the same person.
        kind: ``"face"`` or ``"voice"``.
    """

    person: str
    similarity: float
    threshold: float
    kind: str


@dataclass(frozen=True)
class FaceResult:
    """One face found in an image or a video frame.

    Attributes:
        box: where the face is.
        score: calibrated probability that this face is manipulated.
        detection_confidence: the face detector's own confidence, when it gives one.
        time_s: the frame time, for faces in a video.
        track_id: the face track the face belongs to, for faces in a video.
        heatmap_png: a base64 PNG overlay of the evidence map (Grad-CAM), when asked for.
        identity: the watchlist person this face matches (images; in a video the
            face's track carries it); None without a match or without a watchlist.
    """

    box: Box
    score: float
    detection_confidence: float | None = None
    time_s: float | None = None
    track_id: int | None = None
    heatmap_png: str | None = None
    identity: IdentityMatch | None = None


@dataclass(frozen=True)
class TrackPoint:
    """A face track's position and score in one sampled frame."""

    time_s: float
    box: Box
    score: float


@dataclass(frozen=True)
class FaceTrack:
    """The same face followed across a video's sampled frames.

    Attributes:
        track_id: unique within the report.
        start_s, end_s: the span over which the face was seen.
        score: the track's calibrated score (the aggregation is described by
            the video pipeline that made it).
        points: the box and score in each sampled frame.
        identity: the watchlist person this face matches (the mean embedding of a
            few of its faces, spread over the track); None without a match or without a watchlist.
    """

    track_id: int
    start_s: float
    end_s: float
    score: float
    points: list[TrackPoint] = field(default_factory=list)
    identity: IdentityMatch | None = None


@dataclass(frozen=True)
class SpeechSegment:
    """A window of the audio.

    Attributes:
        start_s, end_s: the window.
        speech: whether voice activity was found in it. Windows without speech
            are reported but not scored.
        score: calibrated probability that the voice is synthetic (None when
            there is no speech).
        identity: the watchlist person whose voice this window matches; None
            without a match, without enough speech, or without a watchlist.
    """

    start_s: float
    end_s: float
    speech: bool
    score: float | None = None
    identity: IdentityMatch | None = None


@dataclass(frozen=True)
class TimelineEntry:
    """One second (or other bin) of a video or audio timeline."""

    start_s: float
    end_s: float
    face_score: float | None = None
    voice_score: float | None = None


@dataclass(frozen=True)
class ModelInfo:
    """Which model produced the scores.

    Attributes:
        name: registry name with weight tag (``voice_lcnn.shared_v1``).
        task: ``face`` or ``voice``.
        version: the weights' version string from their model card.
        weights_sha256: hash of the safetensors file that was loaded.
    """

    name: str
    task: str
    version: str
    weights_sha256: str


@dataclass(frozen=True)
class StageTiming:
    """Wall-clock time of one pipeline stage (``decode``, ``detect_faces``, ``classify``...)."""

    stage: str
    seconds: float


@dataclass(frozen=True)
class ReportWarning:
    """Something the reader should know that did not stop scoring.

    Codes in use: ``no_face``, ``no_speech``, ``no_audio``, ``low_resolution``,
    ``short_audio``, ``decode`` (a decoder note, such as skipped packets),
    ``provenance`` (an unreadable metadata block, a provenance reader not
    installed), ``provenance_tampered`` (C2PA credentials that no longer validate),
    ``identity`` (voices not matched against the watchlist: the speaker encoder is not installed).
    """

    code: str
    message: str


@dataclass(frozen=True)
class Alert:
    """Something a person should act on, beyond the score.

    The one code in use is ``impersonation``: a face or voice matches a protected
    person of the watchlist and that same face, track or speech is scored likely
    synthetic (at or over the fake threshold). Consecutive speech windows of the
    same person make one alert.

    Attributes:
        code: ``impersonation``.
        message: the alert in words (also the first of the report's reasons).
        person: the protected person.
        kind: ``"face"`` or ``"voice"``.
        similarity: the identity match's similarity (the highest, over merged windows).
        score: the calibrated synthetic score of that face, track or speech (the highest).
        start_s, end_s: the span in a video or audio file (None for an image face).
        track_id: the face track, in a video.
    """

    code: str
    message: str
    person: str
    kind: str
    similarity: float
    score: float
    start_s: float | None = None
    end_s: float | None = None
    track_id: int | None = None


@dataclass(frozen=True)
class WatchlistCheck:
    """That the report was matched against an impersonation watchlist, and against whom.

    Present whenever a watchlist is configured, so that "no match" (every
    ``identity`` None) reads apart from "not checked" (this field None).

    Attributes:
        people: enrolled people the faces and voices were compared with.
        with_face: how many of them have face embeddings.
        with_voice: how many have voice embeddings.
    """

    people: int
    with_face: int
    with_voice: int


@dataclass(frozen=True)
class Report:
    """Everything fakeguard says about one file.

    Attributes:
        file: the name the user gave.
        sha256: hex digest of the bytes that were scored.
        kind: image, audio or video.
        verdict: fake, real or uncertain.
        score: calibrated probability that the media is manipulated; None when
            nothing in it could be scored (no face and no speech). For a video
            it is the higher of ``face_score`` and ``voice_score``: either a
            swapped face or a cloned voice makes the clip a forgery.
        face_score: the faces' part of the score (images and videos; None without a face).
        voice_score: the voice's part of the score (audio and videos; None without speech).
        reasons: the evidence behind the verdict in words, strongest first.
        media: facts about the file (format, size, duration, streams).
        faces: per-face results (images, and the sampled faces of a video).
        face_tracks: per-track results (video).
        speech_segments: per-window results (audio and video soundtracks).
        timeline: per-second face and voice scores (video, audio).
        models: the models and weights used.
        timings: time per stage.
        warnings: see :class:`ReportWarning`.
        thresholds: the thresholds the verdict was judged with (so that a reader, or the web
            page, can draw them without assuming the defaults).
        provenance: what the file declares about its origin (C2PA credentials, IPTC/XMP,
            EXIF, generator settings, watermarks), each signal with its trust level; None
            when it was not read. A trusted signed declaration of AI generation makes the
            verdict ``fake`` (see :mod:`fakeguard.detectors.provenance.verdict`).
        alerts: impersonation alerts (see :class:`Alert`), strongest first; their
            messages also lead the reasons. An alert changes neither score nor verdict.
        watchlist: the watchlist the faces and voices were matched against; None without one.
        schema_version: :data:`SCHEMA_VERSION` at the time of writing.
        fakeguard_version: the package version that wrote the report.
    """

    file: str
    sha256: str
    kind: MediaKind
    verdict: Verdict
    score: float | None
    face_score: float | None = None
    voice_score: float | None = None
    reasons: list[str] = field(default_factory=list)
    media: MediaInfo | None = None
    faces: list[FaceResult] = field(default_factory=list)
    face_tracks: list[FaceTrack] = field(default_factory=list)
    speech_segments: list[SpeechSegment] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    models: list[ModelInfo] = field(default_factory=list)
    timings: list[StageTiming] = field(default_factory=list)
    warnings: list[ReportWarning] = field(default_factory=list)
    thresholds: VerdictThresholds | None = None
    provenance: Provenance | None = None
    alerts: list[Alert] = field(default_factory=list)
    watchlist: WatchlistCheck | None = None
    schema_version: str = SCHEMA_VERSION
    fakeguard_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (enums as strings, tuples as lists)."""
        return _adapter().dump_python(self, mode="json")

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Rebuild a report (from a scan database or an HTTP response), validating every field."""
        return _adapter().validate_python(data)

    # Display only: none of these changes what to_dict() writes (see fakeguard.detectors.display).

    def __str__(self) -> str:
        """A few plain lines: verdict, score, faces or tracks, reasons, warnings."""
        from .display import report_text

        return report_text(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's plain-text display: the summary, not the field-by-field repr."""
        printer.text(str(self))

    def _repr_html_(self) -> str:
        """Jupyter's display: verdict, scores, reasons, heatmaps and the timeline chart (escaped HTML)."""
        from .display import report_html

        return report_html(self)


@lru_cache(maxsize=1)
def _adapter() -> TypeAdapter[Report]:
    return TypeAdapter(Report)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`Report` (draft 2020-12), as written to ``docs/report.schema.json``."""
    schema = _adapter().json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://fakeguard.dev/schemas/report-{SCHEMA_VERSION}.json"
    schema["title"] = "fakeguard report"
    return schema


def main() -> None:  # pragma: no cover - exercised through tests/detectors/test_report.py's drift check
    """Print the JSON Schema: ``python -m fakeguard.detectors.report > docs/report.schema.json``."""
    print(json.dumps(json_schema(), indent=2, sort_keys=True))


if __name__ == "__main__":  # pragma: no cover
    main()
