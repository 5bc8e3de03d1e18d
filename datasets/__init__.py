"""fakeguard.datasets: where training and evaluation samples come from.

Readers for the public deepfake datasets in their own published layouts, the
shared-data manifests, seeded splits, and the generators of pseudo-fakes. How
a sample is decoded and cropped is not decided here: that is
:mod:`fakeguard.detectors`' single preprocessing path.
"""

from __future__ import annotations

# Importing the reader modules registers them (timm-style); they read nothing at import.
from . import asvspoof, celebdf, dfdc, ffpp, folder, in_the_wild, shared, wavefake  # noqa: F401
from .base import BONAFIDE, Reader, Sample, create_reader, label_from_str, list_readers, register_reader
from .splits import Split, SplitFile, leave_out, read_split, split_by_group, write_split

__all__ = [
    "BONAFIDE",
    "Reader",
    "Sample",
    "Split",
    "SplitFile",
    "create_reader",
    "label_from_str",
    "leave_out",
    "list_readers",
    "read_split",
    "register_reader",
    "split_by_group",
    "write_split",
]
