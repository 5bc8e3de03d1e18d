"""Experiment configs as data: YAML files loaded into frozen dataclasses, with checked overrides.

Unknown keys and wrong types fail with the offending key named (nanoGPT's
configurator checks the same things, without ``exec``). ``--set a.b=value``
overrides are parsed as YAML scalars, so ``epochs=3``, ``lr=3e-4``,
``data.sources=[yourtts,pwg_demo]`` and ``data.holdout_family=null`` all work.
The resolved config is saved beside every run's outputs.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

T = TypeVar("T")


def _set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = data
    for key in keys[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise ValueError(f"override {dotted!r}: {key!r} is not a section")
    node[keys[-1]] = value


def parse_overrides(overrides: Sequence[str]) -> dict[str, Any]:
    """``["epochs=3", "data.seed=1"]`` -> nested dict."""
    out: dict[str, Any] = {}
    for item in overrides:
        if "=" not in item:
            raise ValueError(f"override {item!r} must look like key=value")
        key, raw = item.split("=", 1)
        _set_path(out, key.strip(), yaml.safe_load(raw) if raw.strip() else "")
    return out


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _check_keys(cls: type, data: dict[str, Any], prefix: str = "") -> None:
    """Unknown keys fail here, naming them, before pydantic checks the types."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key, value in data.items():
        if key not in known:
            raise ValueError(f"unknown config key {prefix + key!r}; known: {', '.join(sorted(known))}")
        if isinstance(value, dict) and dataclasses.is_dataclass(hints.get(key)):
            _check_keys(hints[key], value, prefix + key + ".")


def load_config(cls: type[T], path: str | Path | None = None, overrides: Sequence[str] = ()) -> T:
    """Build a config dataclass from defaults, a YAML file, then ``key=value`` overrides.

    Raises:
        ValueError: unknown key, malformed override, or a value of the wrong type.
    """
    return resolve_config(cls, path, overrides)


def resolve_config(
    cls: type[T],
    config: T | str | Path | Mapping[str, Any] | None = None,
    overrides: Sequence[str] = (),
    values: Mapping[str, Any] | None = None,
) -> T:
    """A config dataclass from a YAML file, a mapping or a config, then overrides; how the CLI and Python agree.

    Args:
        cls: the config dataclass (``VoiceTrainConfig``, ``FaceTrainConfig``).
        config: a YAML path, the same content as a mapping, an instance of ``cls``, or None
            for the dataclass defaults.
        overrides: ``--set``-style ``key=value`` strings (values read as YAML).
        values: more overrides as Python values; keys may be dotted (``"data.sources"``) and
            nested mappings merge into their section (``data={"root": ...}`` keeps the
            section's other keys). Applied after ``overrides``.

    Raises:
        ValueError: unknown key, malformed override, or a value of the wrong type.
    """
    data: dict[str, Any] = {}
    if isinstance(config, cls):
        data = config_to_dict(config)
    elif isinstance(config, Mapping):
        data = dict(config)
    elif config is not None:
        loaded = yaml.safe_load(Path(config).read_text()) or {}  # type: ignore[arg-type]
        if not isinstance(loaded, dict):
            raise ValueError(f"{config}: a config file must be a YAML mapping")
        data = loaded
    data = _merge(data, parse_overrides(overrides))
    for key, value in (values or {}).items():
        nested: dict[str, Any] = {}
        _set_path(nested, key, value)
        data = _merge(data, nested)
    _check_keys(cls, data)
    try:
        return TypeAdapter(cls).validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"invalid config: {problems}") from exc


def config_to_dict(cfg: Any) -> dict[str, Any]:
    """A config dataclass as plain data (for saving beside a run)."""
    return TypeAdapter(type(cfg)).dump_python(cfg, mode="json")


def save_config(cfg: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config_to_dict(cfg), sort_keys=False))
