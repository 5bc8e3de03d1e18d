"""A timm-style model registry: ``@register_model`` variants, ``create_model`` by name.

Each architecture family lives in one module of this package; each variant is
a small function decorated with :func:`register_model` that fixes its numbers
and builds the family's class. A name may carry a weight tag after a dot
(``voice_lcnn_small.shared_v1``): with ``pretrained=True`` the weights of that
tag are loaded from the package's ``weights/`` folder (see
:mod:`fakeguard.detectors.weights`), and the architecture numbers saved with
them win over the variant's defaults, so a weight folder always rebuilds the
model it was trained as.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import Any

import torch.nn as nn

_model_entrypoints: dict[str, Callable[..., nn.Module]] = {}
_model_tasks: dict[str, str] = {}


def register_model(task: str) -> Callable[[Callable[..., nn.Module]], Callable[..., nn.Module]]:
    """Register a variant function under its own name, for a task (``voice`` or ``face``)."""

    def decorator(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
        name = fn.__name__
        if name in _model_entrypoints:
            raise RuntimeError(f"model {name!r} is registered twice")
        _model_entrypoints[name] = fn
        _model_tasks[name] = task
        return fn

    return decorator


def split_model_name(name: str) -> tuple[str, str | None]:
    """``"voice_lcnn_small.shared_v1"`` -> ``("voice_lcnn_small", "shared_v1")``."""
    arch, _, tag = name.partition(".")
    return arch, tag or None


def list_models(pattern: str = "*", task: str | None = None) -> list[str]:
    """Registered architecture names matching a glob pattern, optionally for one task."""
    return sorted(
        n for n in _model_entrypoints if fnmatch.fnmatch(n, pattern) and (task is None or _model_tasks[n] == task)
    )


def model_task(name: str) -> str:
    """The task (``voice`` / ``face``) a registered architecture serves."""
    arch, _ = split_model_name(name)
    if arch not in _model_tasks:
        raise RuntimeError(f"Unknown model ({arch}); registered: {', '.join(list_models())}")
    return _model_tasks[arch]


def create_model(name: str, pretrained: bool = False, **kwargs: Any) -> nn.Module:
    """Build a registered model.

    Args:
        name: architecture name, optionally with a weight tag (``arch.tag``).
        pretrained: load the shipped weights of the tag (the default tag of
            the architecture when none is given).
        **kwargs: overrides of the variant's config fields; ``None`` values are
            dropped so that unset CLI options cannot override model defaults.

    Raises:
        RuntimeError: unknown architecture, or no shipped weights for the tag.
    """
    arch, tag = split_model_name(name)
    if arch not in _model_entrypoints:
        raise RuntimeError(f"Unknown model ({arch}); registered: {', '.join(list_models())}")
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    if not pretrained:
        return _model_entrypoints[arch](**kwargs)
    from ..weights import load_pretrained  # late import: weights imports this module

    return load_pretrained(arch, tag, overrides=kwargs)


def build_from_config(arch: str, config: dict[str, Any]) -> nn.Module:
    """Rebuild an architecture from a saved config dict (the variant's defaults, then the saved values)."""
    if arch not in _model_entrypoints:
        raise RuntimeError(f"Unknown model ({arch}); registered: {', '.join(list_models())}")
    return _model_entrypoints[arch](**config)
