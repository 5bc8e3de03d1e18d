"""The few ways a metadata value becomes a :class:`ProvenanceSignal`, shared by every reader.

EXIF, XMP, PNG text and C2PA all carry the same three kinds of statement (a
tool's name, a camera, an IPTC digital source type); building their signals
in one place keeps the wording and the table look-ups identical whichever
block they came from.
"""

from __future__ import annotations

from .tables import tables
from .types import Indication, ProvenanceSignal, TrustLevel

#: Longest value kept in a signal; metadata fields can be arbitrarily long.
MAX_VALUE_CHARS = 200


def clip(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def software(
    text: str, source: str, trust: TrustLevel = TrustLevel.UNSIGNED, known_only: bool = False
) -> ProvenanceSignal | None:
    """A tool named in a Software-like field, with the indication of its category when the table knows it.

    Args:
        text: the field's value ("Adobe Photoshop 25.0 (Windows)").
        source: where it was found.
        trust: how far the field can be believed.
        known_only: return None for a name the table does not know (for fields such
            as a credit line, which usually name a person).
    """
    value = clip(text)
    if not value:
        return None
    tool = tables().tool(value)
    if tool is None:
        if known_only:
            return None
        return ProvenanceSignal("software", value, source, trust, Indication.OTHER)
    detail = f"known {tool.category.replace('_', ' ')}: {tool.name}"
    return ProvenanceSignal("software", value, source, trust, tool.indicates, detail)


def camera(make: str, model: str, source: str) -> ProvenanceSignal | None:
    """A capture device named by Make/Model fields (a claim anyone can write, like any unsigned field)."""
    make, model = clip(make), clip(model)
    if model.lower().startswith(make.lower()):
        make = ""  # "Canon" + "Canon EOS R5": say it once
    value = " ".join(p for p in (make, model) if p)
    if not value:
        return None
    tool = tables().tool(value)
    if tool is not None:  # a generator that fills Make/Model with its own name
        return ProvenanceSignal("software", value, source, TrustLevel.UNSIGNED, tool.indicates, f"known: {tool.name}")
    return ProvenanceSignal("camera", value, source, TrustLevel.UNSIGNED, Indication.CAPTURED)


def source_type(value: str, source: str, trust: TrustLevel = TrustLevel.UNSIGNED) -> ProvenanceSignal | None:
    """An IPTC digital source type (URL or bare code); unknown codes are kept as ``other``."""
    value = clip(value)
    if not value:
        return None
    known = tables().source_type(value)
    if known is None:
        code = value.rstrip("/").rsplit("/", 1)[-1]
        return ProvenanceSignal("digital_source_type", code, source, trust, Indication.OTHER, f"unknown code: {value}")
    code, indication = known
    return ProvenanceSignal("digital_source_type", code, source, trust, indication)
