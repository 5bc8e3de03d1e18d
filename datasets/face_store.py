"""Aligned face crops of samples, cached on disk so that detection runs once per file.

Each image goes through the serving path (:func:`fakeguard.detectors.intake.load_image`,
then :func:`fakeguard.detectors.faces.extract_faces`); the crops, their
landmarks and boxes are saved as one ``.npz`` per file, keyed by path, size,
mtime, crop size, margin and :data:`PREP_VERSION`. Detection is the slow part
(20 to 100 ms a photo); a crop read back costs well under a millisecond.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fakeguard.detectors.errors import MediaError
from fakeguard.detectors.faces import FaceDetector
from fakeguard.detectors.faces.extract import extract_faces
from fakeguard.detectors.intake import as_source, load_image
from fakeguard.detectors.pipelines.image import DECODE_MAX_SIDE

from .base import Sample

log = logging.getLogger(__name__)

#: Bump when detection, alignment or decoding change what they return, to invalidate caches.
PREP_VERSION = "faces-v1"


@dataclass(frozen=True)
class FaceEntry:
    """The faces found in one file.

    Attributes:
        crops: ``(n, S, S, 3)`` uint8 aligned crops, largest face first.
        landmarks: ``(n, 5, 2)`` landmarks in crop pixels.
        eye_distance: ``(n,)`` eye distance of each face in the decoded image.
    """

    crops: np.ndarray
    landmarks: np.ndarray
    eye_distance: np.ndarray

    def __len__(self) -> int:
        return len(self.crops)


class FaceStore:
    """Cached aligned crops of image samples.

    Args:
        size, margin: the crop the model takes (its config's ``input_size`` and ``margin``).
        cache_dir: where the ``.npz`` files go; ``None`` keeps results in memory only.
        detector: the face detector (the default one when None).
    """

    def __init__(self, size: int, margin: float, cache_dir: Path | None, detector: FaceDetector | None = None) -> None:
        self.size = size
        self.margin = margin
        self.cache_dir = Path(cache_dir) / f"{PREP_VERSION}_{size}_{margin:g}" if cache_dir else None
        self.detector = detector or FaceDetector()
        self._memory: dict[Path, FaceEntry] = {}
        self._counts: dict[Path, int] = {}
        self.failures: dict[Path, str] = {}
        self.no_face = 0

    def _key(self, path: Path) -> str:
        stat = path.stat()
        raw = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{PREP_VERSION}|{self.size}|{self.margin}"
        return hashlib.sha1(raw.encode()).hexdigest()

    def get(self, path: Path) -> FaceEntry:
        """The faces of one file (an entry with no crops when none was found).

        Raises:
            MediaError: the file cannot be decoded.
        """
        path = Path(path)
        if path in self._memory:
            return self._memory[path]
        cached = self.cache_dir / f"{self._key(path)}.npz" if self.cache_dir else None
        if cached is not None and cached.is_file():
            with np.load(cached) as data:
                entry = FaceEntry(data["crops"], data["landmarks"], data["eye_distance"])
        else:
            # Decoded exactly as serving decodes (large JPEGs at a reduced DCT scale).
            pixels = load_image(as_source(path), max_side=DECODE_MAX_SIDE).pixels
            faces = extract_faces(pixels, self.detector, self.size, self.margin)
            entry = FaceEntry(
                crops=np.stack([f.crop.image for f in faces])
                if faces
                else np.zeros((0, self.size, self.size, 3), np.uint8),
                landmarks=np.stack([f.crop.landmarks for f in faces]) if faces else np.zeros((0, 5, 2), np.float32),
                eye_distance=np.array([f.face.eye_distance for f in faces], dtype=np.float32),
            )
            if cached is not None:
                cached.parent.mkdir(parents=True, exist_ok=True)
                tmp = cached.with_suffix(".tmp.npz")
                np.savez(tmp, crops=entry.crops, landmarks=entry.landmarks, eye_distance=entry.eye_distance)
                os.replace(tmp, cached)
        if self.cache_dir is None:  # with a disk cache, entries are read back on demand
            self._memory[path] = entry
        self._counts[path] = len(entry)
        return entry

    def count(self, path: Path) -> int:
        """How many faces a file has: remembered from :meth:`get` or :meth:`preload`, read otherwise."""
        path = Path(path)
        return self._counts[path] if path in self._counts else len(self.get(path))

    def preload(
        self, samples: Sequence[Sample], progress: Callable[[Sequence[Sample]], Sequence[Sample]] | None = None
    ) -> list[Sample]:
        """Detect faces in every sample once; returns the samples with at least one face.

        Files that fail to decode are logged and kept in :attr:`failures`;
        files without a face are logged at debug level and counted in :attr:`no_face`
        (this call's count).
        """
        ok = []
        self.no_face = 0
        for sample in progress(samples) if progress else samples:
            try:
                entry = self.get(sample.path)
            except MediaError as exc:
                self.failures[sample.path] = str(exc)
                log.warning("skipping %s", exc)
                continue
            if len(entry):
                ok.append(sample)
            else:
                self.no_face += 1
                log.debug("no face in %s", sample.path)
        return ok
