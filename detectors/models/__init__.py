"""Networks: the registry and one module per architecture family (importing registers them)."""

from __future__ import annotations

from . import face_effnet, voice_lcnn  # noqa: F401  (registers the variants)
from .registry import create_model, list_models, model_task, register_model, split_model_name

__all__ = ["create_model", "list_models", "model_task", "register_model", "split_model_name"]
