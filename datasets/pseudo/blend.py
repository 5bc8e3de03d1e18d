"""Self-blended images: a real face pasted onto itself, slightly altered, as a pseudo-fake.

Follows Shiohara & Yamasaki, "Detecting Deepfakes with Self-Blended Images"
(CVPR 2022). Two copies of one aligned real face are made, a *source* and a
*target*; one is altered in colour and in frequency content, the source is
moved and scaled a little, and the source's inner face is blended into the
target through a randomly deformed mask (:func:`.face_mask.face_mask`). The
result has no second identity, no GAN and no landmark error to learn from:
only the traces every face swap leaves, a boundary with a colour or
sharpness mismatch and a slightly misregistered face. Detectors trained on
such pairs generalise across forgery methods better than ones trained on the
forgeries themselves, which is why fakeguard's face model is trained this
way.

One departure from SBI's code, so that a fake and its real differ only where
the mask is non-zero: SBI flips a coin for which copy gets the colour and
frequency change, and when it is the target it also returns the changed
target as the "real" of the pair. Here the pixels outside the mask are always
the input's. When the coin says "target", the source gets the *inverse* of
the drawn change instead (inverse colour transform, and sharpening where the
target would have been blurred, blurring where it would have been
sharpened): the face then carries the original's look against a surround
that differs from it by the change, the same mismatch across the boundary,
up to a global change of the whole image that the trainer's augmentation
and :func:`fakeguard.datasets.face_augment.degrade` supply anyway.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
from numpy.typing import NDArray

from .face_mask import face_centre, face_mask

BLEND_RATIOS: tuple[float, ...] = (0.25, 0.5, 0.75, 1.0, 1.0, 1.0)
"""SBI's blend ratios: the mask is multiplied by one drawn from these (1 three times as often)."""

SCALE = (0.95, 1.05)
"""Range of the source's scale about the face centre."""
SHIFT = 0.03
"""Largest shift of the source, as a fraction of the image's width and height."""

RGB_SHIFT = 20.0  # grey levels, per channel, with probability RGB_SHIFT_P
RGB_SHIFT_P = 0.3
HUE = 6.0  # degrees
SATURATION = 0.15  # relative
VALUE = 0.10  # relative
BRIGHTNESS = 0.10  # fraction of full scale
CONTRAST = 0.10  # relative
DOWNSCALE = (2, 4)  # SBI's RandomDownScale factors (nearest down, linear up)
SHARPEN_ALPHA = (0.2, 0.5)  # albumentations Sharpen's defaults, as in SBI
SHARPEN_LIGHTNESS = (0.5, 1.0)

Image = NDArray[np.float32]
"""RGB float32 in [0, 255]."""


def _colour_change(rng: np.random.Generator) -> tuple[Callable[[Image], Image], Callable[[Image], Image]]:
    """Draw a colour change (RGB shift, hue/saturation/value, brightness/contrast); return it and its inverse."""
    shift = rng.uniform(-RGB_SHIFT, RGB_SHIFT, size=3).astype(np.float32) if rng.random() < RGB_SHIFT_P else None
    hue = float(rng.uniform(-HUE, HUE))
    sat = float(rng.uniform(1 - SATURATION, 1 + SATURATION))
    val = float(rng.uniform(1 - VALUE, 1 + VALUE))
    contrast = float(rng.uniform(1 - CONTRAST, 1 + CONTRAST))
    brightness = float(rng.uniform(-BRIGHTNESS, BRIGHTNESS)) * 255.0

    def hsv(img: Image, dh: float, ds: float, dv: float) -> Image:
        h, s, v = cv2.split(cv2.cvtColor(np.clip(img, 0, 255) / 255.0, cv2.COLOR_RGB2HSV))  # float: h in degrees
        h = np.mod(h + dh, 360.0)
        out = cv2.cvtColor(cv2.merge([h, np.clip(s * ds, 0, 1), v * dv]), cv2.COLOR_HSV2RGB)
        return out * 255.0

    def forward(img: Image) -> Image:
        if shift is not None:
            img = img + shift
        img = hsv(img, hue, sat, val)
        return img * contrast + brightness

    def inverse(img: Image) -> Image:
        img = (img - brightness) / contrast
        img = hsv(img, -hue, 1 / sat, 1 / val)
        return img - shift if shift is not None else img

    return forward, inverse


