"""Shipped and trained weight folders: ``config.json`` + ``model.safetensors`` + ``MODEL_CARD.md``.

A weight folder is self-describing (as timm's ``local-dir:`` folders): the
config names the architecture, its arguments, the calibration fitted on
validation data and the version, so that :func:`load_weight_folder` rebuilds
exactly the model that was trained, and serving reads its preprocessing
(sample rate, window length) from the same file. Weights are only ever read
from safetensors: no pickle is loaded.

Shipped folders live in ``detectors/weights/<arch>.<tag>/``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch.nn as nn
from safetensors.torch import load_file, save_file

from .calibration import Calibration
from .models.registry import build_from_config, model_task, split_model_name
from .report import ModelInfo

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
CARD_NAME = "MODEL_CARD.md"

#: The weights each task uses when the caller names none.
DEFAULT_MODELS: dict[str, str] = {"voice": "voice_lcnn_small.shared_v1", "face": "face_effnet_lite0.shared_v2"}


@dataclass(frozen=True)
class WeightInfo:
    """What a loaded weight folder says about itself.

    Attributes:
        name: ``arch.tag``.
        arch: registered architecture.
        task: ``voice`` or ``face``.
        version: the weights' version string.
        path: the folder.
        sha256: hash of ``model.safetensors`` (reports carry it).
        model_args: the architecture's config as saved.
        calibration: logit-to-probability map fitted on validation data.
        metadata: anything else saved (training data, metrics summary).
    """

    name: str
    arch: str
    task: str
    version: str
    path: Path
    sha256: str
    model_args: dict[str, Any]
    calibration: Calibration
    metadata: dict[str, Any] = field(default_factory=dict)

    def model_info(self) -> ModelInfo:
        """What a report says about these weights."""
        return ModelInfo(name=self.name, task=self.task, version=self.version, weights_sha256=self.sha256)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_weight_folder(
    model: nn.Module,
    folder: Path,
    *,
    arch: str,
    tag: str,
    model_args: dict[str, Any],
    calibration: Calibration,
    version: str,
    metadata: dict[str, Any] | None = None,
) -> Path:
    """Write a weight folder (config + safetensors); the model card is written by the caller.

    Returns:
        The folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(folder / WEIGHTS_NAME), metadata={"arch": arch, "tag": tag, "version": version})
    config = {
        "arch": arch,
        "tag": tag,
        "task": model_task(arch),
        "version": version,
        "model_args": model_args,
        "calibration": calibration.to_dict(),
        "metadata": metadata or {},
    }
    (folder / CONFIG_NAME).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    return folder


def load_weight_folder(folder: str | Path, overrides: dict[str, Any] | None = None) -> tuple[nn.Module, WeightInfo]:
    """Rebuild a model from a weight folder, in eval mode.

    Args:
        folder: the folder holding ``config.json`` and ``model.safetensors``.
        overrides: config fields to change that do not alter the weights'
            shapes (e.g. ``hop_s``); a shape change fails at load.

    Raises:
        FileNotFoundError: the folder or one of its two files is missing.
        RuntimeError: the weights do not match the architecture.
    """
    folder = Path(folder)
    config_path, weights_path = folder / CONFIG_NAME, folder / WEIGHTS_NAME
    for path in (config_path, weights_path):
        if not path.is_file():
            raise FileNotFoundError(f"{path}: missing from the weight folder {folder}")
    config = json.loads(config_path.read_text())
    arch = config["arch"]
    model_args = {**config["model_args"], **(overrides or {})}
    model = build_from_config(arch, model_args)
    state = load_file(str(weights_path))
    model.load_state_dict(state, strict=True)
    model.eval()
    info = WeightInfo(
        name=f"{arch}.{config['tag']}",
        arch=arch,
        task=config["task"],
        version=config["version"],
        path=folder,
        sha256=file_sha256(weights_path),
        model_args=model_args,
        calibration=Calibration.from_dict(config.get("calibration")),
        metadata=config.get("metadata", {}),
    )
    model.weight_info = info  # type: ignore[attr-defined]
    return model, info


def shipped_folder(arch: str, tag: str | None) -> Path:
    """The shipped folder for ``arch.tag`` (the default tag of the task when ``tag`` is None)."""
    if tag is None:
        default = DEFAULT_MODELS.get(model_task(arch), "")
        default_arch, default_tag = split_model_name(default)
        if default_arch != arch or default_tag is None:
            raise RuntimeError(f"no default weights for {arch}; name a tag ({arch}.TAG) or a weight folder")
        tag = default_tag
    folder = WEIGHTS_DIR / f"{arch}.{tag}"
    if not folder.is_dir():
        available = sorted(p.name for p in WEIGHTS_DIR.iterdir() if p.is_dir()) if WEIGHTS_DIR.is_dir() else []
        raise RuntimeError(f"no shipped weights {arch}.{tag}; shipped: {', '.join(available) or 'none'}")
    return folder


def load_pretrained(arch: str, tag: str | None, overrides: dict[str, Any] | None = None) -> nn.Module:
    """Load shipped weights by architecture and tag (see :func:`shipped_folder`)."""
    model, _ = load_weight_folder(shipped_folder(arch, tag), overrides)
    return model


#: Where a training run keeps its calibrated best weights, inside the run folder.
RUN_WEIGHTS = "weights"


def resolve_model(name_or_path: str | Path | None, task: str) -> tuple[nn.Module, WeightInfo]:
    """A model from a weight folder, a training run's folder (its ``weights/``), a shipped ``arch.tag``
    name, or the task's default."""
    if name_or_path and Path(name_or_path).is_dir():
        folder = Path(name_or_path)
        if not (folder / CONFIG_NAME).is_file() and (folder / RUN_WEIGHTS / CONFIG_NAME).is_file():
            folder = folder / RUN_WEIGHTS
        return load_weight_folder(folder)
    arch, tag = split_model_name(str(name_or_path) if name_or_path else DEFAULT_MODELS[task])
    return load_weight_folder(shipped_folder(arch, tag))
