"""The project's shared data: ``<root>/<modality>/<source>/manifest.csv``.

Each source folder (``speech/yourtts``, ``faces/ghost``, ...) has a manifest
with the header ``relpath,label,generator,speaker|identity,...``: label is
``real`` or ``fake``, paths are relative to the folder, speech manifests add
``sr``, ``duration_s`` and the like, face manifests ``width``, ``height``. Any
folder with a ``manifest.csv`` is read, so new sources need no code.

Groups are ``<source>/<speaker or identity>``; where that cell is empty the
file's folder stands in (``<source>/<relpath parent>``), which errs towards
keeping unlabelled files together. Pair keys (``extra["pair_key"]``, a tuple)
link what the group alone would let drift apart:

* a speaker or identity named in another row's cell or file name links that
  row to it: a face swap ``src=elon;tgt=orig_clip_person`` to both people, a
  voice conversion ``p225_to_p294_...`` to both speakers;
* for speech rows without a speaker, the utterance number in the file name
  (``ss_gt_5`` and ``ss_wn_5``, ``real/<cond>/5`` and ``fake/<sys>/<cond>/5``)
  links copy-synthesis pairs, within the subset folder that the real rows
  name (``ss``, ``eng_ood_expressive``), since numbers repeat across subsets.

Links only ever merge groups, so an unneeded link costs split granularity,
never a leak.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ._io import iter_csv, line_error, require_dir
from .base import BONAFIDE, Sample, label_from_str, register_reader
from .families import face_family, speech_family

logger = logging.getLogger(__name__)

ENV_VAR = "FAKEGUARD_DATA"
MANIFEST = "manifest.csv"
GROUP_COLUMNS: tuple[str, ...] = ("speaker", "identity")
CORE_COLUMNS: tuple[str, ...] = ("relpath", "label", "generator")
# Columns converted to numbers where the cell is a number; all others stay strings.
# An empty cell becomes None.
NUMERIC_COLUMNS: dict[str, type] = {
    "sr": int,
    "channels": int,
    "bits": int,
    "duration_s": float,
    "width": int,
    "height": int,
    "age": int,
    "gender": int,
    "race": int,
}
# Modalities whose fakes get a family from fakeguard.datasets.families.
FAMILY_FUNCTIONS = {"speech": speech_family, "faces": face_family}

_TOKEN = re.compile(r"[A-Za-z0-9]+")
_DIGITS = re.compile(r"\d+")


def default_data_root() -> Path:
    """Where the shared data is: ``$FAKEGUARD_DATA``, else ``../shared/data`` beside the repository.

    Resolved on each call, never at import, so a test or a CLI option that sets
    the variable later still takes effect.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[1]
    return repo.parent / "shared" / "data"


def find_manifests(root: Path, modalities: Iterable[str] | None = None) -> list[Path]:
    """Every ``<root>/<modality>/<source>/manifest.csv``, sorted; ``modalities`` limits the first level."""
    wanted = set(modalities) if modalities is not None else None
    found = []
    for modality_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if wanted is not None and modality_dir.name not in wanted:
            continue
        found += sorted(modality_dir.glob(f"*/{MANIFEST}"))
    return found


def _convert(column: str, value: str) -> Any:
    value = value.strip()
    if value == "":
        return None
    kind = NUMERIC_COLUMNS.get(column)
    if kind is None:
        return value
    try:
        return kind(value)
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        # Annotated cells ("24 (from 32-bit wav)") stay text: metadata, not worth failing a read over.
        return value
    return int(number) if kind is int and number.is_integer() else number


def _references(value: str) -> set[str]:
    """Identities a cell names besides itself: ``src=a+b;tgt=c`` gives ``{a, b, c}``."""
    if ";" not in value and "=" not in value:
        return set()
    refs = set()
    for part in value.split(";"):
        name = part.split("=", 1)[-1]
        refs.update(n.strip() for n in name.split("+") if n.strip())
    return refs


def _utterance_number(relpath: str) -> str:
    """The last run of digits in the file stem (``ss_hgan_v1_4`` -> ``4``), else the stem."""
    stem = Path(relpath).name.split(".")[0]
    runs = _DIGITS.findall(stem)
    return str(int(runs[-1])) if runs else stem.lower()