def _downscale(img: Image, rng: np.random.Generator) -> Image:
    """SBI's RandomDownScale: shrink by 2 or 4 with nearest neighbour, enlarge back linearly."""
    h, w = img.shape[:2]
    factor = int(rng.choice(DOWNSCALE))
    small = cv2.resize(img, (max(1, w // factor), max(1, h // factor)), interpolation=cv2.INTER_NEAREST)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _sharpen(img: Image, rng: np.random.Generator) -> Image:
    """albumentations' Sharpen: a 3x3 Laplacian-based kernel mixed with identity by ``alpha``."""
    alpha = rng.uniform(*SHARPEN_ALPHA)
    lightness = rng.uniform(*SHARPEN_LIGHTNESS)
    identity = np.zeros((3, 3), np.float32)
    identity[1, 1] = 1
    sharp = np.array([[-1, -1, -1], [-1, 8 + lightness, -1], [-1, -1, -1]], np.float32)
    kernel = (1 - alpha) * identity + alpha * sharp
    return cv2.filter2D(img, -1, kernel, borderType=cv2.BORDER_REFLECT101)


def _source_change(image: Image, rng: np.random.Generator) -> Image:
    """The colour and frequency change, applied to the source as itself or as its inverse (module docstring)."""
    forward, inverse = _colour_change(rng)
    blur = rng.random() < 0.5  # the change blurs (else sharpens) the copy it is applied to
    if rng.random() < 0.5:  # the source is the changed copy
        return _downscale(forward(image), rng) if blur else _sharpen(forward(image), rng)
    # the target is: the source gets the inverse, so the surround differs from the face by the change
    return inverse(_sharpen(image, rng) if blur else _downscale(image, rng))


def _random_affine(landmarks: np.ndarray, shape: tuple[int, int], rng: np.random.Generator) -> NDArray[np.float64]:
    """A ``(2, 3)`` scale about the face centre by :data:`SCALE` plus a shift of up to :data:`SHIFT`."""
    h, w = shape
    centre = np.clip(face_centre(landmarks), 0, (w - 1, h - 1))  # a face far off the image: scale about its edge
    scale = rng.uniform(*SCALE)
    shift = rng.uniform(-SHIFT, SHIFT, size=2) * np.array([w, h])
    offset = (1.0 - scale) * centre + shift
    return np.array([[scale, 0.0, offset[0]], [0.0, scale, offset[1]]])


def self_blend(
    image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator
) -> tuple[NDArray[np.uint8], NDArray[np.float32]]:
    """Make an SBI pseudo-fake of an aligned real face.

    Args:
        image: ``(H, W, 3)`` uint8 RGB, normally a :func:`~fakeguard.detectors.faces.crop_face` crop.
        landmarks: ``(5, 2)`` landmarks in dlib order, in pixels of ``image``.
        rng: every random choice is drawn from it: the same state gives the same fake.

    Returns:
        ``(fake, alpha)``: the uint8 RGB fake, of ``image``'s shape, and the
        float32 ``(H, W)`` blend weight of the source at each pixel (the
        deformed mask times the blend ratio, on the moved face). Where
        ``alpha`` is 0 the fake equals ``image``; an all-zero ``alpha`` (a face
        outside the image) means nothing was blended.
    """
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected (H, W, 3) uint8 RGB, got {image.shape} {image.dtype}")
    h, w = image.shape[:2]
    target = image.astype(np.float32)
    source = _source_change(target, rng)
    move = _random_affine(landmarks, (h, w), rng)
    source = cv2.warpAffine(source, move, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT101)
    moved = np.asarray(landmarks, dtype=np.float64).reshape(5, 2) @ move[:, :2].T + move[:, 2]
    alpha = face_mask(moved, (h, w), rng) * np.float32(rng.choice(BLEND_RATIOS))
    a = alpha[:, :, None]
    fake = a * np.clip(source, 0, 255) + (1 - a) * target
    return np.rint(fake).astype(np.uint8), alpha
