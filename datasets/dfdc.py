"""The Deepfake Detection Challenge dataset (Dolhansky et al., "The DeepFake Detection Challenge (DFDC) Dataset", 2020).

Published layouts, either or both under one root::

    <root>/dfdc_train_part_N/metadata.json    {"abc.mp4": {"label": "FAKE", "split": "train",
    <root>/dfdc_train_part_N/*.mp4                         "original": "xyz.mp4"}, ...}
    <root>/<test folder>/labels.csv           header filename,label; label 1 = fake, 0 = real
    <root>/<test folder>/*.mp4

Any folder among the root and its direct subfolders that holds a
``metadata.json`` (training parts, ``train_sample_videos``) or a
``labels.csv`` (the test sets) is read, parts in numeric order, so a root
with only some of the 50 training parts works. The root may itself be one part.

DFDC mixes several methods (deepfake autoencoders, morphable-mask and
neural-talking-head swaps, FSGAN, StyleGAN-based; some fakes also had their
audio altered) and the labels do not say which, so every fake
gets generator ``"dfdc"`` and family ``"face_swap"``: the most common kind,
not a per-video fact. Do not use DFDC for leave-one-family-out.

The metadata names no actor, only each fake's original video, so a fake and
its original share a group (the original's stem). The same actor appears in
several originals, which this grouping cannot see; test-set videos name no
original at all and are each their own group.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from ._io import iter_csv, line_error, read_json, relpath, require_dir
from .base import BONAFIDE, FAKE, REAL, Sample, label_from_str, register_reader
from .families import face_family

logger = logging.getLogger(__name__)

METADATA = "metadata.json"
LABELS = "labels.csv"
LABEL_COLUMNS: tuple[str, ...] = ("filename", "label")
GENERATOR = "dfdc"
# labels.csv already uses the project convention (1 = fake); nothing to flip.
_CSV_LABELS: dict[str, int] = {"0": REAL, "1": FAKE}
_DIGITS = re.compile(r"(\d+)")


def _natural_key(name: str) -> list[object]:
    """Sort key putting ``dfdc_train_part_2`` before ``dfdc_train_part_10``."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(name)]


@register_reader("dfdc")
class DFDC:
    """DFDC training parts and / or test sets found under one root.

    Args:
        root: the folder holding the ``dfdc_train_part_N`` folders and / or a
            test folder with ``labels.csv``; or one such folder itself.
        check_files: check that each listed video exists and skip (with one
            warning per listing, and a count in :attr:`skipped_missing`) those
            that do not, since partial downloads of the 470 GB set are common.
            ``False`` trusts the listings and does no ``stat`` per file.

    Attributes:
        skipped_missing: how many listed videos the last :meth:`samples` call skipped.
    """

    source = "dfdc"

    def __init__(self, root: Path, check_files: bool = True) -> None:
        self.root = Path(root)
        self.check_files = check_files
        self.skipped_missing = 0

    def _listings(self) -> Iterator[Path]:
        subfolders = sorted((p for p in self.root.iterdir() if p.is_dir()), key=lambda p: _natural_key(p.name))
        folders = [self.root, *subfolders]
        for folder in folders:
            for name in (METADATA, LABELS):
                if (folder / name).is_file():
                    yield folder / name

    def samples(self) -> list[Sample]:
        """Samples by folder (numeric order), then in each listing's own order.

        Raises:
            FileNotFoundError: the root is missing, or neither it nor a direct
                subfolder holds a ``metadata.json`` or ``labels.csv``.
            ValueError: a ``metadata.json`` is not valid JSON (names file and
                line) or has a malformed entry (names file and entry), or a
                ``labels.csv`` row is malformed (names file and line).
        """
        require_dir(self.root, "DFDC root")
        listings = list(self._listings())
        if not listings:
            raise FileNotFoundError(f"no DFDC {METADATA} or {LABELS} in {self.root} or its direct subfolders")
        self.skipped_missing = 0
        out: list[Sample] = []
        for listing in listings:
            read = self._read_metadata(listing) if listing.name == METADATA else self._read_labels(listing)
            kept, missing = read, []
            if self.check_files:
                kept = []
                for sample in read:
                    (kept if sample.path.is_file() else missing).append(sample)
            if missing:
                self.skipped_missing += len(missing)
                logger.warning(
                    "%s: %d of %d video(s) listed in %s not found, skipped (e.g. %s)",
                    self.source,
                    len(missing),
                    len(read),
                    listing,
                    missing[0].path,
                )
            out += kept
        logger.info("%s: %d samples from %d listing(s)", self.source, len(out), len(listings))
        return out

    def _part(self, folder: Path) -> str:
        return folder.name if folder != self.root else self.root.name

    def _sample(self, path: Path, label: int, group: str, extra: dict[str, object]) -> Sample:
        extra["relpath"] = relpath(path, self.root)
        if label == REAL:
            return Sample(path, REAL, self.source, BONAFIDE, group, BONAFIDE, extra)
        return Sample(path, FAKE, self.source, GENERATOR, group, face_family(GENERATOR, FAKE), extra)

    def _read_metadata(self, metadata: Path) -> list[Sample]:
        """One training part: its fakes grouped with the original they were made from."""
        doc = read_json(metadata, "DFDC metadata.json")
        if not isinstance(doc, dict):
            kind = type(doc).__name__
            raise ValueError(f"{metadata}: expected an object mapping video names to entries, got a JSON {kind}")
        folder, part = metadata.parent, self._part(metadata.parent)
        out = []
        for name, entry in doc.items():
            if not isinstance(entry, dict) or "label" not in entry:
                raise ValueError(f"{metadata}: entry {name!r}: expected an object with a label, got {entry!r}")
            try:
                label = label_from_str(str(entry["label"]))
            except ValueError as exc:
                raise ValueError(f"{metadata}: entry {name!r}: {exc}") from None
            original = entry.get("original")
            if original is not None and not isinstance(original, str):
                raise ValueError(f"{metadata}: entry {name!r}: original must be a file name or null, got {original!r}")
            extra: dict[str, object] = {"part": part, "dfdc_split": entry.get("split")}
            if label == FAKE and original:
                extra["original"] = original
                group = Path(original).stem
            else:
                group = Path(name).stem
            out.append(self._sample(folder / name, label, group, extra))
        return out

    def _read_labels(self, labels: Path) -> list[Sample]:
        """One test set: ``filename,label`` rows, each video its own group."""
        folder, part = labels.parent, self._part(labels.parent)
        out = []
        for lineno, row in iter_csv(labels, "DFDC labels.csv", LABEL_COLUMNS):
            name, word = row["filename"].strip(), row["label"].strip()
            if not name:
                raise line_error(labels, lineno, "empty filename")
            if word not in _CSV_LABELS:
                raise line_error(labels, lineno, f"label must be 1 (fake) or 0 (real), got {word!r}")
            out.append(self._sample(folder / name, _CSV_LABELS[word], Path(name).stem, {"part": part}))
        return out
