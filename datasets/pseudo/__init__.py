"""Pseudo-fake generators: fakes made from real samples, paired with them for splitting.

:mod:`.vocode` resynthesises real speech through the simple vocoders of
:mod:`.vocoders` (Wang & Yamagishi, ICASSP 2023), so that a detector learns
vocoder artefacts instead of voices or sentences.

For faces, :mod:`.blend` pastes an aligned real face onto itself through a
deformed inner-face mask (:mod:`.face_mask`), after a slight change of colour,
sharpness and position (Self-Blended Images, Shiohara & Yamasaki, CVPR 2022),
and :mod:`.faceswap` pastes another real person's face in by a landmark-driven
warp (FaceForensics++'s FaceSwap), so that a detector learns blending
boundaries instead of identities. :mod:`.examples` makes a few of each from chosen
photos, to look at.
"""

from __future__ import annotations

from .blend import self_blend
from .examples import face_examples
from .face_mask import face_mask, face_polygon
from .faceswap import landmark_swap
from .vocode import METHODS, check_methods, generate_pseudo_fakes, list_methods, read_pseudo_fakes

__all__ = [
    "METHODS",
    "check_methods",
    "face_examples",
    "face_mask",
    "face_polygon",
    "generate_pseudo_fakes",
    "landmark_swap",
    "list_methods",
    "read_pseudo_fakes",
    "self_blend",
]
