"""Small untrained models saved as weight folders, for tests of mechanics rather than quality.

Every pipeline, CLI and service test that needs a face model uses the same
one: a randomly initialised ``face_effnet_lite0`` at 128 px (a quarter of the
shipped input's pixels keeps each test fast), saved as the weight folder a
user would pass with ``--face-model``.
"""

from __future__ import annotations

from pathlib import Path

import torch

from fakeguard.detectors.calibration import Calibration
from fakeguard.detectors.models import create_model
from fakeguard.detectors.weights import save_weight_folder


def random_face_weights(
    folder: Path, seed: int = 0, calibration: Calibration | None = None, input_size: int = 128
) -> Path:
    """Save a face model drawn with ``seed`` into ``folder`` (tag and version ``test``); returns the folder."""
    torch.manual_seed(seed)
    model = create_model("face_effnet_lite0", input_size=input_size)
    save_weight_folder(
        model,
        folder,
        arch="face_effnet_lite0",
        tag="test",
        model_args=model.cfg.to_dict(),
        calibration=calibration or Calibration(),
        version="test",
    )
    return folder
