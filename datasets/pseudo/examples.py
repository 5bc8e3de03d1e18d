"""Pseudo-fakes of whole photos, to look at: each photo's aligned face and one pseudo-fake per kind.

Training makes its pseudo-fakes on the fly (:mod:`fakeguard.datasets.face_torch`);
this makes a few, seeded, from photos a person chooses, with the same crop and
the same generators, so that a notebook or a gallery shows exactly what a model
is trained on (and a face model can score them:
:func:`fakeguard.detectors.display.crop_gallery`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from fakeguard.detectors.faces import DEFAULT_MARGIN, DEFAULT_SIZE, FaceDetector
from fakeguard.detectors.faces.extract import extract_faces

from .blend import self_blend
from .faceswap import landmark_swap

#: The kinds :func:`face_examples` makes (the face recipe's pseudo-fake kinds).
KINDS: tuple[str, ...] = ("self_blend", "landmark_swap")


def face_examples(
    images: Sequence[str | Path | np.ndarray],
    kinds: Sequence[str] = KINDS,
    *,
    detector: Any = None,
    seed: int = 0,
) -> list[dict[str, np.ndarray]]:
    """The largest face of each photo, aligned, and a pseudo-fake of it per kind.

    Args:
        images: photo paths (decoded by the intake) or ``(H, W, 3)`` uint8 RGB arrays.
            Photos without a face are skipped.
        kinds: ``self_blend`` (the face blended into itself, altered) and/or
            ``landmark_swap`` (the next photo's face warped onto it: needs two faces).
        detector: a :class:`~fakeguard.detectors.api.Detector` or face-forgery detector whose
            crop size, margin and face detector to use (so that its model can score the
            crops); None for the defaults (224 px, margin 1.3).
        seed: the pseudo-fakes' random draws.

    Returns:
        One dict per photo with a face: ``real`` and each kind, ``(S, S, 3)`` uint8 crops.

    Raises:
        ValueError: an unknown kind, or a swap asked for with fewer than two faces.
    """
    from fakeguard.detectors.intake import as_source, load_image

    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown pseudo-fake kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
    face = getattr(detector, "face", detector)
    size = face.size if face is not None else DEFAULT_SIZE
    margin = face.margin if face is not None else DEFAULT_MARGIN
    finder = face.face_detector if face is not None else FaceDetector()
    crops = []
    for image in images:
        pixels = image if isinstance(image, np.ndarray) else load_image(as_source(image)).pixels
        found = extract_faces(pixels, finder, size, margin)
        if found:
            crops.append((found[0].crop.image, found[0].crop.landmarks))
    if "landmark_swap" in kinds and len(crops) < 2:
        raise ValueError(f"a landmark swap needs faces of two photos; found {len(crops)}")
    rng = np.random.default_rng(seed)
    examples = []
    for i, (crop, landmarks) in enumerate(crops):
        row = {"real": crop}
        for kind in kinds:
            if kind == "self_blend":
                row[kind] = self_blend(crop, landmarks, rng)[0]
            else:
                donor, donor_landmarks = crops[(i + 1) % len(crops)]
                row[kind] = landmark_swap(crop, landmarks, donor, donor_landmarks, rng)[0]
        examples.append(row)
    return examples
