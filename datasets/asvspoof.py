"""ASVspoof 2019 LA and ASVspoof 2021 LA / DF, read from their published protocol files.

ASVspoof 2019 LA (Wang et al., "ASVspoof 2019: a large-scale public database
of synthesized, converted and replayed speech", CSL 2020)::

    <root>/ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.train.trn.txt   (and dev.trl, eval.trl)
    <root>/ASVspoof2019_LA_{train,dev,eval}/flac/<UTT_ID>.flac

with protocol lines ``SPEAKER_ID UTT_ID - SYSTEM_ID KEY`` (``SYSTEM_ID`` is
``-`` for bona fide, ``KEY`` is ``bonafide`` or ``spoof``).

ASVspoof 2021 (keys and metadata released with the evaluation package)::

    <root>/keys/LA/CM/trial_metadata.txt   <root>/ASVspoof2021_LA_eval/flac/<UTT>.flac
    <root>/keys/DF/CM/trial_metadata.txt   <root>/ASVspoof2021_DF_eval/flac/<UTT>.flac

LA lines: ``speaker utt codec transmission attack key trim subset`` (the attack
column of a bona fide line reads ``bonafide``); DF lines:
``speaker utt compression source_corpus attack key trim subset [vocoder_type ...]``.

Attack ids are mapped to a family by the table :data:`ASVSPOOF_ATTACKS` (data,
not branches). The family names the waveform generator, in the vocabulary of
:mod:`fakeguard.datasets.families`, so that leave-one-family-out works across
ASVspoof and the other sources; TTS versus VC is kept in ``extra["attack_kind"]``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ._io import iter_fields, line_error, relpath, require_file
from .base import BONAFIDE, Sample, label_from_str, register_reader

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AttackInfo:
    """One ASVspoof spoofing system.

    Attributes:
        kind: ``"TTS"``, ``"VC"`` or ``"TTS_VC"`` (TTS output then converted).
        family: waveform-generator family (see :mod:`fakeguard.datasets.families`).
        waveform: the waveform generator as the database paper names it.
    """

    kind: str
    family: str
    waveform: str


# ASVspoof 2019 LA systems (Wang et al. 2020, table 1). A01-A06 occur in train
# and dev, A07-A19 in eval (and again in ASVspoof 2021 LA and DF). A16 and A19
# are A04 and A06 again, so they share families.
ASVSPOOF_ATTACKS: dict[str, AttackInfo] = {
    "A01": AttackInfo("TTS", "autoregressive_vocoder", "WaveNet (neural TTS)"),
    "A02": AttackInfo("TTS", "classic_vocoder", "WORLD"),
    "A03": AttackInfo("TTS", "classic_vocoder", "WORLD"),
    "A04": AttackInfo("TTS", "concatenative_or_hts", "waveform concatenation"),
    "A05": AttackInfo("VC", "classic_vocoder", "VAE + WORLD"),
    "A06": AttackInfo("VC", "waveform_filtering", "spectral filtering + OLA"),
    "A07": AttackInfo("TTS", "classic_vocoder", "WORLD + GAN post-filter"),
    "A08": AttackInfo("TTS", "neural_source_filter", "neural source-filter model"),
    "A09": AttackInfo("TTS", "classic_vocoder", "Vocaine"),
    "A10": AttackInfo("TTS", "autoregressive_vocoder", "WaveRNN"),
    "A11": AttackInfo("TTS", "griffin_lim", "Griffin-Lim"),
    "A12": AttackInfo("TTS", "autoregressive_vocoder", "WaveNet"),
    "A13": AttackInfo("TTS_VC", "waveform_filtering", "waveform filtering"),
    "A14": AttackInfo("TTS_VC", "classic_vocoder", "STRAIGHT"),
    "A15": AttackInfo("TTS_VC", "autoregressive_vocoder", "WaveNet"),
    "A16": AttackInfo("TTS", "concatenative_or_hts", "waveform concatenation (= A04)"),
    "A17": AttackInfo("VC", "waveform_filtering", "VAE + waveform filtering"),
    "A18": AttackInfo("VC", "classic_vocoder", "i-vector/PLDA + MFCC vocoder"),
    "A19": AttackInfo("VC", "waveform_filtering", "spectral filtering + OLA (= A06)"),
}

# ASVspoof 2021 DF's own coarse vocoder label (9th metadata column). DF also
# holds VCC 2018/2020 systems that are not in the table above; for those this
# column is the only family information.
DF_VOCODER_FAMILIES: dict[str, str | None] = {
    "bonafide": BONAFIDE,
    "traditional_vocoder": "classic_vocoder",
    "neural_vocoder_autoregressive": "autoregressive_vocoder",
    "neural_vocoder_nonautoregressive": "nonautoregressive_vocoder",
    "waveform_concatenation": "concatenative_or_hts",
    "unknown": None,
}

PARTITIONS_2019: dict[str, str] = {"train": "trn", "dev": "trl", "eval": "trl"}

# Column names by position in the 2021 trial_metadata.txt files. Columns past
# these are kept in extra["more"].
COLUMNS_2021: dict[str, tuple[str, ...]] = {
    "LA": ("speaker", "utt", "codec", "transmission", "attack", "key", "trim", "subset"),
    "DF": ("speaker", "utt", "compression", "source_corpus", "attack", "key", "trim", "subset", "vocoder_type"),
}
_MIN_FIELDS_2021 = 8


def _attack_fields(attack: str, label: int) -> tuple[str, str | None, dict[str, str]]:
    """Generator, family and extra fields for an attack id (``-`` for bona fide)."""
    if label == 0:
        return BONAFIDE, BONAFIDE, {}
    info = ASVSPOOF_ATTACKS.get(attack)
    if info is None:
        return attack, None, {}
    return attack, info.family, {"attack_kind": info.kind, "waveform": info.waveform}


def _check_files(samples: Sequence[Sample]) -> None:
    missing = [s.path for s in samples if not s.path.is_file()]
    if missing:
        shown = ", ".join(str(p) for p in missing[:5])
        raise FileNotFoundError(f"{len(missing)} audio file(s) listed in the protocol are missing, e.g. {shown}")


@register_reader("asvspoof2019_la")
class ASVspoof2019LA:
    """ASVspoof 2019 logical access, one partition.

    Args:
        root: the ``LA`` folder holding ``ASVspoof2019_LA_cm_protocols/`` and
            ``ASVspoof2019_LA_{train,dev,eval}/``.
        partition: ``"train"``, ``"dev"`` or ``"eval"``. Speakers are disjoint
            across the three by design, and eval holds only unseen attacks
            (A07-A19), which is the point of the benchmark.
        check_files: also check that every listed flac exists (one ``stat``
            per file; off by default because the protocol is the source of truth).
    """

    source = "asvspoof2019_la"

    def __init__(self, root: Path, partition: str = "train", check_files: bool = False) -> None:
        if partition not in PARTITIONS_2019:
            raise ValueError(f"partition must be one of {sorted(PARTITIONS_2019)}, got {partition!r}")
        self.root = Path(root)
        self.partition = partition
        self.check_files = check_files

    @property
    def protocol_path(self) -> Path:
        """The CM protocol file of the partition."""
        name = f"ASVspoof2019.LA.cm.{self.partition}.{PARTITIONS_2019[self.partition]}.txt"
        return self.root / "ASVspoof2019_LA_cm_protocols" / name

    def samples(self) -> list[Sample]:
        """Samples in protocol order.

        Raises:
            FileNotFoundError: the protocol file (or, with ``check_files``, an audio file) is missing.
            ValueError: a protocol line has not 5 fields or an unknown key; names file and line.
        """
        protocol = self.protocol_path
        audio_dir = self.root / f"ASVspoof2019_LA_{self.partition}" / "flac"
        out: list[Sample] = []
        for lineno, (speaker, utt, _unused, system, key) in iter_fields(protocol, "ASVspoof 2019 LA protocol", 5, 5):
            try:
                label = label_from_str(key)
            except ValueError as exc:
                raise line_error(protocol, lineno, str(exc)) from None
            if label == 1 and system == "-":
                raise line_error(protocol, lineno, f"spoof line without a system id: {utt}")
            generator, family, extra = _attack_fields(system, label)
            path = audio_dir / f"{utt}.flac"
            out.append(
                Sample(
                    path=path,
                    label=label,
                    source=self.source,
                    generator=generator,
                    group=speaker,
                    attack_family=family,
                    extra={
                        "utt": utt,
                        "partition": self.partition,
                        "relpath": relpath(path, self.root),
                        **extra,
                    },
                )
            )
        if self.check_files:
            _check_files(out)
        logger.info("%s %s: %d samples from %s", self.source, self.partition, len(out), protocol)
        return out


class _ASVspoof2021:
    """Shared reading of the 2021 ``trial_metadata.txt`` files (LA and DF differ in columns only)."""

    track = ""

    def __init__(self, root: Path, subset: str | None = None, check_files: bool = False) -> None:
        self.root = Path(root)
        self.subset = subset
        self.check_files = check_files

    @property
    def source(self) -> str:
        return f"asvspoof2021_{self.track.lower()}"

    @property
    def metadata_path(self) -> Path:
        """The keys file of the track."""
        return self.root / "keys" / self.track / "CM" / "trial_metadata.txt"

    def _family(self, row: dict[str, str], label: int) -> tuple[str, str | None, dict[str, str]]:
        return _attack_fields(row["attack"], label)

    def samples(self) -> list[Sample]:
        """Samples in metadata order, optionally only one subset (``progress``, ``eval``, ``hidden_track``...).

        Raises:
            FileNotFoundError: the metadata file (or, with ``check_files``, an audio file) is missing.
            ValueError: a line has fewer than 8 fields or an unknown key; names file and line.
        """
        metadata = require_file(self.metadata_path, f"ASVspoof 2021 {self.track} trial metadata")
        audio_dir = self.root / f"ASVspoof2021_{self.track}_eval" / "flac"
        names = COLUMNS_2021[self.track]
        out: list[Sample] = []
        for lineno, fields in iter_fields(metadata, "trial metadata", _MIN_FIELDS_2021):
            row = dict(zip(names, fields, strict=False))  # extra columns are kept apart below
            if self.subset is not None and row["subset"] != self.subset:
                continue
            try:
                label = label_from_str(row["key"])
            except ValueError as exc:
                raise line_error(metadata, lineno, str(exc)) from None
            if label == 1 and row["attack"] in ("-", BONAFIDE):
                raise line_error(metadata, lineno, f"spoof line without an attack id: {row['utt']}")
            generator, family, attack_extra = self._family(row, label)
            path = audio_dir / f"{row['utt']}.flac"
            extra: dict[str, object] = {k: v for k, v in row.items() if k not in ("speaker", "key")}
            extra.update(attack_extra)
            extra["relpath"] = relpath(path, self.root)
            if len(fields) > len(names):
                extra["more"] = tuple(fields[len(names) :])
            out.append(Sample(path, label, self.source, generator, row["speaker"], family, extra))
        if self.check_files:
            _check_files(out)
        logger.info("%s: %d samples from %s", self.source, len(out), metadata)
        return out


@register_reader("asvspoof2021_la")
class ASVspoof2021LA(_ASVspoof2021):
    """ASVspoof 2021 logical access (eval only; attacks A07-A19 through telephony codecs).

    Args:
        root: folder holding ``keys/LA/CM/trial_metadata.txt`` and ``ASVspoof2021_LA_eval/flac/``.
        subset: keep only lines whose subset column equals this (``"eval"``, ``"progress"``); ``None`` keeps all.
        check_files: also check that every listed flac exists.

    ``extra`` keeps ``codec`` and ``transmission``, so results can be broken down by channel.
    """

    track = "LA"


@register_reader("asvspoof2021_df")
class ASVspoof2021DF(_ASVspoof2021):
    """ASVspoof 2021 deepfake track (eval only; compressed audio from ASVspoof 2019 LA and VCC 2018/2020).

    Args:
        root: folder holding ``keys/DF/CM/trial_metadata.txt`` and ``ASVspoof2021_DF_eval/flac/``.
        subset: keep only lines whose subset column equals this; ``None`` keeps all.
        check_files: also check that every listed flac exists.

    The family comes from the track's own ``vocoder_type`` column when it holds
    a known value (it covers the VCC systems the 2019 attack table lacks), else
    from :data:`ASVSPOOF_ATTACKS` (so ``unknown`` still gets the table's family
    for an A-numbered attack). ``extra`` keeps ``compression`` and ``source_corpus``.
    """

    track = "DF"

    def _family(self, row: dict[str, str], label: int) -> tuple[str, str | None, dict[str, str]]:
        generator, family, extra = _attack_fields(row["attack"], label)
        track_family = DF_VOCODER_FAMILIES.get(row.get("vocoder_type", ""))
        if label == 1 and track_family is not None:
            family = track_family
        return generator, family, extra
