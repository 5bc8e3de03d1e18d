"""Vocoder-based pseudo-fakes: real speech resynthesised through simple vocoders.

Follows Wang & Yamagishi, "Spoofed training data for speech spoofing
countermeasure can be efficiently created using neural vocoders" (ICASSP
2023): copy-synthesising *real* recordings gives fakes that share speaker and
content with their originals, so the only thing that tells the two apart is
what the vocoder did to the waveform. A detector trained on such pairs learns
vocoder artefacts rather than voices or sentences. The vocoders are classic,
CPU-only ones (Griffin-Lim from a linear or a mel spectrogram, WORLD, an LPC
source-filter vocoder), in :mod:`.vocoders`; :data:`METHODS` names them.

:func:`generate_pseudo_fakes` writes them as FLAC under
``<out_root>/speech/pseudo_<method>/`` with a shared-data style manifest, and
:func:`read_pseudo_fakes` reads them back. Every pseudo-fake carries the group
and pair keys of the real sample it was made from, so a group split puts it on
the same side as its original.

Keep ``out_root`` apart from the shared data root: :class:`~fakeguard.datasets.shared.SharedData`
reads any ``manifest.csv`` and would give these files groups of their own.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import soundfile as sf
from numpy.typing import NDArray

from fakeguard.detectors.errors import MediaError
from fakeguard.detectors.intake import as_source, load_audio

from ..base import REAL, Sample
from ..shared import MANIFEST, read_manifest
from .vocoders import METHODS, check_methods, list_methods

logger = logging.getLogger(__name__)

__all__ = ["METHODS", "check_methods", "generate_pseudo_fakes", "list_methods", "read_pseudo_fakes"]

MODALITY = "speech"
EXTRA_COLUMNS: tuple[str, ...] = ("orig_group", "orig_pair_key")
MANIFEST_COLUMNS: tuple[str, ...] = (
    "relpath",
    "label",
    "generator",
    "speaker",
    "orig_path",
    "sr",
    "channels",
    "bits",
    "duration_s",
    *EXTRA_COLUMNS,
)
#: Output peak ceiling: FLAC holds 16-bit integers, and a float over 1.0 would clip.
PEAK = 0.999


def _load_with_intake(path: Path, sample_rate: int) -> NDArray[np.float32]:
    """The project's one decoding path (:func:`fakeguard.detectors.intake.load_audio`)."""
    return load_audio(as_source(path), sample_rate).samples


def _orig_relpath(sample: Sample) -> str:
    """The sample's ``extra["relpath"]`` (else its file name), made relative and free of ``..``."""
    rel = sample.extra.get("relpath")
    parts = [p for p in PurePosixPath(str(rel) if rel else sample.path.name).parts if p not in ("/", "..", ".")]
    return "/".join(parts) or sample.path.name


def _seed(seed: int, method: str, key: str) -> int:
    """A per-(method, file) seed, so a file's output does not depend on what else is in the batch."""
    return int.from_bytes(hashlib.sha256(f"{seed}\0{method}\0{key}".encode()).digest()[:8], "little")


def _method_dir(out_root: Path, method: str) -> Path:
    return out_root / MODALITY / f"pseudo_{method}"


def _check_out_root(out_root: Path) -> None:
    """Refuse a root that already holds non-pseudo sources (the shared data): they would be read without pairing."""
    if not out_root.is_dir():
        return
    for manifest in out_root.glob(f"*/*/{MANIFEST}"):
        if not manifest.parent.name.startswith("pseudo_"):
            raise ValueError(
                f"{out_root} holds the source {manifest.parent.parent.name}/{manifest.parent.name}: write "
                "pseudo-fakes to a folder of their own, or SharedData would read them without their originals' groups"
            )


def _read_rows(manifest: Path) -> dict[str, dict[str, str]]:
    """An earlier manifest's rows by relpath (empty if missing or unreadable: it is rebuilt from the files)."""
    if not manifest.is_file():
        return {}
    try:
        with manifest.open(encoding="utf-8", newline="") as handle:
            return {row["relpath"]: row for row in csv.DictReader(handle) if row.get("relpath")}
    except (OSError, KeyError, csv.Error, UnicodeDecodeError) as exc:
        logger.warning("%s: unreadable (%s); rebuilding it from this run's files", manifest, exc)
        return {}


