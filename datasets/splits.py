"""Seeded group splits, leave-one-family-out, and split files.

A deepfake detector that has heard a speaker (or seen a face) in training can
pass a test by recognising the person instead of the manipulation, and a
real utterance in train with its vocoded copy in test leaks the content. So
splits are made over *units*: every sample sharing a group (speaker,
identity) or a pair key (utterance id, linked speaker) with another is in the
same unit, and whole units are assigned to splits.

Splits are deterministic for a seed whatever the input order, and are
written to a JSON file (source, relpath, label, split per sample) so an
experiment names the file it used rather than a seed and a code version.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .base import Sample

logger = logging.getLogger(__name__)

SPLIT_FORMAT = "fakeguard.split"
SPLIT_VERSION = 1
DEFAULT_FRACTIONS: Mapping[str, float] = MappingProxyType({"train": 0.8, "val": 0.1, "test": 0.1})

KeyFn = str | Callable[[Sample], Any]
"""A :class:`Sample` field name, an ``extra`` key, or a function of the sample.
The value may be a string, an iterable of strings, or ``None`` (no key)."""

_SAMPLE_FIELDS = frozenset(f.name for f in fields(Sample))


@dataclass(frozen=True)
class Split:
    """Named, disjoint parts of a sample list.

    Attributes:
        parts: split name -> samples, in the order the splits were asked for;
            samples within a part sorted by (source, relpath).
        meta: how the split was made (method, seed, fractions, keys), written
            into the split file.
    """

    parts: Mapping[str, tuple[Sample, ...]]
    meta: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", MappingProxyType({k: tuple(v) for k, v in self.parts.items()}))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    def __getitem__(self, name: str) -> tuple[Sample, ...]:
        return self.parts[name]

    @property
    def names(self) -> tuple[str, ...]:
        """Split names in order."""
        return tuple(self.parts)

    def counts(self) -> dict[str, dict[str, int]]:
        """``{split: {"real": n, "fake": n}}``, for logs and sanity checks."""
        return {
            name: {"real": sum(not s.is_fake for s in part), "fake": sum(s.is_fake for s in part)}
            for name, part in self.parts.items()
        }


def sample_key(sample: Sample) -> tuple[str, str]:
    """``(source, relpath)``: how a sample is named in a split file.

    ``extra["relpath"]`` (set by every reader, relative to the dataset root)
    is used so split files hold no absolute paths; the full path is the
    fallback for hand-made samples.
    """
    rel = sample.extra.get("relpath")
    return sample.source, str(rel) if rel is not None else sample.path.as_posix()


def _key_name(key: KeyFn | None) -> str | None:
    if key is None or isinstance(key, str):
        return key
    return getattr(key, "__name__", repr(key))


def _values(sample: Sample, key: KeyFn | None) -> list[str]:
    if key is None:
        return []
    if callable(key):
        value = key(sample)
    elif key in _SAMPLE_FIELDS:
        value = getattr(sample, key)
    else:
        value = sample.extra.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, Iterable):
        return [str(v) for v in value if v is not None and str(v)]
    return [str(value)]


def _check_fractions(fractions: Mapping[str, float]) -> None:
    if not fractions:
        raise ValueError("fractions must name at least one split")
    if any(f < 0 for f in fractions.values()):
        raise ValueError(f"fractions must not be negative: {dict(fractions)}")
    total = sum(fractions.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"fractions must sum to 1, got {total:g}: {dict(fractions)}")


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller name becomes the root, so a unit is named by its smallest node.
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


def units(
    samples: Sequence[Sample], group: KeyFn = "group", pair_key: KeyFn | None = "pair_key"
) -> dict[str, list[Sample]]:
    """Samples joined into the units a split must not cut.

    Groups and pair keys share one namespace: a pair key equal to another
    sample's group joins that group (the shared-data reader links a voice
    conversion to its target speaker this way).

    Args:
        samples: any order.
        group: where each sample's group comes from; every sample must have one.
        pair_key: where each sample's pair keys come from (``None``: no pairing).

    Returns:
        Unit name (its smallest group or key) -> its samples sorted by :func:`sample_key`.

    Raises:
        ValueError: a sample has no group.
    """
    uf = _UnionFind()
    anchors = []
    for sample in samples:
        groups = _values(sample, group)
        if not groups:
            raise ValueError(f"{sample.path}: no group from {_key_name(group)!r}")
        for node in groups[1:] + _values(sample, pair_key):
            uf.union(groups[0], node)
        anchors.append(groups[0])
    out: dict[str, list[Sample]] = defaultdict(list)
    for sample, anchor in zip(samples, anchors, strict=True):
        out[uf.find(anchor)].append(sample)
    return {name: sorted(members, key=sample_key) for name, members in out.items()}


def _rank(seed: int, name: str) -> str:
    return hashlib.sha256(f"{seed}\0{name}".encode()).hexdigest()


def split_by_group(
    samples: Sequence[Sample],
    fractions: Mapping[str, float] = DEFAULT_FRACTIONS,
    seed: int = 0,
    pair_key: KeyFn | None = "pair_key",
    group: KeyFn = "group",
) -> Split:
    """Assign whole units (groups joined by pair keys) to splits in about the given fractions.

    Units are taken in an order fixed by hashing the seed with the unit name,
    so the result does not depend on the input order or on Python's hash
    seed, and each unit goes to the split furthest below its target sample
    count. Fractions are met in samples, as closely as unit sizes allow: a
    unit larger than a split's share still goes whole to one split.

    Args:
        samples: from one or more readers.
        fractions: split name -> share of samples; must sum to 1.
        seed: changes which units land where.
        pair_key: where pair keys come from (default ``extra["pair_key"]``);
            ``None`` splits by group only.
        group: where the group comes from (default ``Sample.group``); WaveFake,
            with two speakers, is split by ``"utterance"`` instead.

    Returns:
        The split; ``meta`` records method, seed, fractions and key names.

    Raises:
        ValueError: fractions do not sum to 1 or a sample has no group.
    """
    _check_fractions(fractions)
    joined = units(samples, group=group, pair_key=pair_key)
    total = sum(len(m) for m in joined.values())
    targets = {name: share * total for name, share in fractions.items()}
    counts = dict.fromkeys(fractions, 0)
    parts: dict[str, list[Sample]] = {name: [] for name in fractions}
    for unit in sorted(joined, key=lambda name: _rank(seed, name)):
        chosen = max(fractions, key=lambda name: targets[name] - counts[name])
        parts[chosen] += joined[unit]
        counts[chosen] += len(joined[unit])
    meta = {
        "method": "group",
        "seed": seed,
        "fractions": dict(fractions),
        "group": _key_name(group),
        "pair_key": _key_name(pair_key),
        "units": len(joined),
    }
    logger.info("split_by_group seed=%d: %d units, %s", seed, len(joined), counts)
    return Split({k: sorted(v, key=sample_key) for k, v in parts.items()}, meta)


def leave_out(
    samples: Sequence[Sample],
    field: str = "attack_family",
    value: str | Collection[str] = (),
    keep_real: bool = True,
) -> Split:
    """Hold out the samples whose ``field`` equals ``value`` (leave-one-generator-family-out).

    The usual protocol: :func:`split_by_group` first, then train on the train
    part's ``"kept"`` samples and test on the test part's ``"held_out"``
    fakes plus its real samples, so the test family is unseen in training and
    the speakers are too.

    Args:
        samples: any order.
        field: a :class:`Sample` field or an ``extra`` key (``"attack_family"``,
            ``"generator"``, ``"source"``, ``"attack_kind"``).
        value: one value or several to hold out together.
        keep_real: real samples stay in ``"kept"`` even when they match (a
            real sample's family is ``"bonafide"``, never a fake family, but a
            ``source`` may hold both classes).

    Returns:
        A split with parts ``"kept"`` and ``"held_out"``.

    Raises:
        ValueError: no sample matches; the message lists the values present,
            since a typo would otherwise hold out nothing and test nothing.
    """
    wanted = {value} if isinstance(value, str) else set(value)
    if not wanted:
        raise ValueError("leave_out needs a value to hold out")
    kept: list[Sample] = []
    held: list[Sample] = []
    seen: set[str] = set()
    for sample in samples:
        values = set(_values(sample, field))
        seen |= values
        if values & wanted and not (keep_real and not sample.is_fake):
            held.append(sample)
        else:
            kept.append(sample)
    if not held:
        raise ValueError(f"no sample has {field} in {sorted(wanted)}; values present: {sorted(seen)}")
    meta = {"method": "leave_out", "field": field, "value": sorted(wanted), "keep_real": keep_real}
    return Split({"kept": sorted(kept, key=sample_key), "held_out": sorted(held, key=sample_key)}, meta)


@dataclass(frozen=True)
class SplitEntry:
    """One line of a split file."""

    split: str
    source: str
    relpath: str
    label: int
    group: str | None = None


@dataclass(frozen=True)
class SplitFile:
    """A split read back from its file, to be matched with freshly read samples.

    Attributes:
        entries: in file order.
        meta: as written by :func:`write_split`.
    """

    entries: tuple[SplitEntry, ...]
    meta: Mapping[str, Any]

    @property
    def names(self) -> tuple[str, ...]:
        """Split names in order of first appearance."""
        return tuple(dict.fromkeys(e.split for e in self.entries))

    def assign(self, samples: Iterable[Sample], strict: bool = True) -> Split:
        """Put ``samples`` into the splits the file names.

        Args:
            samples: read again by the readers that made the split.
            strict: a file entry with no sample, or a sample the file does not
                list, is an error (the data changed since the split was made);
                with ``strict=False`` both are logged and skipped.

        Returns:
            The split, with the file's ``meta``.

        Raises:
            ValueError: a sample's label differs from the file's (a reader's
                label convention changed), or, when strict, the two lists differ.
        """
        by_key = {sample_key(s): s for s in samples}
        parts: dict[str, list[Sample]] = {name: [] for name in self.names}
        missing = []
        for entry in self.entries:
            sample = by_key.pop((entry.source, entry.relpath), None)
            if sample is None:
                missing.append(f"{entry.source}/{entry.relpath}")
                continue
            if sample.label != entry.label:
                raise ValueError(
                    f"{entry.source}/{entry.relpath}: label {sample.label} but the split file says {entry.label}"
                )
            parts[entry.split].append(sample)
        extra = [f"{s}/{r}" for s, r in sorted(by_key)]
        problems = []
        if missing:
            problems.append(f"{len(missing)} listed sample(s) not found, e.g. {missing[:3]}")
        if extra:
            problems.append(f"{len(extra)} sample(s) not in the split file, e.g. {extra[:3]}")
        if problems and strict:
            raise ValueError("split file does not match the samples: " + "; ".join(problems))
        for problem in problems:
            logger.warning("split file: %s (skipped)", problem)
        return Split(parts, self.meta)


def write_split(path: str | Path, split: Split | Mapping[str, Sequence[Sample]]) -> None:
    """Write a split as JSON: format, version, meta, and one entry per sample.

    Entries hold source, relpath (relative to the dataset root), label, group
    and split, never absolute paths, so the file works on any machine with
    the same data. The file is written to a temporary name and renamed, so an
    interrupted write leaves no half file.

    Raises:
        ValueError: two samples share a (source, relpath), so the file could
            not tell them apart.
    """
    if not isinstance(split, Split):
        split = Split(split, {"method": "manual"})
    entries = []
    seen: dict[tuple[str, str], str] = {}
    for name, part in split.parts.items():
        for sample in sorted(part, key=sample_key):
            key = sample_key(sample)
            if key in seen:
                raise ValueError(f"{key[0]}/{key[1]} appears twice (in {seen[key]!r} and {name!r})")
            seen[key] = name
            entries.append(
                {"split": name, "source": key[0], "relpath": key[1], "label": sample.label, "group": sample.group}
            )
    doc = {"format": SPLIT_FORMAT, "version": SPLIT_VERSION, "meta": dict(split.meta), "samples": entries}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_split(path: str | Path) -> SplitFile:
    """Read a file written by :func:`write_split`.

    Raises:
        FileNotFoundError: the file is missing.
        ValueError: not a fakeguard split file, an unsupported version, or a
            malformed entry; names the file and the entry index.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"split file not found: {path}")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != SPLIT_FORMAT:
        raise ValueError(f"{path}: not a {SPLIT_FORMAT} file")
    if doc.get("version") != SPLIT_VERSION:
        raise ValueError(f"{path}: split file version {doc.get('version')!r}, this code reads {SPLIT_VERSION}")
    entries = []
    for index, item in enumerate(doc.get("samples", [])):
        try:
            entry = SplitEntry(
                split=str(item["split"]),
                source=str(item["source"]),
                relpath=str(item["relpath"]),
                label=int(item["label"]),
                group=item.get("group"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: samples[{index}] is malformed: {exc!r}") from None
        if entry.label not in (0, 1):
            raise ValueError(f"{path}: samples[{index}] has label {entry.label}, expected 0 or 1")
        entries.append(entry)
    return SplitFile(tuple(entries), MappingProxyType(dict(doc.get("meta", {}))))
