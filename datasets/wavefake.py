"""WaveFake (Frank and Schoenherr, NeurIPS 2021 Datasets and Benchmarks), with its real corpora.

Published layout: ``generated_audio/`` holds one folder per vocoder and
training corpus (``ljspeech_melgan/LJ001-0001_gen.wav``,
``jsut_parallel_wavegan/BASIC5000_0001_gen.wav``, ...). The real audio is not
in WaveFake: it is LJSpeech (``LJSpeech-1.1/wavs/*.wav``) and JSUT
(``jsut_ver1.1/basic5000/wav/*.wav``), given here as optional extra roots.

Most fakes are copy-synthesis of a real utterance, so the utterance id is kept
as ``extra["pair_key"]``: a split by utterance then keeps a real file and its
vocoded copies on one side. (There are only two speakers, LJ and the JSUT
speaker, so a split by ``group`` alone cannot separate train from test.)
"""

from __future__ import annotations

import logging
from pathlib import Path

from ._io import relpath, require_dir
from .base import BONAFIDE, Sample, register_reader
from .families import speech_family

logger = logging.getLogger(__name__)

# Vocoder folder -> (group, generator). Folders not listed are still read:
# their group is guessed from the corpus prefix and the generator is the rest.
WAVEFAKE_FOLDERS: dict[str, tuple[str, str]] = {
    "ljspeech_melgan": ("LJ", "melgan"),
    "ljspeech_melgan_large": ("LJ", "melgan_large"),
    "ljspeech_full_band_melgan": ("LJ", "full_band_melgan"),
    "ljspeech_multi_band_melgan": ("LJ", "multi_band_melgan"),
    "ljspeech_hifiGAN": ("LJ", "hifigan"),
    "ljspeech_parallel_wavegan": ("LJ", "parallel_wavegan"),
    "ljspeech_waveglow": ("LJ", "waveglow"),
    "jsut_multi_band_melgan": ("JSUT", "multi_band_melgan"),
    "jsut_parallel_wavegan": ("JSUT", "parallel_wavegan"),
    # Full TTS (Conformer FastSpeech2 + Parallel WaveGAN, LJSpeech voice) reading Common Voice prompts.
    "common_voices_prompts_from_conformer_fastspeech2_pwg_ljspeech": ("LJ", "conformer_fastspeech2_pwg"),
}
CORPUS_PREFIXES: dict[str, str] = {"ljspeech_": "LJ", "jsut_": "JSUT"}
FAKE_SUFFIX = "_gen"
AUDIO_SUFFIX = ".wav"


def _folder_info(name: str) -> tuple[str, str]:
    if name in WAVEFAKE_FOLDERS:
        return WAVEFAKE_FOLDERS[name]
    for prefix, group in CORPUS_PREFIXES.items():
        if name.lower().startswith(prefix):
            return group, name[len(prefix) :].lower()
    logger.warning("WaveFake folder %r is not a known vocoder folder; group and generator set to its name", name)
    return name, name.lower()


def _utterance(path: Path) -> str:
    stem = path.stem
    return stem[: -len(FAKE_SUFFIX)] if stem.endswith(FAKE_SUFFIX) else stem


def _find_real_dir(root: Path, candidates: tuple[str, ...], what: str) -> Path:
    """The first of ``root/<candidate>`` that is a folder: the corpus root or its parent may be given."""
    for candidate in candidates:
        path = root / candidate
        if path.is_dir():
            return path
    return require_dir(root / candidates[0], what)


@register_reader("wavefake")
class WaveFake:
    """WaveFake's generated audio plus, optionally, the LJSpeech and JSUT originals.

    Args:
        root: the folder holding ``generated_audio/``, or ``generated_audio`` itself.
        ljspeech_root: ``LJSpeech-1.1`` or the folder holding it; adds its wavs as real (group ``LJ``).
        jsut_root: ``jsut_ver1.1`` or the folder holding it; adds ``basic5000`` as real (group ``JSUT``).
        generators: keep only fakes whose generator or folder name is in this list.
    """

    source = "wavefake"

    def __init__(
        self,
        root: Path,
        ljspeech_root: Path | str | None = None,
        jsut_root: Path | str | None = None,
        generators: list[str] | tuple[str, ...] | None = None,
    ) -> None:
        self.root = Path(root)
        self.ljspeech_root = Path(ljspeech_root) if ljspeech_root is not None else None
        self.jsut_root = Path(jsut_root) if jsut_root is not None else None
        self.generators = tuple(generators) if generators is not None else None

    @property
    def generated_dir(self) -> Path:
        """``root/generated_audio`` when present, else ``root``."""
        nested = self.root / "generated_audio"
        return nested if nested.is_dir() else self.root

    def samples(self) -> list[Sample]:
        """Fakes by folder then file name, then LJSpeech reals, then JSUT reals.

        Raises:
            FileNotFoundError: the root, or a real-corpus root that was given, is missing.
        """
        out = self._fakes()
        if self.ljspeech_root is not None:
            wavs = _find_real_dir(self.ljspeech_root, ("wavs", "LJSpeech-1.1/wavs"), "LJSpeech wavs folder")
            out += self._reals(wavs, "LJ", "ljspeech")
        if self.jsut_root is not None:
            wavs = _find_real_dir(
                self.jsut_root, ("basic5000/wav", "jsut_ver1.1/basic5000/wav"), "JSUT basic5000/wav folder"
            )
            out += self._reals(wavs, "JSUT", "jsut")
        return out

    def _fakes(self) -> list[Sample]:
        base = require_dir(self.generated_dir, "WaveFake generated_audio folder")
        out: list[Sample] = []
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            group, generator = _folder_info(folder.name)
            if self.generators is not None and not {generator, folder.name} & set(self.generators):
                continue
            family = speech_family(generator, 1)
            for path in sorted(folder.glob(f"*{AUDIO_SUFFIX}")):
                utt = _utterance(path)
                out.append(
                    Sample(
                        path=path,
                        label=1,
                        source=self.source,
                        generator=generator,
                        group=group,
                        attack_family=family,
                        extra={
                            "folder": folder.name,
                            "utterance": utt,
                            "pair_key": f"{group}:{utt}",
                            "relpath": relpath(path, base),
                        },
                    )
                )
        if not out:
            logger.warning("no WaveFake vocoder folders with %s files under %s", AUDIO_SUFFIX, base)
        return out

    def _reals(self, wavs: Path, group: str, corpus: str) -> list[Sample]:
        out = []
        for path in sorted(wavs.glob(f"*{AUDIO_SUFFIX}")):
            utt = path.stem
            out.append(
                Sample(
                    path=path,
                    label=0,
                    source=self.source,
                    generator=BONAFIDE,
                    group=group,
                    attack_family=BONAFIDE,
                    extra={
                        "corpus": corpus,
                        "utterance": utt,
                        "pair_key": f"{group}:{utt}",
                        # Independent of whether the corpus root or its parent was given.
                        "relpath": f"{corpus}/{path.name}",
                    },
                )
            )
        return out