def _write_rows(manifest: Path, rows: dict[str, dict[str, Any]]) -> None:
    tmp = manifest.with_name(manifest.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for rel in sorted(rows):
            writer.writerow(rows[rel])
    os.replace(tmp, manifest)


def _row(rel: str, method: str, sample: Sample, duration_s: float, sample_rate: int) -> dict[str, Any]:
    speaker = sample.extra.get("speaker") or sample.group
    return {
        "relpath": rel,
        "label": "fake",
        "generator": f"pseudo:{method}",
        "speaker": speaker,
        "orig_path": f"{sample.source}/{_orig_relpath(sample)}",
        "sr": sample_rate,
        "channels": 1,
        "bits": 16,
        "duration_s": f"{duration_s:.6f}",
        "orig_group": sample.group,
        "orig_pair_key": json.dumps(list(sample.extra.get("pair_key") or ())),
    }


def _write_flac(path: Path, wave: NDArray[np.float32], sample_rate: int) -> None:
    """Write 16-bit FLAC through a temporary name, so an interrupted run leaves no half file that looks done."""
    peak = float(np.max(np.abs(wave))) if wave.size else 0.0
    if peak > PEAK:
        wave = wave * (PEAK / peak)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    sf.write(tmp, wave, sample_rate, format="FLAC", subtype="PCM_16")
    os.replace(tmp, path)


def generate_pseudo_fakes(
    samples: Iterable[Sample],
    methods: str | Sequence[str],
    out_root: str | Path,
    sample_rate: int = 16000,
    load: Callable[[Path, int], NDArray[np.float32]] = _load_with_intake,
    progress: Callable[[int, int], None] | None = None,
    seed: int = 0,
) -> list[Sample]:
    """Vocode every real sample with every method and write FLAC files plus one manifest per method.

    Files go to ``<out_root>/speech/pseudo_<method>/<source>/<relpath>.flac``
    (the original suffix replaced). Outputs that already exist are kept, not
    redone, so an interrupted run resumes; each method's ``manifest.csv`` is
    rewritten from the rows of the earlier manifest whose files still exist
    plus this run's outputs. A sample whose audio cannot be decoded is logged
    and skipped. Fake samples in ``samples`` are ignored.

    Args:
        samples: from any reader; only label 0 (real) samples are used.
        methods: names from :data:`METHODS`.
        out_root: a folder of its own (not the shared data root).
        sample_rate: decoding and output rate in Hz. Originals at other rates
            are resampled by the intake, exactly as the detector will see them.
        load: ``(path, sample_rate) -> mono float32``; defaults to the
            detectors' intake, the project's one decoding path.
        progress: called as ``progress(done, total)`` after each real sample.
        seed: with the method and the original's (source, relpath), fixes
            each file's random draws whatever else is in the batch.

    Returns:
        One fake :class:`Sample` per (real sample, method) that exists after
        the run, in sample then method order, grouped and paired as its original.

    Raises:
        KeyError: an unknown method.
        ImportError: a method's optional package is missing.
        ValueError: ``out_root`` already holds non-pseudo sources.
    """
    names = check_methods(methods)
    out_root = Path(out_root)
    _check_out_root(out_root)
    reals = [s for s in samples if s.label == REAL]
    manifests = {m: _method_dir(out_root, m) / MANIFEST for m in names}
    rows = {
        m: {rel: row for rel, row in _read_rows(manifests[m]).items() if (manifests[m].parent / rel).is_file()}
        for m in names
    }
    taken: dict[str, str] = {}  # output relpath -> the original that claimed it
    wanted: list[tuple[str, str]] = []  # (method, relpath) of this call, in order
    made = kept = failed = 0
    for done, sample in enumerate(reals, start=1):
        orig = _orig_relpath(sample)
        key = f"{sample.source}/{orig}"
        rel = f"{sample.source}/{PurePosixPath(orig).with_suffix('.flac')}"
        if taken.setdefault(rel, key) != key:  # a.wav and a.mp3 side by side: keep both names apart
            rel = f"{key}.flac"
        todo = [m for m in names if not (manifests[m].parent / rel).is_file()]
        wave = None
        if todo:
            try:
                wave = load(sample.path, sample_rate)
            except MediaError as exc:
                logger.warning("pseudo-fakes: skipping %s: %s", sample.path, exc)
                failed += 1
        for method in names:
            path = manifests[method].parent / rel
            if method in todo:
                if wave is None:
                    continue
                fake = METHODS[method](wave, sample_rate, np.random.default_rng(_seed(seed, method, key)))
                _write_flac(path, fake, sample_rate)
                rows[method][rel] = _row(rel, method, sample, len(fake) / sample_rate, sample_rate)
                made += 1
            else:
                if rel not in rows[method]:  # written by a run that stopped before its manifest
                    rows[method][rel] = _row(rel, method, sample, sf.info(str(path)).duration, sample_rate)
                kept += 1
            wanted.append((method, rel))
        if progress is not None:
            progress(done, len(reals))
    for method in names:
        manifests[method].parent.mkdir(parents=True, exist_ok=True)
        _write_rows(manifests[method], rows[method])
    logger.info(
        "pseudo-fakes %s: %d written, %d already there, %d originals undecodable", ",".join(names), made, kept, failed
    )
    # Read back what was written, so these samples are exactly what read_pseudo_fakes gives later.
    written = {(s.source.removeprefix("pseudo_"), s.extra["relpath"]): s for s in read_pseudo_fakes(out_root, names)}
    return [written[item] for item in wanted]


def read_pseudo_fakes(out_root: str | Path, methods: str | Sequence[str] | None = None) -> list[Sample]:
    """The pseudo-fakes written by :func:`generate_pseudo_fakes`, with their originals' groups and pair keys.

    Args:
        out_root: as given to :func:`generate_pseudo_fakes`.
        methods: read only these; ``None`` reads every ``pseudo_*`` folder with a manifest.

    Returns:
        By method (sorted when ``None``), then manifest order (relpath).

    Raises:
        FileNotFoundError: a named method has no manifest.
        ValueError: a manifest row is malformed (names file and line).
    """
    folder = Path(out_root) / MODALITY
    if methods is None:
        names = sorted(p.parent.name.removeprefix("pseudo_") for p in folder.glob(f"pseudo_*/{MANIFEST}"))
    else:
        names = [methods] if isinstance(methods, str) else list(methods)
    out: list[Sample] = []
    for method in names:
        manifest = _method_dir(Path(out_root), method) / MANIFEST
        for sample in read_manifest(manifest):
            group = sample.extra.get("orig_group")
            try:
                pair_key = tuple(json.loads(sample.extra.get("orig_pair_key") or "[]"))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{manifest}: {sample.extra.get('relpath')}: bad orig_pair_key: {exc}") from None
            if not group:
                raise ValueError(f"{manifest}: {sample.extra.get('relpath')}: empty orig_group")
            extra = {k: v for k, v in sample.extra.items() if k not in EXTRA_COLUMNS}
            extra["pair_key"] = pair_key
            out.append(replace(sample, group=group, attack_family=f"pseudo_{method}", extra=extra))
    return out
