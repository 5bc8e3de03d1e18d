"""The face-forgery detector: pixels to per-face and per-image scores.

The same :class:`FaceForgeryDetector` scores serving requests, video frames,
and the validation and test sets of training, so the numbers in the model
card are the numbers of the service.

Aggregation: an image's logit is the highest of its faces' logits. One
swapped face in a group photo makes the photo a forgery, so the maximum, not
the mean, is the right rule; the calibration is fitted on face-level logits
and applied to that maximum.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from ..calibration import Calibration
from ..explain import grad_cam, overlay_base64
from ..faces import FaceDetector
from ..faces.detect import FaceBox
from ..faces.extract import ExtractedFace, extract_faces
from ..report import Box, FaceResult, ModelInfo, ReportWarning
from ..transforms import face_batch
from ..weights import WeightInfo, resolve_model

#: Faces with eyes closer than this many pixels get a ``low_resolution`` warning.
LOW_RESOLUTION_EYE_PX = 30.0


@dataclass(frozen=True)
class FaceImageResult:
    """Scores of the faces in one image (or video frame).

    Attributes:
        faces: one result per face, largest first (boxes in the image's pixels).
        face_logits: raw logits, in the same order.
        crops: the aligned crops that were scored (for galleries and debugging).
        image_logit: the highest face logit; None without faces.
        image_score: calibrated P(manipulated) of the most suspicious face; None without faces.
        warnings: no face, small faces.
        seconds: time spent per stage.
        detections: the detector's boxes and landmarks, in the same order (in the pixels given).
    """

    faces: list[FaceResult]
    face_logits: np.ndarray
    crops: list[np.ndarray] = field(repr=False)
    image_logit: float | None
    image_score: float | None
    warnings: list[ReportWarning] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    detections: list[FaceBox] = field(default_factory=list, repr=False)


class FaceForgeryDetector:
    """A loaded face model with its calibration and the face detector.

    Args:
        model: a registered face model (exposes ``cfg`` with ``input_size``, ``margin``, ``mean``, ``std``).
        info: its weight folder's description.
        calibration: overrides the weight folder's calibration (used while training).
        face_detector: shared detector (a default one when None).
    """

    def __init__(
        self,
        model: torch.nn.Module,
        info: WeightInfo | None = None,
        calibration: Calibration | None = None,
        face_detector: FaceDetector | None = None,
    ) -> None:
        self.model = model.eval()
        self.info = info
        self.calibration = calibration or (info.calibration if info else Calibration())
        self.face_detector = face_detector or FaceDetector()
        cfg = model.cfg
        self.size, self.margin, self.mean, self.std = cfg.input_size, cfg.margin, cfg.mean, cfg.std

    @classmethod
    def load(cls, name_or_path: str | None = None) -> FaceForgeryDetector:
        """The shipped default, a shipped ``arch.tag``, or a weight folder."""
        model, info = resolve_model(name_or_path, "face")
        return cls(model, info)

    @property
    def model_info(self) -> ModelInfo | None:
        if self.info is None:
            return None
        return self.info.model_info()

    def crop_logits(self, crops: Sequence[np.ndarray], batch_size: int = 32) -> np.ndarray:
        """Raw logits of aligned crops (``(S, S, 3)`` uint8, made by :func:`~fakeguard.detectors.faces.crop_face`)."""
        out = []
        with torch.inference_mode():
            for i in range(0, len(crops), batch_size):
                batch = face_batch(crops[i : i + batch_size], self.mean, self.std)
                out.append(self.model(batch).double().numpy())
        return np.concatenate(out) if out else np.zeros(0)

    def heatmaps(self, crops: Sequence[np.ndarray], scores: Sequence[float] | None = None) -> list[str]:
        """Grad-CAM overlays of crops as base64 PNGs.

        Each map is normalised to its own peak, so every face would show a hot spot; with
        ``scores`` (the faces' calibrated probabilities) the map is dimmed by the score, so that
        a face scored 0.05 shows almost nothing and a face scored 0.95 its evidence in full.
        """
        if not len(crops):
            return []
        maps = grad_cam(self.model, face_batch(crops, self.mean, self.std))
        weights = np.ones(len(crops)) if scores is None else np.clip(np.asarray(scores, dtype=np.float64), 0, 1)
        return [overlay_base64(c, m * w) for c, m, w in zip(crops, maps, weights)]

    def extract(self, pixels: np.ndarray) -> list[ExtractedFace]:
        """Faces of an image, detected and cropped for this model."""
        return extract_faces(pixels, self.face_detector, self.size, self.margin)

    def score_pixels(self, pixels: np.ndarray, heatmaps: bool = False, time_s: float | None = None) -> FaceImageResult:
        """Detect, crop and score every face of an RGB image.

        Args:
            pixels: ``(H, W, 3)`` uint8 RGB.
            heatmaps: add a Grad-CAM overlay per face (costs a backward pass).
            time_s: the frame time, for video frames.
        """
        t0 = time.perf_counter()
        faces = self.extract(pixels)
        t1 = time.perf_counter()
        crops = [f.crop.image for f in faces]
        logits = self.crop_logits(crops)
        t2 = time.perf_counter()
        probs = self.calibration.apply(logits) if logits.size else logits
        overlays = self.heatmaps(crops, probs) if heatmaps else [None] * len(faces)
        seconds = {"detect_faces": t1 - t0, "classify_faces": t2 - t1}
        if heatmaps:
            seconds["heatmaps"] = time.perf_counter() - t2
        results = [
            FaceResult(
                box=Box(*(round(v, 1) for v in f.face.box)),
                score=float(p),
                detection_confidence=round(f.face.score, 3),
                time_s=time_s,
                heatmap_png=overlay,
            )
            for f, p, overlay in zip(faces, probs, overlays)
        ]
        warnings = []
        if not faces:
            warnings.append(ReportWarning("no_face", "no face found: nothing to score"))
        small = [f for f in faces if f.face.eye_distance < LOW_RESOLUTION_EYE_PX]
        if small:
            warnings.append(
                ReportWarning(
                    "low_resolution",
                    f"{len(small)} face(s) smaller than {LOW_RESOLUTION_EYE_PX:.0f} px between the eyes: "
                    "their scores are less reliable",
                )
            )
        image_logit = float(logits.max()) if logits.size else None
        image_score = float(self.calibration.apply([image_logit])[0]) if image_logit is not None else None
        detections = [f.face for f in faces]
        return FaceImageResult(results, logits, crops, image_logit, image_score, warnings, seconds, detections)
