"""Align a face by its landmarks and crop it with a margin: the only crop code in fakeguard.

Training, evaluation and serving all call :func:`crop_face`, so a model never
sees faces framed one way in training and another in service.

The crop is a similarity transform (rotation, uniform scale, shift) that puts
the five landmarks as close as possible, in the least-squares sense, to a
fixed template. The template is in units of the distance between the eye
centres, with the origin between the eyes; it is the median of dlib's
landmarks on 148 LFW photos, made left-right symmetric. In the same units
dlib's face box is a square of side :data:`FACE_SIDE` centred at
:data:`FACE_CENTER`: a crop with ``margin=1.3`` is 1.3 times that square,
the framing most face-forgery detectors are trained with.

Why not OpenCV's ``estimateAffinePartial2D``: it is a robust (RANSAC/LMedS)
estimator meant for many noisy matches; with five exact landmarks the closed
form (Umeyama's least squares) is both exact and cheaper.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

TEMPLATE: np.ndarray = np.array([[0.70, 0.0], [0.30, 0.0], [-0.70, 0.0], [-0.30, 0.0], [0.0, 0.76]], dtype=np.float64)
"""The five landmarks (dlib order) in eye-distance units, origin between the eyes, y down."""
FACE_CENTER: tuple[float, float] = (0.0, 0.48)
FACE_SIDE: float = 2.5

DEFAULT_SIZE = 224
DEFAULT_MARGIN = 1.3


@dataclass(frozen=True)
class FaceCrop:
    """An aligned face crop and how it maps back to the source image.

    Attributes:
        image: ``(size, size, 3)`` uint8 RGB.
        landmarks: ``(5, 2)`` float32 landmarks in crop pixels.
        matrix: ``(2, 3)`` affine map from source-image pixels to crop pixels.
    """

    image: np.ndarray = field(repr=False)
    landmarks: np.ndarray = field(repr=False)
    matrix: np.ndarray = field(repr=False)

    @property
    def inverse(self) -> np.ndarray:
        """``(2, 3)`` map from crop pixels back to the source image (for heatmaps)."""
        return cv2.invertAffineTransform(self.matrix)


def template_landmarks(size: int = DEFAULT_SIZE, margin: float = DEFAULT_MARGIN) -> np.ndarray:
    """Where :func:`crop_face` puts the landmarks in a ``size`` px crop, as ``(5, 2)`` float32."""
    scale = size / (margin * FACE_SIDE)
    centre = np.array(FACE_CENTER)
    return ((TEMPLATE - centre) * scale + size / 2.0).astype(np.float32)


def similarity_matrix(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The ``(2, 3)`` similarity transform taking ``src`` points closest to ``dst`` (Umeyama, 1991).

    Args:
        src: ``(N, 2)`` points, N >= 2.
        dst: ``(N, 2)`` points.
    """
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    mean_src, mean_dst = src.mean(axis=0), dst.mean(axis=0)
    a, b = src - mean_src, dst - mean_dst
    cov = b.T @ a / len(src)
    u, s, vt = np.linalg.svd(cov)
    d = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:  # a reflection would fit better: forbid it
        d[-1] = -1
    rotation = u @ np.diag(d) @ vt
    var_src = (a**2).sum() / len(src)
    scale = (s * d).sum() / var_src if var_src > 0 else 1.0
    shift = mean_dst - scale * rotation @ mean_src
    return np.hstack([scale * rotation, shift[:, None]])


def crop_face(
    image: np.ndarray,
    landmarks: np.ndarray,
    size: int = DEFAULT_SIZE,
    margin: float = DEFAULT_MARGIN,
) -> FaceCrop:
    """Cut the face with these landmarks out of ``image``, upright and at a fixed scale.

    Args:
        image: ``(H, W, 3)`` uint8 RGB.
        landmarks: ``(5, 2)`` landmarks in dlib order (:class:`~fakeguard.detectors.faces.detect.FaceBox`).
        size: side of the square crop in pixels (the model's input size).
        margin: crop side over the face box side.

    Returns:
        The crop; parts outside the image are black.
    """
    landmarks = np.asarray(landmarks, dtype=np.float32)
    if landmarks.shape != (5, 2):
        raise ValueError(f"expected (5, 2) landmarks, got {landmarks.shape}")
    matrix = similarity_matrix(landmarks, template_landmarks(size, margin))
    # INTER_AREA would alias less when shrinking a lot, but warpAffine does not offer it;
    # faces more than 2x the crop are first shrunk with it.
    eye_scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    src = image
    if eye_scale < 0.5:
        pre = 2 * eye_scale
        src = cv2.resize(image, None, fx=pre, fy=pre, interpolation=cv2.INTER_AREA)
        sx, sy = src.shape[1] / image.shape[1], src.shape[0] / image.shape[0]
        pre_matrix = np.array([[sx, 0, 0], [0, sy, 0], [0, 0, 1]])
        warp = np.vstack([matrix, [0, 0, 1]]) @ np.linalg.inv(pre_matrix)
    else:
        warp = np.vstack([matrix, [0, 0, 1]])
    out = cv2.warpAffine(
        src, warp[:2], (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0)
    )
    crop_landmarks = (landmarks @ matrix[:, :2].T + matrix[:, 2]).astype(np.float32)
    return FaceCrop(image=out, landmarks=crop_landmarks, matrix=matrix.astype(np.float32))
