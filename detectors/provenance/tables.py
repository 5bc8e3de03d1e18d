"""The provenance tables (``known_tools.yaml``) loaded into typed, compiled form.

Which generator writes which name, key or watermark changes every month; the
readers stay the same. So the names live in a YAML file shipped as package
data, and this module turns it into frozen dataclasses once per process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

from .types import Indication

TABLE_FILE = "known_tools.yaml"


@dataclass(frozen=True)
class Tool:
    """A generator or editor recognised by its name in a metadata field."""

    name: str
    pattern: re.Pattern[str]
    category: str
    indicates: Indication


@dataclass(frozen=True)
class SettingsFormat:
    """A generator's settings block, recognised by its PNG text key and/or its text."""

    name: str
    keys: frozenset[str]
    pattern: re.Pattern[str] | None
    json: bool


@dataclass(frozen=True)
class XmpField:
    ns: str
    name: str
    label: str
    kind: str
    known_only: bool


@dataclass(frozen=True)
class ExifField:
    tag: int
    ifd: int | None
    label: str
    kind: str


@dataclass(frozen=True)
class Watermark:
    """A known DWT-DCT watermark message.

    Attributes:
        name: who embeds it.
        bits: the message, ``(n,)`` bool.
        min_accuracy: share of bits that must be read back for a detection.
    """

    name: str
    bits: NDArray[np.bool_]
    min_accuracy: float


@dataclass(frozen=True)
class Tables:
    digital_source_types: dict[str, Indication]
    tools: tuple[Tool, ...]
    generator_settings: tuple[SettingsFormat, ...]
    software_text_keys: frozenset[str]
    xmp_fields: tuple[XmpField, ...]
    exif_fields: tuple[ExifField, ...]
    watermarks: tuple[Watermark, ...]

    def tool(self, text: str) -> Tool | None:
        """The first known tool whose pattern occurs in ``text``."""
        return next((t for t in self.tools if t.pattern.search(text)), None)

    def source_type(self, value: str) -> tuple[str, Indication] | None:
        """``(code, indication)`` for an IPTC digital source type given as a URL or a bare code."""
        code = value.strip().rstrip("/").rsplit("/", 1)[-1]
        indication = self.digital_source_types.get(code)
        return (code, indication) if indication is not None else None


def _bits(entry: dict[str, Any]) -> NDArray[np.bool_]:
    if "bytes" in entry:
        return np.unpackbits(np.frombuffer(str(entry["bytes"]).encode(), np.uint8)).astype(bool)
    return np.array([c == "1" for c in str(entry["bits"])], dtype=bool)


def parse_tables(data: dict[str, Any]) -> Tables:
    """Build :class:`Tables` from the YAML's mapping (unknown categories or indications fail loudly)."""
    categories = {name: Indication(value) for name, value in data["categories"].items()}
    return Tables(
        digital_source_types={k: Indication(v) for k, v in data["digital_source_types"].items()},
        tools=tuple(
            Tool(t["name"], re.compile(t["match"], re.IGNORECASE), t["category"], categories[t["category"]])
            for t in data["tools"]
        ),
        generator_settings=tuple(
            SettingsFormat(
                name=g["name"],
                keys=frozenset(g.get("keys", ())),
                pattern=re.compile(g["match"], re.IGNORECASE) if g.get("match") else None,
                json=bool(g.get("json", False)),
            )
            for g in data["generator_settings"]
        ),
        software_text_keys=frozenset(data["software_text_keys"]),
        xmp_fields=tuple(
            XmpField(f["ns"], f["name"], f["label"], f["kind"], bool(f.get("known_only", False)))
            for f in data["xmp_fields"]
        ),
        exif_fields=tuple(ExifField(int(f["tag"]), f.get("ifd"), f["label"], f["kind"]) for f in data["exif_fields"]),
        watermarks=tuple(Watermark(w["name"], _bits(w), float(w["min_accuracy"])) for w in data["watermarks"]),
    )


@lru_cache(maxsize=1)
def tables() -> Tables:
    """The shipped tables, parsed once."""
    text = resources.files(__package__).joinpath(TABLE_FILE).read_text(encoding="utf-8")
    return parse_tables(yaml.safe_load(text))
