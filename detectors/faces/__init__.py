"""Faces: detection with five landmarks, and the one aligned crop every face model sees."""

from __future__ import annotations

from .crop import DEFAULT_MARGIN, DEFAULT_SIZE, FaceCrop, crop_face, template_landmarks
from .detect import LANDMARK_NAMES, DetectorConfig, FaceBox, FaceDetector

__all__ = [
    "DEFAULT_MARGIN",
    "DEFAULT_SIZE",
    "LANDMARK_NAMES",
    "DetectorConfig",
    "FaceBox",
    "FaceCrop",
    "FaceDetector",
    "crop_face",
    "template_landmarks",
]