@register_reader("shared")
class SharedData:
    """All sources of the shared data, or a selection.

    Args:
        root: the data root holding ``speech/``, ``faces/``, ...; ``None``
            means :func:`default_data_root`, resolved when :meth:`samples` runs.
        modality: one modality name or several (``"speech"``); ``None`` reads all.
        sources: keep only these source folders (``["yourtts", "hifigan_demo"]``).
        ungrouped: what stands in for an empty speaker / identity cell:
            ``"folder"`` (the file's folder, the default, safe when the people
            are unknown) or ``"file"`` (each file its own group, for sets such
            as UTKFace where every photo is a different person).
    """

    def __init__(
        self,
        root: Path | str | None = None,
        modality: str | Sequence[str] | None = None,
        sources: Sequence[str] | None = None,
        ungrouped: str = "folder",
    ) -> None:
        if ungrouped not in ("folder", "file"):
            raise ValueError(f"ungrouped must be 'folder' or 'file', got {ungrouped!r}")
        self.root = Path(root) if root is not None else None
        self.modalities = (modality,) if isinstance(modality, str) else modality
        self.sources = set(sources) if sources is not None else None
        self.ungrouped = ungrouped

    def samples(self) -> list[Sample]:
        """Samples by modality, source, then manifest order.

        Raises:
            FileNotFoundError: the root is missing (the message names it and ``FAKEGUARD_DATA``).
            ValueError: a manifest lacks a column, has a ragged row, an empty
                relpath or an unknown label; names file and line.
        """
        root = self.root if self.root is not None else default_data_root()
        require_dir(root, f"shared data root (set {ENV_VAR} or pass root)")
        out: list[Sample] = []
        for manifest in find_manifests(root, self.modalities):
            if self.sources is not None and manifest.parent.name not in self.sources:
                continue
            out += read_manifest(manifest, ungrouped=self.ungrouped)
        return out


def read_manifest(manifest: Path, ungrouped: str = "folder") -> list[Sample]:
    """The samples of one ``<modality>/<source>/manifest.csv``.

    Args:
        manifest: the manifest; its folder is the source and its parent the modality.
        ungrouped: see :class:`SharedData`.

    Raises:
        FileNotFoundError: the manifest is missing.
        ValueError: a column is missing (``relpath``, ``label``, ``generator``
            and one of ``speaker`` / ``identity``), a row is ragged or has an
            empty relpath, or a label is unknown; names file and line.
    """
    folder = manifest.parent
    source, modality = folder.name, folder.parent.name
    rows = list(iter_csv(manifest, "shared-data manifest", CORE_COLUMNS))
    header = rows[0][1].keys() if rows else ()
    group_column = next((c for c in GROUP_COLUMNS if c in header), None)
    if rows and group_column is None:
        raise line_error(manifest, 1, f"header lacks a group column, one of {list(GROUP_COLUMNS)}")
    known = {row[group_column].strip() for _, row in rows if group_column and row[group_column].strip()}
    family_of = FAMILY_FUNCTIONS.get(modality)
    # Folder names that real rows use ("e2e", "eng_ood_expressive"): a fake under the
    # same folder name is a copy-synthesis of that subset, so utterance numbers only
    # pair within it (numbers repeat across subsets, and would otherwise merge them all).
    real_dirs = {
        part
        for _, row in rows
        if row["label"].strip().lower() == "real"
        for part in Path(row["relpath"].strip()).parent.parts
    } - {"real", "fake"}
    out = []
    for lineno, row in rows:
        rel = row["relpath"].strip()
        if not rel:
            raise line_error(manifest, lineno, "empty relpath")
        try:
            label = label_from_str(row["label"])
        except ValueError as exc:
            raise line_error(manifest, lineno, str(exc)) from None
        generator = row["generator"].strip()
        who = row[group_column].strip() if group_column else ""
        if who:
            group = f"{source}/{who}"
        elif ungrouped == "file":
            group = f"{source}/{rel}"
        else:
            group = f"{source}/{Path(rel).parent.as_posix()}"
        links = (_references(who) | set(_TOKEN.findall(Path(rel).name))) & (known - {who})
        pair_keys = sorted(f"{source}/{name}" for name in links)
        if modality == "speech" and not who:
            subset = next((part for part in Path(rel).parent.parts if part in real_dirs), "")
            pair_keys.append(f"{source}#{subset}#utt:{_utterance_number(rel)}")
        if label == 0:
            family: str | None = BONAFIDE
        else:
            family = family_of(generator, label) if family_of is not None else None
        extra = {k: _convert(k, v) for k, v in row.items() if k not in CORE_COLUMNS and k != group_column}
        extra.update(modality=modality, relpath=rel, pair_key=tuple(pair_keys))
        if group_column is not None:
            extra[group_column] = who or None
        out.append(Sample(folder / rel, label, source, generator, group, family, extra))
    logger.info("shared %s/%s: %d samples", modality, source, len(out))
    return out
