"""Pseudo-fake generators: fakes made from real samples, paired with them for splitting.

:mod:`.vocode` resynthesises real speech through the simple vocoders of
:mod:`.vocoders` (Wang & Yamagishi, ICASSP 2023), so that a detector learns
vocoder artefacts instead of voices or sentences.
"""

from __future__ import annotations

from .vocode import METHODS, check_methods, generate_pseudo_fakes, list_methods, read_pseudo_fakes

__all__ = ["METHODS", "check_methods", "generate_pseudo_fakes", "list_methods", "read_pseudo_fakes"]
