"""Speech generator families: a keyword table from generator names to a coarse family.

Leave-one-family-out tests ask "does the detector catch a kind of vocoder it
never saw?". That needs the same family vocabulary across datasets, whose
generator names are free text ("HiFi-GAN vocoder copy-synthesis",
"ljspeech_hifiGAN", "Tacotron2 + WaveGlow (end-to-end TTS)"). The table below
is data, first match wins, and is checked against every fake generator in the
shared data by the tests, so a new source with an unmapped generator shows up
there instead of silently landing in no family.

Families name how the waveform is made, because that is what leaves the
artefacts a detector learns; the acoustic model in front (Tacotron2,
FastSpeech2) leaves fewer. End-to-end models (VITS and its relatives) are their
own family since their decoder is trained jointly with the text front end.
"""

from __future__ import annotations

import logging
import re

from .base import BONAFIDE

logger = logging.getLogger(__name__)

SPEECH_FAMILIES: tuple[str, ...] = (
    BONAFIDE,
    "e2e_tts",
    "gan_vocoder",
    "flow_vocoder",
    "autoregressive_vocoder",
    "diffusion_vocoder",
    "neural_source_filter",
    "nonautoregressive_vocoder",
    "classic_vocoder",
    "waveform_filtering",
    "griffin_lim",
    "formant",
    "concatenative_or_hts",
)
"""Every family a reader may assign (``nonautoregressive_vocoder`` only comes
from ASVspoof 2021 DF, whose metadata is that coarse)."""

# (keyword, family). Keywords are matched against the generator name lower-cased
# with everything but letters and digits removed, so "HiFi-GAN", "hifi_gan" and
# "ljspeech_hifiGAN" all contain "hifigan". Order matters: end-to-end models come
# first because their descriptions may name the decoder they borrowed.
SPEECH_FAMILY_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("yourtts", "e2e_tts"),
    ("glowtts", "e2e_tts"),
    ("vits", "e2e_tts"),
    ("piper", "e2e_tts"),
    ("waveglow", "flow_vocoder"),
    ("hifigan", "gan_vocoder"),
    ("hifi", "gan_vocoder"),
    ("melgan", "gan_vocoder"),
    ("parallelwavegan", "gan_vocoder"),
    ("wavegan", "gan_vocoder"),
    ("pwg", "gan_vocoder"),
    ("bigvgan", "gan_vocoder"),
    ("univnet", "gan_vocoder"),
    ("wavenet", "autoregressive_vocoder"),
    ("wavernn", "autoregressive_vocoder"),
    ("lpcnet", "autoregressive_vocoder"),
    ("diffwave", "diffusion_vocoder"),
    ("wavegrad", "diffusion_vocoder"),
    ("griffinlim", "griffin_lim"),
    ("espeak", "formant"),
    ("flite", "concatenative_or_hts"),
    ("festival", "concatenative_or_hts"),
    ("mbrola", "concatenative_or_hts"),
    ("human", BONAFIDE),
    ("bonafide", BONAFIDE),
)

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_generator(name: str) -> str:
    """``name`` lower-cased with all but letters and digits removed: the form keywords match."""
    return _NOT_ALNUM.sub("", name.lower())


def speech_family(generator: str, label: int | None = None) -> str | None:
    """The family of a speech generator name, from :data:`SPEECH_FAMILY_KEYWORDS`.

    Args:
        generator: the generator as the dataset names it.
        label: the sample's label when known. Real samples (``0``) are
            ``"bonafide"`` whatever their generator text says; a fake whose
            name only matches a real-speech keyword ("human") gets ``None``
            rather than being filed with the real class.

    Returns:
        The family, or ``None`` when no keyword matches.
    """
    if label == 0:
        return BONAFIDE
    text = normalize_generator(generator)
    for keyword, family in SPEECH_FAMILY_KEYWORDS:
        if keyword in text:
            if family == BONAFIDE and label == 1:
                logger.warning("fake speech generator %r matches the real-speech keyword %r", generator, keyword)
                return None
            return family
    return None
