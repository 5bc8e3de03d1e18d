"""Decoded pixels to aligned face crops: detection, size filter and crop in one call.

Serving (:mod:`fakeguard.detectors.pipelines.image`) and the training cache
(:class:`fakeguard.datasets.face_store.FaceStore`) both call
:func:`extract_faces`, so the crops a model is trained on are made exactly as
the crops it is served.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .crop import FaceCrop, crop_face
from .detect import FaceBox, FaceDetector


@dataclass(frozen=True)
class ExtractedFace:
    """A detected face and its aligned crop."""

    face: FaceBox
    crop: FaceCrop


def extract_faces(
    pixels: np.ndarray,
    detector: FaceDetector,
    size: int,
    margin: float,
    near: list[tuple[float, float, float, float]] | None = None,
) -> list[ExtractedFace]:
    """Every face the detector keeps, largest first, each cropped for a model.

    Args:
        pixels: ``(H, W, 3)`` uint8 RGB (a :class:`~fakeguard.detectors.intake.DecodedImage`'s ``pixels``).
        detector: the face detector.
        size, margin: the model's crop size and margin (its config's ``input_size`` and ``margin``).
        near: search only around these boxes (a video tracker's last positions) instead of the whole image.
    """
    faces = detector.detect(pixels) if near is None else detector.detect_near(pixels, near)
    return [ExtractedFace(face, crop_face(pixels, face.landmarks, size, margin)) for face in faces]
