"""Generator families for speech and faces: keyword tables from generator names to a coarse family.

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

Face families follow the same idea with what is done to the face: the
identity is replaced (``face_swap``), the expression or mouth of the person
already there is driven by another (``reenactment``), the whole face is
sampled from a GAN (``gan_face``), or a real face is blended onto itself to
mimic a swap's seam (``pseudo_blend``, the self-blended pseudo-fakes).
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

FACE_FAMILIES: tuple[str, ...] = (
    BONAFIDE,
    "face_swap",
    "reenactment",
    "gan_face",
    "pseudo_blend",
)
"""Every family a face reader may assign."""

# (keyword, family), matched like SPEECH_FAMILY_KEYWORDS. The pseudo-fake names
# come first, so a description such as "self_blend of a FaceSwap frame" is filed
# as the pseudo-fake it is. FaceForensics++, Celeb-DF and DFDC names are here
# too, so face_family() agrees with those readers' own attack_family.
FACE_FAMILY_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("selfblend", "pseudo_blend"),
    ("landmarkswap", "face_swap"),
    # FaceForensics++ methods (folder names under manipulated_sequences/).
    ("deepfakedetection", "face_swap"),
    ("deepfakes", "face_swap"),
    ("faceswap", "face_swap"),
    ("faceshifter", "face_swap"),
    ("face2face", "reenactment"),
    ("neuraltextures", "reenactment"),
    # Whole datasets whose fakes are (mostly) swaps; see their readers.
    ("celebdf", "face_swap"),
    ("dfdc", "face_swap"),
    # Shared-data sources ("GHOST (SberSwap)", "roop (inswapper_128)", "BlendFace (BlendSwap)", ...).
    ("ghost", "face_swap"),
    ("sberswap", "face_swap"),
    ("simswap", "face_swap"),
    ("inswapper", "face_swap"),
    ("roop", "face_swap"),
    ("deepfacelab", "face_swap"),
    ("blendswap", "face_swap"),
    ("blendface", "face_swap"),
    ("infoswap", "face_swap"),
    ("hififace", "face_swap"),
    ("stylegan", "gan_face"),
    ("progan", "gan_face"),
    ("human", BONAFIDE),
)

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_generator(name: str) -> str:
    """``name`` lower-cased with all but letters and digits removed: the form keywords match."""
    return _NOT_ALNUM.sub("", name.lower())


def _keyword_family(generator: str, label: int | None, keywords: tuple[tuple[str, str], ...], what: str) -> str | None:
    """First family in ``keywords`` whose keyword is in the normalized ``generator`` (see :func:`speech_family`)."""
    if label == 0:
        return BONAFIDE
    text = normalize_generator(generator)
    for keyword, family in keywords:
        if keyword in text:
            if family == BONAFIDE and label == 1:
                logger.warning("fake %s generator %r matches the real keyword %r", what, generator, keyword)
                return None
            return family
    return None


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
    return _keyword_family(generator, label, SPEECH_FAMILY_KEYWORDS, "speech")


def face_family(generator: str, label: int | None = None) -> str | None:
    """The family of a face generator name, from :data:`FACE_FAMILY_KEYWORDS`.

    Args:
        generator: the generator as the dataset names it (``"SimSwap"``,
            ``"StyleGAN2 (FFHQ config-f)"``, ``"Face2Face"``, ``"self_blend"``).
        label: as for :func:`speech_family`: ``0`` gives ``"bonafide"``, and a
            fake matching only the ``"human"`` keyword gets ``None``.

    Returns:
        The family, or ``None`` when no keyword matches. There is deliberately
        no bare ``"swap"`` keyword: an unknown tool whose name merely contains
        "swap" should show up as unmapped (the shared-data test lists it), not
        be guessed.
    """
    return _keyword_family(generator, label, FACE_FAMILY_KEYWORDS, "face")
