"""Model inputs from crops: the one place pixels become tensors.

Training (:mod:`fakeguard.datasets.face_torch`), evaluation and serving all
call :func:`face_batch` with the model's own config, so the normalisation a
model was trained with travels with its weights (``config.json``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch


def face_batch(crops: Sequence[np.ndarray] | np.ndarray, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """``(B, 3, S, S)`` float32 channels-last tensor from ``(S, S, 3)`` uint8 RGB crops.

    Args:
        crops: aligned face crops (:class:`~fakeguard.detectors.faces.FaceCrop` images).
        mean, std: the model config's normalisation of [0, 1] RGB.
    """
    array = np.ascontiguousarray(np.stack(list(crops)) if not isinstance(crops, np.ndarray) else crops)
    if array.ndim != 4 or array.shape[-1] != 3 or array.dtype != np.uint8:
        raise ValueError(f"expected (B, S, S, 3) uint8 crops, got {array.shape} {array.dtype}")
    x = torch.from_numpy(array).permute(0, 3, 1, 2).float().div_(255.0)
    m = torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)
    s = torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)
    return ((x - m) / s).contiguous(memory_format=torch.channels_last)
