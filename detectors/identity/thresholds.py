"""Match thresholds for face and voice identity, read from ``thresholds.yaml`` beside this file.

The numbers are data, not code: ``bench/identity_face.py --write-thresholds``
and ``bench/identity_voice.py --write-thresholds`` choose each threshold on the
shared data and rewrite its entry, with the error rates measured there, so the
file always says where its numbers came from (docs/watchlist.md explains the
choice).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).with_name("thresholds.yaml")

_HEADER = """\
# Identity match thresholds: cosine similarity of unit-length embeddings, from which a face or a
# voice counts as an enrolled person. Written by bench/identity_face.py and bench/identity_voice.py
# (--write-thresholds) from measurements on ../shared/data; docs/watchlist.md explains the choice.
# eer, fmr and fnmr are rates in [0, 1]: fmr is the share of impostor pairs at or above the
# threshold (a false match), fnmr the share of genuine pairs below it (a missed match).
"""


@dataclass(frozen=True)
class KindThreshold:
    """The threshold of one kind of identity and the measurement behind it.

    Attributes:
        model: the embedding model it applies to (``dlib_resnet_v1``, ``ge2e_resemblyzer``).
        threshold: cosine similarity from which two embeddings are the same person.
        target_fmr: the false-match rate per comparison the threshold was chosen for.
        eer: equal error rate on the measurement pairs.
        fmr: false-match rate at the threshold on the impostor pairs.
        fnmr: false-non-match rate at the threshold on the genuine pairs.
        measured_on: the data, in words.
        bench: the script that wrote the entry.
    """

    model: str
    threshold: float
    target_fmr: float
    eer: float
    fmr: float
    fnmr: float
    measured_on: str
    bench: str

    @classmethod
    def from_dict(cls, kind: str, data: dict[str, Any]) -> KindThreshold:
        names = {f.name for f in fields(cls)}
        unknown, missing = set(data) - names, names - set(data)
        if unknown or missing:
            raise ValueError(f"thresholds.yaml [{kind}]: unknown keys {sorted(unknown)}, missing {sorted(missing)}")
        entry = cls(**data)
        for name in ("threshold", "target_fmr", "eer", "fmr", "fnmr"):
            if not isinstance(getattr(entry, name), (int, float)) or isinstance(getattr(entry, name), bool):
                raise ValueError(f"thresholds.yaml [{kind}].{name} must be a number")
        if not -1.0 <= entry.threshold <= 1.0:
            raise ValueError(f"thresholds.yaml [{kind}].threshold must be a cosine similarity in [-1, 1]")
        return entry


@dataclass(frozen=True)
class IdentityThresholds:
    """Both kinds' thresholds."""

    face: KindThreshold
    voice: KindThreshold

    def for_kind(self, kind: str) -> KindThreshold:
        if kind not in ("face", "voice"):
            raise ValueError(f"kind must be 'face' or 'voice', got {kind!r}")
        return self.face if kind == "face" else self.voice


def _read(path: Path) -> IdentityThresholds:
    data = yaml.safe_load(path.read_text()) or {}
    if set(data) != {"face", "voice"}:
        raise ValueError(f"{path}: expected the keys face and voice, got {sorted(data)}")
    return IdentityThresholds(
        face=KindThreshold.from_dict("face", data["face"]), voice=KindThreshold.from_dict("voice", data["voice"])
    )


@lru_cache(maxsize=1)
def _default() -> IdentityThresholds:
    return _read(DEFAULT_PATH)


def load_thresholds(path: str | Path | None = None) -> IdentityThresholds:
    """The thresholds in ``path`` (default: the packaged ``thresholds.yaml``, read once)."""
    return _default() if path is None else _read(Path(path))


def write_threshold(kind: str, entry: KindThreshold, path: str | Path | None = None) -> Path:
    """Replace one kind's entry in the thresholds file, keeping the other (what the benches call)."""
    target = Path(path) if path else DEFAULT_PATH
    current = _read(target)
    both = {"face": current.face, "voice": current.voice}
    current.for_kind(kind)  # validates the kind
    both[kind] = entry
    body = yaml.safe_dump({k: asdict(v) for k, v in both.items()}, sort_keys=False)
    target.write_text(_HEADER + body)
    _default.cache_clear()
    return target
