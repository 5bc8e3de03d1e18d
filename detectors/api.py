"""The Python API: a handful of names for notebooks, scripts and the other entry points.

    >>> from fakeguard.detectors.api import Detector
    >>> detector = Detector.load()                 # shipped default models
    >>> report = detector.score("voicemail.m4a")   # a Report (rich display in Jupyter)
    >>> report.verdict, report.score
    >>> detector.score("photo.jpg", heatmaps=True).faces[0].heatmap_png   # Grad-CAM overlay, base64 PNG
    >>> detector.score(frame)                      # an (H, W, 3) uint8 array, or a PIL image
    >>> detector.score(wave, sample_rate=16000)    # a waveform
    >>> detector.score_folder("archive/")          # a pandas DataFrame, one row per file
    >>> Detector.load(watchlist="results.sqlite")  # identity matches and impersonation alerts too

Every entry point (CLI, scanner, service) goes through :class:`Detector`, so
they all return the same reports. ``docs/api.md`` lists the rest of the
Python API (training, evaluation, display, plots).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from .intake import IntakeLimits, MediaKind, MediaSource, Sniffed
from .intake.arrays import media_source
from .intake.probe import identify
from .intake.source import PathLike
from .pipelines.audio import score_audio
from .pipelines.face import FaceForgeryDetector
from .pipelines.image import score_image
from .pipelines.video import score_video
from .pipelines.video_faces import VideoConfig
from .pipelines.voice import VoiceDetector
from .report import Report, VerdictThresholds

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from PIL import Image

    from .identity.matcher import WatchlistMatcher
    from .identity.watchlist_store import WatchlistStore

log = logging.getLogger(__name__)

Scorable = Union[PathLike, bytes, MediaSource, "np.ndarray", "Image.Image"]
"""What :meth:`Detector.score` takes: a path, bytes, a :class:`MediaSource`, a NumPy array or a Pillow image."""

ModelRef = Union[str, "os.PathLike[str]", None]
"""Weights: a shipped ``arch.tag``, a weight folder, a training run's folder, or None for the default."""

