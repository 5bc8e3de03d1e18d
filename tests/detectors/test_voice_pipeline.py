"""The voice path end to end: intake, preprocessing shared with training, scoring, the report.

Scoring tests use the shipped default weights, which are committed in the
package: a checkout without them is broken, so these tests fail rather than skip.
"""

from __future__ import annotations

import jsonschema
import numpy as np
import pytest
import soundfile as sf

from fakeguard.detectors.errors import CorruptMedia, UnsupportedMedia
from fakeguard.detectors.intake import as_source, load_audio
from fakeguard.detectors.pipelines.audio import voice_reasons, voice_timeline
from fakeguard.detectors.pipelines.voice import VoiceResult, aggregate_logits
from fakeguard.detectors.report import SpeechSegment, Verdict, VerdictThresholds, json_schema
from fakeguard.detectors.speech import prepare_speech
from fakeguard.detectors.weights import DEFAULT_MODELS, WEIGHTS_DIR

SR = 16000


def voiced(seconds: float, f0: float = 130.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    pitch = f0 * (1 + 0.05 * np.sin(2 * np.pi * 0.5 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / SR
    syllables = 0.5 * (1 - np.cos(2 * np.pi * 4 * t))
    wave = sum(np.sin(k * phase) / k for k in range(1, 15)) * syllables + 0.01 * rng.standard_normal(t.size)
    return (0.1 * wave).astype(np.float32)


def test_training_and_serving_see_identical_samples(tmp_path):
    """The training store and the serving path share load_audio + prepare_speech: same array, bit for bit."""
    from fakeguard.datasets.torch_data import AudioStore

    path = tmp_path / "clip.wav"
    sf.write(path, np.concatenate([np.zeros(SR // 2, np.float32), voiced(2.0), np.zeros(SR // 2, np.float32)]), SR)
    store = AudioStore(SR, cache_dir=tmp_path / "cache")
    train_view = store.get(path)
    serve_view = prepare_speech(load_audio(as_source(path), SR).samples, SR).samples
    np.testing.assert_array_equal(train_view, serve_view)
    cached = AudioStore(SR, cache_dir=tmp_path / "cache").get(path)  # read back from the disk cache
    np.testing.assert_array_equal(cached, serve_view)


def test_aggregation_follows_the_worst_quarter():
    assert aggregate_logits(np.array([0.0])) == 0.0
    assert aggregate_logits(np.array([-3.0, -3.0, -3.0, 5.0])) == 5.0
    assert aggregate_logits(np.array([-1.0] * 6 + [4.0, 2.0])) == pytest.approx(3.0)


def test_timeline_and_reasons_name_the_flagged_seconds():
    segments = [
        SpeechSegment(0.0, 4.0, True, 0.1),
        SpeechSegment(2.0, 6.0, True, 0.9),
        SpeechSegment(4.0, 8.0, True, 0.95),
        SpeechSegment(6.0, 9.5, False, None),
    ]
    timeline = voice_timeline(segments, 9.5)
    assert len(timeline) == 10 and timeline[0].voice_score == 0.1 and timeline[5].voice_score == 0.95
    assert timeline[9].voice_score is None and timeline[9].end_s == 9.5
    result = VoiceResult(segments, np.array([0.0]), 2.0, 0.93, 8.0)
    assert voice_reasons(result, VerdictThresholds()) == ["voice segment 2-8 s likely synthetic (score 0.95)"]


def test_score_audio_file_gives_a_valid_report(tmp_path):
    from fakeguard.detectors.api import Detector

    path = tmp_path / "voice.flac"
    sf.write(path, voiced(9.0), SR)
    report = Detector.load().score(path)
    jsonschema.validate(report.to_dict(), json_schema())
    assert report.kind.value == "audio" and 0.0 <= report.score <= 1.0
    assert report.verdict in set(Verdict)
    assert len(report.speech_segments) == 4  # 4 s windows, 2 s hop over ~9 s
    assert all(s.speech and 0 <= s.score <= 1 for s in report.speech_segments)
    assert len(report.timeline) == 9
    assert report.models[0].task == "voice" and len(report.models[0].weights_sha256) == 64
    assert {t.stage for t in report.timings} >= {"decode", "vad_normalize", "classify_voice"}


def test_silence_is_a_warning_not_an_error(tmp_path):
    from fakeguard.detectors.api import Detector

    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(3 * SR, np.float32), SR)
    report = Detector.load().score(path)
    assert report.score is None and report.verdict is Verdict.UNCERTAIN
    assert [w.code for w in report.warnings] == ["no_speech"]
    assert all(not s.speech and s.score is None for s in report.speech_segments)


def test_scoring_is_deterministic_and_loudness_invariant(tmp_path):
    from fakeguard.detectors.api import Detector

    detector = Detector.load()
    quiet, loud = tmp_path / "quiet.wav", tmp_path / "loud.wav"
    # Float WAV, so neither copy is clipped or quantised: they differ by gain alone.
    sf.write(quiet, voiced(5.0) * 0.1, SR, subtype="FLOAT")
    sf.write(loud, voiced(5.0) * 2.5, SR, subtype="FLOAT")
    a, b = detector.score(quiet), detector.score(loud)
    assert a.score == pytest.approx(b.score, abs=0.02)
    assert detector.score(quiet).score == a.score


def test_bad_inputs_raise_typed_errors(tmp_path, factory):
    from fakeguard.detectors.api import Detector

    detector = Detector.load()
    broken = tmp_path / "broken.flac"
    sf.write(broken, voiced(3.0), SR)
    broken.write_bytes(broken.read_bytes()[:200])
    with pytest.raises(CorruptMedia, match="broken.flac"):
        detector.score(broken)
    notes = tmp_path / "notes.txt"
    notes.write_text("not media at all\n" * 20)
    with pytest.raises(UnsupportedMedia, match="notes.txt"):
        detector.score(notes)


def test_default_voice_weights_are_shipped_with_a_model_card():
    folder = WEIGHTS_DIR / DEFAULT_MODELS["voice"]
    assert (folder / "model.safetensors").is_file() and (folder / "config.json").is_file()
    card = (folder / "MODEL_CARD.md").read_text()
    for section in ("## Training data and splits", "## Command", "## Metrics", "## Known failure cases", "## Licences"):
        assert section in card


def test_reports_carry_the_thresholds_their_verdict_was_judged_with(tmp_path):
    from fakeguard.detectors.api import Detector
    from fakeguard.detectors.report import Report, VerdictThresholds

    path = tmp_path / "v.flac"
    sf.write(path, voiced(3.0), SR)
    strict = VerdictThresholds(real_below=0.05, fake_at=0.95)
    report = Detector.load(thresholds=strict).score(path)
    assert report.thresholds == strict
    assert report.verdict == strict.verdict(report.score)
    assert Report.from_dict(report.to_dict()).thresholds == strict
