"""Resumable training checkpoints in safetensors (no pickle).

A checkpoint holds the model, the optimizer's tensors, the scheduler and the
random states of torch, NumPy and Python, so that training stopped at any
epoch (a session ending, a kill) resumes as if it had not stopped. Tensors go
into the safetensors file; everything else into its JSON metadata.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file


def _split_optimizer(state: dict[str, Any]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    tensors: dict[str, torch.Tensor] = {}
    plain: dict[str, Any] = {"param_groups": state["param_groups"], "state": {}}
    for pid, entry in state["state"].items():
        plain_entry = {}
        for key, value in entry.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optim.{pid}.{key}"] = value.detach().cpu().contiguous()
            else:
                plain_entry[key] = value
        plain["state"][str(pid)] = plain_entry
    return tensors, plain


def _join_optimizer(tensors: dict[str, torch.Tensor], plain: dict[str, Any]) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {int(pid): dict(entry) for pid, entry in plain["state"].items()}
    for name, tensor in tensors.items():
        _, pid, key = name.split(".", 2)
        state.setdefault(int(pid), {})[key] = tensor
    return {"state": state, "param_groups": plain["param_groups"]}


def save_checkpoint(
    path: Path,
    *,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any | None,
    epoch: int,
    info: dict[str, Any],
    rng: np.random.Generator,
) -> None:
    """Write a checkpoint atomically (a temporary file renamed into place)."""
    tensors = {f"model.{k}": v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    optim_tensors, optim_plain = _split_optimizer(optimizer.state_dict())
    tensors.update(optim_tensors)
    tensors["rng.torch"] = torch.get_rng_state()
    metadata = {
        "epoch": json.dumps(epoch),
        "info": json.dumps(info),
        "optimizer": json.dumps(optim_plain),
        "scheduler": json.dumps(scheduler.state_dict() if scheduler is not None else None),
        "rng.numpy": json.dumps(rng.bit_generator.state),
        "rng.python": json.dumps(random.getstate(), default=list),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    save_file(tensors, str(tmp), metadata=metadata)
    os.replace(tmp, path)


def load_checkpoint(
    path: Path,
    *,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any | None,
    rng: np.random.Generator,
) -> tuple[int, dict[str, Any]]:
    """Restore everything :func:`save_checkpoint` wrote; returns (epoch, info)."""
    with safe_open(str(path), framework="pt") as fh:
        metadata = fh.metadata()
        tensors = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118 (a safetensors handle, not a dict)
    model.load_state_dict({k[len("model.") :]: v for k, v in tensors.items() if k.startswith("model.")}, strict=True)
    optim_tensors = {k: v for k, v in tensors.items() if k.startswith("optim.")}
    optimizer.load_state_dict(_join_optimizer(optim_tensors, json.loads(metadata["optimizer"])))
    sched_state = json.loads(metadata["scheduler"])
    if scheduler is not None and sched_state is not None:
        scheduler.load_state_dict(sched_state)
    torch.set_rng_state(tensors["rng.torch"])
    rng.bit_generator.state = json.loads(metadata["rng.numpy"])
    py_state = json.loads(metadata["rng.python"])
    random.setstate((py_state[0], tuple(py_state[1]), py_state[2]))
    return json.loads(metadata["epoch"]), json.loads(metadata["info"])
