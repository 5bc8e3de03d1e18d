"""Generator settings in PNG text chunks, JPEG comments and EXIF text fields.

Local image generators save how an image was made next to its pixels:
AUTOMATIC1111's web UI and its forks write a ``parameters`` text chunk (or
an EXIF UserComment in a JPEG) ending in "Steps: 20, Sampler: Euler a, ...",
ComfyUI writes its node graph as JSON under ``prompt`` and ``workflow``,
InvokeAI, Fooocus and NovelAI have their own keys. Which key and pattern
means which generator is in the ``generator_settings`` table of
``known_tools.yaml``.

These are unsigned: a re-save strips them and anyone can write them. They
are still strong evidence, since nobody types a sampler schedule into a
holiday photo, and the report shows them as such.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from .blocks import TextBlock
from .signals import clip, software
from .tables import SettingsFormat, tables
from .types import Indication, ProvenanceSignal, TrustLevel

#: AUTOMATIC1111 settings kept in the signal's detail, in this order.
_A1111_FIELDS = ("Model", "Model hash", "Sampler", "Steps", "CFG scale", "Seed", "Size", "Version")
_A1111_PAIR = re.compile(r'\s*([\w .-]+?):\s*("(?:\\.|[^"])*"|[^,]*)(?:,|$)')
_PROMPT_CHARS = 120


def text_signals(blocks: Iterable[TextBlock]) -> list[ProvenanceSignal]:
    """Settings and software signals from text blocks, one settings signal per generator.

    ComfyUI writes two chunks (``prompt`` and ``workflow``) for one image; they
    become one signal naming both places.
    """
    found: dict[str, tuple[list[str], str]] = {}
    out: list[ProvenanceSignal] = []
    for block in blocks:
        if block.key in tables().software_text_keys:
            signal = software(block.text, block.where)
            if signal is not None:
                out.append(signal)
            continue
        fmt = match_settings(block)
        if fmt is None:
            continue
        wheres, detail = found.get(fmt.name, ([], ""))
        found[fmt.name] = (wheres + [block.where], detail or settings_detail(fmt, block.text))
    for name, (wheres, detail) in found.items():
        out.append(
            ProvenanceSignal(
                "generator_settings", name, ", ".join(wheres), TrustLevel.UNSIGNED, Indication.AI_GENERATED, detail
            )
        )
    return out


def match_settings(block: TextBlock) -> SettingsFormat | None:
    """The first settings format of the table that ``block`` fits (key, pattern and JSON-ness)."""
    for fmt in tables().generator_settings:
        if fmt.keys and block.key not in fmt.keys:
            continue
        if not fmt.keys and fmt.pattern is None:
            continue
        if fmt.pattern is not None and not fmt.pattern.search(block.text):
            continue
        if fmt.json and not isinstance(_json(block.text), (dict, list)):
            continue
        return fmt
    return None


def settings_detail(fmt: SettingsFormat, text: str) -> str:
    """The model, sampler and seed of AUTOMATIC1111-style text, or the checkpoints of a ComfyUI graph."""
    if "Steps:" in text:
        return _a1111_detail(text)
    data = _json(text)
    if isinstance(data, dict):
        models = sorted(
            {
                str(v)
                for node in data.values()
                if isinstance(node, dict)
                for k, v in (node.get("inputs") or {}).items()
                if k in ("ckpt_name", "unet_name") and isinstance(v, str)
            }
        )
        if models:
            return "model: " + ", ".join(clip(m, 80) for m in models)
    return ""


def _a1111_detail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    settings = next((line for line in reversed(lines) if "Steps:" in line), "")
    pairs = {k.strip(): v.strip().strip('"') for k, v in _A1111_PAIR.findall(settings)}
    parts = [f"{k}: {pairs[k]}" for k in _A1111_FIELDS if pairs.get(k)]
    prompt = lines[0] if lines and "Steps:" not in lines[0] else ""
    if prompt:
        parts.append(f"prompt: {clip(prompt, _PROMPT_CHARS)}")
    return clip(", ".join(parts), 400)


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        return None