WatchlistRef = Union[str, "os.PathLike[str]", "WatchlistStore", "WatchlistMatcher", None]
"""A watchlist: its SQLite file (the scan database), an open store or matcher, or None for none."""


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
        watchlist: the impersonation watchlist every report is matched against
            (None: none, and nothing is embedded).
    """

    voice: VoiceDetector
    face_model: str | None = None
    limits: IntakeLimits = field(default_factory=IntakeLimits)
    thresholds: VerdictThresholds = field(default_factory=VerdictThresholds)
    video: VideoConfig = field(default_factory=VideoConfig)
    watchlist: WatchlistMatcher | None = None
    _face: FaceForgeryDetector | None = field(default=None, repr=False)
    _face_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(
        cls,
        voice_model: ModelRef = None,
        face_model: ModelRef = None,
        limits: IntakeLimits | None = None,
        thresholds: VerdictThresholds | None = None,
        video: VideoConfig | None = None,
        threads: int | None = None,
        watchlist: WatchlistRef = None,
    ) -> Detector:
        """Load the shipped defaults, or named weights.

        Args:
            voice_model, face_model: a shipped ``arch.tag`` (``voice_lcnn_small.shared_v1``), a
                weight folder, a training run's folder (``TrainResult.run_dir``: its ``weights/``
                are used), or None for the shipped default. The face model loads on first use.
            limits: intake limits (defaults: :class:`IntakeLimits`).
            thresholds: where scores become verdicts.
            video: how videos are sampled and their faces tracked.
            threads: torch threads for this process (None leaves torch's own setting, one per
                core). The CLI and the scanner's workers use 1: on small shared machines torch
                with several threads slows down sharply whenever another process is busy.
            watchlist: match every face track and speech window against this impersonation
                watchlist (its SQLite file, created empty if missing; docs/watchlist.md): reports
                gain ``identity`` matches, ``alerts`` and ``watchlist``. Its people are read once and
                reread when it changes. Faces and voices are embedded only while someone is
                enrolled with one; None (the default) embeds nothing.
        """
        if threads is not None:
            from .runtime import set_threads

            set_threads(threads)
        return cls(
            VoiceDetector.load(_model_name(voice_model)),
            _model_name(face_model),
            limits or IntakeLimits(),
            thresholds or VerdictThresholds(),
            video or VideoConfig(),
            watchlist=_watchlist(watchlist),
        )

    @property
    def face(self) -> FaceForgeryDetector:
        """The face-forgery detector, loaded on first use."""
        with self._face_lock:
            if self._face is None:
                self._face = FaceForgeryDetector.load(self.face_model)
            return self._face

    def score(
        self,
        source: Scorable,
        name: str | None = None,
        heatmaps: bool = False,
        *,
        sample_rate: int | None = None,
    ) -> Report:
        """Score one file, buffer, array or image.

        Args:
            source: a path, bytes, a :class:`MediaSource`, an image array (uint8 ``(H, W, 3)``
                RGB, ``(H, W)`` or ``(H, W, 4)``), an audio array (``(n,)`` or ``(n, channels)``
                float or int16, with ``sample_rate``), or a ``PIL.Image.Image``. Arrays and
                images are encoded losslessly (PNG, WAV) and read like files, under the same
                limits and by the same pipelines (:mod:`fakeguard.detectors.intake.arrays`).
            name: the name to report (default: the path as given, ``<bytes>``, ``<array>``, ``<image>``).
            heatmaps: add a Grad-CAM overlay (base64 PNG) to each face of an image,
                and to the most suspicious face of each track of a video.
            sample_rate: Hz of an audio array; only for audio arrays.

        Raises:
            MediaError: the input cannot be read or is over a limit (typed, naming the file and reason).
            ValueError, TypeError: an array of the wrong shape or dtype, or an unknown input type.
        """
        src, sniffed = identify(media_source(source, name, sample_rate), self.limits)
        return self.score_identified(src, sniffed, heatmaps)

    def score_identified(self, src: MediaSource, sniffed: Sniffed, heatmaps: bool = False) -> Report:
        """Score a source that :func:`~fakeguard.detectors.intake.identify` has already sniffed.

        For callers that look at the kind before scoring (the service's kind endpoints), so that
        the bytes are not sniffed and the container not resolved a second time.
        """
        # One state of the watchlist per report, even while someone is being enrolled.
        watch = self.watchlist.snapshot() if self.watchlist is not None else None
        if sniffed.kind is MediaKind.AUDIO:
            return score_audio(src, sniffed, self.voice, self.limits, self.thresholds, watchlist=watch)
        if sniffed.kind is MediaKind.IMAGE:
            return score_image(
                src, sniffed, self.face, self.limits, self.thresholds, heatmaps=heatmaps, watchlist=watch
            )
        return score_video(
            src, sniffed, self.face, self.voice, self.limits, self.thresholds, self.video, heatmaps, watchlist=watch
        )

    def score_folder(
        self,
        paths: PathLike | Sequence[PathLike],
        db: PathLike | None = None,
        workers: int = 0,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
    ) -> pd.DataFrame:
        """Score every file under folders (or listed files) with the batch scanner; one DataFrame row per file.

        This is ``fakeguard scan``: files are listed recursively, each content is scored once
        per model version, bad files are kept as rows with their error, and with ``db`` the
        results persist, so that calling again skips what is already scored.

        Args:
            paths: a folder or file (or an fsspec URL the scanner reads), or several.
            db: the scan's SQLite database (created if missing); None for a temporary one,
                removed once the frame is built.
            workers: the scanner's worker processes (0: score in this process, with these
                models; N: N processes, each loading the same weights).
            include, exclude: globs on paths relative to each folder (``*.jpg``, ``drafts/*``).

        Returns:
            :func:`fakeguard.service.scan.frame.results_frame`: the scan export's columns
            (``path``, ``sha256``, ``kind``, ``verdict``, ``score``, ``face_score``,
            ``voice_score``, ``error_code``, ``error_reason``...) and ``report``, the full report
            dict (the error dict for files that could not be read).

        Raises:
            ImportError: pandas is missing (``pip install 'fakeguard[notebooks]'``).
        """
        # The scanner is the service layer's; imported on use, so that importing the detectors
        # never imports the service.
        from fakeguard.service.scan import ResultStore, models_key, scan
        from fakeguard.service.scan.frame import results_frame

        from .optional import require_pandas

        require_pandas()  # before the scan, not after it
        listed = [os.fspath(paths)] if isinstance(paths, (str, os.PathLike)) else [os.fspath(p) for p in paths]

        def warn(error: dict[str, Any]) -> None:
            log.warning("%s: %s (%s)", error.get("file"), error.get("reason"), error.get("error"))

        with (
            tempfile.TemporaryDirectory(prefix="fakeguard-scan-") as tmp,
            ResultStore(Path(db) if db is not None else Path(tmp) / "scan.sqlite") as store,
        ):
            scan(listed, store, self, include=include, exclude=exclude, on_error=warn, workers=workers)
            return results_frame(store, models_key(self))


def _model_name(ref: ModelRef) -> str | None:
    return None if ref is None else os.fspath(ref)


def _watchlist(ref: WatchlistRef) -> WatchlistMatcher | None:
    if ref is None:
        return None
    from .identity.matcher import WatchlistMatcher
    from .identity.watchlist_store import WatchlistStore

    if isinstance(ref, WatchlistMatcher):
        return ref
    return WatchlistMatcher(ref.path if isinstance(ref, WatchlistStore) else os.fspath(ref))
