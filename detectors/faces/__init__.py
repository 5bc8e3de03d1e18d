"""Faces: detection with five landmarks, tracking across video frames, and the one aligned crop models see."""

from __future__ import annotations

from .crop import DEFAULT_MARGIN, DEFAULT_SIZE, FaceCrop, crop_face, template_landmarks
from .detect import LANDMARK_NAMES, DetectorConfig, FaceBox, FaceDetector
from .track import FaceTracker, Track, TrackerConfig

__all__ = [
    "DEFAULT_MARGIN",
    "DEFAULT_SIZE",
    "LANDMARK_NAMES",
    "DetectorConfig",
    "FaceBox",
    "FaceCrop",
    "FaceDetector",
    "FaceTracker",
    "Track",
    "TrackerConfig",
    "crop_face",
    "template_landmarks",
]
