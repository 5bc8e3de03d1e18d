"""The Python API: a handful of names for notebooks, scripts and the other entry points.

    >>> from fakeguard.detectors.api import Detector
    >>> detector = Detector.load()                 # shipped default models
    >>> report = detector.score("voicemail.m4a")   # a Report
    >>> report.verdict, report.score

Every entry point (CLI, scanner, service) goes through :class:`Detector`, so
they all return the same reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import UnsupportedMedia
from .intake import IntakeLimits, MediaKind, MediaSource, as_source
from .intake.probe import identify
from .intake.source import PathLike
from .pipelines.audio import score_audio
from .pipelines.voice import VoiceDetector
from .report import Report, VerdictThresholds


@dataclass
class Detector:
    """The loaded models and the settings every score uses.

    Attributes:
        voice: the voice anti-spoofing detector.
        limits: intake limits.
        thresholds: where scores become verdicts.
    """

    voice: VoiceDetector
    limits: IntakeLimits = field(default_factory=IntakeLimits)
    thresholds: VerdictThresholds = field(default_factory=VerdictThresholds)

    @classmethod
    def load(
        cls,
        voice_model: str | None = None,
        limits: IntakeLimits | None = None,
        thresholds: VerdictThresholds | None = None,
    ) -> Detector:
        """Load the shipped defaults, or named weights (``arch.tag`` or a weight folder)."""
        return cls(VoiceDetector.load(voice_model), limits or IntakeLimits(), thresholds or VerdictThresholds())

    def score(self, source: PathLike | bytes | MediaSource, name: str | None = None) -> Report:
        """Score one file given as a path or bytes.

        Raises:
            MediaError: the input cannot be read (typed, naming the file and reason).
            UnsupportedMedia: a kind this version has no detector for (images and video
                arrive with the face detector).
        """
        src, sniffed = identify(as_source(source, name), self.limits)
        if sniffed.kind is MediaKind.AUDIO:
            return score_audio(src, sniffed, self.voice, self.limits, self.thresholds)
        raise UnsupportedMedia(
            src.name,
            f"{sniffed.kind.value} scoring needs the face detector, which this "
            "version does not ship yet (only audio is scored)",
        )
