"""The speech generator family keyword table."""

from __future__ import annotations

import pytest

from fakeguard.datasets.families import SPEECH_FAMILIES, SPEECH_FAMILY_KEYWORDS, normalize_generator, speech_family


@pytest.mark.parametrize(
    ("generator", "family"),
    [
        ("HiFi-GAN vocoder copy-synthesis", "gan_vocoder"),
        ("ljspeech_hifiGAN", "gan_vocoder"),
        ("Multi-band MelGAN", "gan_vocoder"),
        ("Parallel WaveGAN vocoder copy-synthesis", "gan_vocoder"),
        ("conformer_fastspeech2_pwg", "gan_vocoder"),
        ("WaveGlow vocoder copy-synthesis", "flow_vocoder"),
        ("Tacotron2 + WaveGlow (end-to-end TTS)", "flow_vocoder"),
        ("WaveNet (MoL) vocoder copy-synthesis", "autoregressive_vocoder"),
        ("YourTTS (VITS-based zero-shot TTS)", "e2e_tts"),
        ("SC-GlowTTS-Trans", "e2e_tts"),
        ("Piper 1.8.0 (VITS neural TTS, ONNX)", "e2e_tts"),
        ("espeak-ng 1.51 formant synthesis", "formant"),
        ("Flite 2.2", "concatenative_or_hts"),
        ("Festival 2.5 + festvox-us-slt-hts", "concatenative_or_hts"),
    ],
)
def test_fake_generators_map_to_their_family(generator, family):
    assert speech_family(generator, 1) == family


def test_real_samples_are_bonafide_whatever_the_text():
    assert speech_family("human (LJSpeech subset)", 0) == "bonafide"
    assert speech_family("HiFi-GAN", 0) == "bonafide"
    assert speech_family("human (VCTK)") == "bonafide"


def test_unknown_and_contradictory_generators_have_no_family():
    assert speech_family("some brand new model", 1) is None
    assert speech_family("human-like voice clone", 1) is None


def test_table_uses_only_declared_families_and_normalized_keywords():
    assert {family for _, family in SPEECH_FAMILY_KEYWORDS} <= set(SPEECH_FAMILIES)
    assert all(normalize_generator(keyword) == keyword for keyword, _ in SPEECH_FAMILY_KEYWORDS)
