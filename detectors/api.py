"""The Python API: a handful of names for notebooks, scripts and the other entry points.

    >>> from fakeguard.detectors.api import Detector
    >>> detector = Detector.load()                 # shipped default models
    >>> report = detector.score("voicemail.m4a")   # a Report
    >>> report.verdict, report.score
    >>> detector.score("photo.jpg", heatmaps=True).faces[0].heatmap_png   # Grad-CAM overlay, base64 PNG

Every entry point (CLI, scanner, service) goes through :class:`Detector`, so
they all return the same reports.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .intake import IntakeLimits, MediaKind, MediaSource, Sniffed, as_source
from .intake.probe import identify
from .intake.source import PathLike
from .pipelines.audio import score_audio
from .pipelines.face import FaceForgeryDetector
from .pipelines.image import score_image
from .pipelines.video import score_video
from .pipelines.video_faces import VideoConfig
from .pipelines.voice import VoiceDetector
from .report import Report, VerdictThresholds


@dataclass
class Detector:
    """The loaded models and the settings every score uses.

    Attributes:
        voice: the voice anti-spoofing detector.
        face_model: the face model to load on first use (``arch.tag``, a weight
            folder, or None for the shipped default): a voice-only user never
            pays for loading it.
        limits: intake limits.
        thresholds: where scores become verdicts.
        video: how videos are sampled and their faces tracked.
    """

    voice: VoiceDetector
    face_model: str | None = None
    limits: IntakeLimits = field(default_factory=IntakeLimits)
    thresholds: VerdictThresholds = field(default_factory=VerdictThresholds)
    video: VideoConfig = field(default_factory=VideoConfig)
    _face: FaceForgeryDetector | None = field(default=None, repr=False)
    _face_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(
        cls,
        voice_model: str | None = None,
        face_model: str | None = None,
        limits: IntakeLimits | None = None,
        thresholds: VerdictThresholds | None = None,
        video: VideoConfig | None = None,
    ) -> Detector:
        """Load the shipped defaults, or named weights (``arch.tag`` or a weight folder)."""
        return cls(
            VoiceDetector.load(voice_model),
            face_model,
            limits or IntakeLimits(),
            thresholds or VerdictThresholds(),
            video or VideoConfig(),
        )

    @property
    def face(self) -> FaceForgeryDetector:
        """The face-forgery detector, loaded on first use."""
        with self._face_lock:
            if self._face is None:
                self._face = FaceForgeryDetector.load(self.face_model)
            return self._face

    def score(self, source: PathLike | bytes | MediaSource, name: str | None = None, heatmaps: bool = False) -> Report:
        """Score one file given as a path or bytes.

        Args:
            source: a path, bytes, or a :class:`MediaSource`.
            name: the name to report for bytes.
            heatmaps: add a Grad-CAM overlay (base64 PNG) to each face of an image,
                and to the most suspicious face of each track of a video.

        Raises:
            MediaError: the input cannot be read or is over a limit (typed, naming the file and reason).
        """
        src, sniffed = identify(as_source(source, name), self.limits)
        return self.score_identified(src, sniffed, heatmaps)

    def score_identified(self, src: MediaSource, sniffed: Sniffed, heatmaps: bool = False) -> Report:
        """Score a source that :func:`~fakeguard.detectors.intake.identify` has already sniffed.

        For callers that look at the kind before scoring (the service's kind endpoints), so that
        the bytes are not sniffed and the container not resolved a second time.
        """
        if sniffed.kind is MediaKind.AUDIO:
            return score_audio(src, sniffed, self.voice, self.limits, self.thresholds)
        if sniffed.kind is MediaKind.IMAGE:
            return score_image(src, sniffed, self.face, self.limits, self.thresholds, heatmaps=heatmaps)
        return score_video(src, sniffed, self.face, self.voice, self.limits, self.thresholds, self.video, heatmaps)
