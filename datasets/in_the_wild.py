"""In-the-Wild audio deepfakes (Mueller et al., "Does Audio Deepfake Detection Generalize?", Interspeech 2022).

Published layout (``release_in_the_wild``)::

    <root>/meta.csv      header ``file,speaker,label``; label ``bona-fide`` or ``spoof``
    <root>/<file>        the wav files, beside meta.csv

The set has no generator information (the fakes were collected from the web),
so fakes get generator ``"unknown"`` and no family; it tests generalisation
to real-world fakes, by speaker (58 public figures).
"""

from __future__ import annotations

import logging
from pathlib import Path

from ._io import iter_csv, line_error
from .base import BONAFIDE, Sample, label_from_str, register_reader

logger = logging.getLogger(__name__)

COLUMNS = ("file", "speaker", "label")
UNKNOWN_GENERATOR = "unknown"


@register_reader("in_the_wild")
class InTheWild:
    """In-the-Wild, every row of ``meta.csv``.

    Args:
        root: the ``release_in_the_wild`` folder.
        check_files: also check that every listed file exists.
    """

    source = "in_the_wild"

    def __init__(self, root: Path, check_files: bool = False) -> None:
        self.root = Path(root)
        self.check_files = check_files

    def samples(self) -> list[Sample]:
        """Samples in ``meta.csv`` order.

        Raises:
            FileNotFoundError: ``meta.csv`` (or, with ``check_files``, a listed file) is missing.
            ValueError: the header lacks a column, a row is short, a cell is
                empty or a label is unknown; names file and line.
        """
        meta = self.root / "meta.csv"
        out: list[Sample] = []
        for lineno, row in iter_csv(meta, "In-the-Wild meta.csv", COLUMNS):
            name, speaker = row["file"].strip(), row["speaker"].strip()
            if not name or not speaker:
                raise line_error(meta, lineno, "empty file or speaker cell")
            try:
                label = label_from_str(row["label"])
            except ValueError as exc:
                raise line_error(meta, lineno, str(exc)) from None
            path = self.root / name
            if self.check_files and not path.is_file():
                raise FileNotFoundError(f"{meta}:{lineno}: listed file not found: {path}")
            out.append(
                Sample(
                    path=path,
                    label=label,
                    source=self.source,
                    generator=BONAFIDE if label == 0 else UNKNOWN_GENERATOR,
                    group=speaker,
                    attack_family=BONAFIDE if label == 0 else None,
                    extra={"relpath": Path(name).as_posix()},
                )
            )
        logger.info("%s: %d samples from %s", self.source, len(out), meta)
        return out
