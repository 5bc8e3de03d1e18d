"""Identity in reports (issue 11, part 2): watchlist matches per face, track and speech window, and the alert.

The watchlist holds synthetic embeddings, and the matcher is given embedding
functions that answer at once with chosen vectors (a face "is" Ann when its
embedding equals Ann's enrolled one), so these tests are fast and do not
depend on what dlib or the speaker encoder make of drawn faces and tones.
Whether a fake scores over the threshold is set with the verdict thresholds:
``fake_at=0`` makes every scored face and window likely synthetic, ``fake_at=1``
none. One test runs the real encoders on the shared photos.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from model_factory import random_face_weights
from PIL import Image

from fakeguard.datasets.demo import cartoon_face, face_scene, synthetic_voice
from fakeguard.datasets.shared import default_data_root
from fakeguard.detectors.api import Detector
from fakeguard.detectors.identity import StoredEmbedding, WatchlistMatcher, WatchlistStore
from fakeguard.detectors.pipelines.video_faces import VideoConfig
from fakeguard.detectors.report import Report, VerdictThresholds

pytest.importorskip("dlib")

SR = 16000
ANN = "Ann Example"
FAKE_ALL = VerdictThresholds(real_below=0.0, fake_at=0.0)  # every score is "likely synthetic"
FAKE_NONE = VerdictThresholds(real_below=1.0, fake_at=1.0)  # no score is


def unit(seed: int, dim: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


ANN_FACE, BOB_FACE, STRANGER_FACE = unit(1, 128), unit(2, 128), unit(3, 128)
ANN_VOICE, STRANGER_VOICE = unit(4, 256), unit(5, 256)


class FakeEncoders:
    """Embedding functions that record their calls and answer with chosen vectors."""

    def __init__(self, face: np.ndarray = ANN_FACE, voice=lambda start_s, end_s: ANN_VOICE) -> None:
        self.face, self.voice = face, voice
        self.chip_batches: list[int] = []
        self.spans: list[tuple[float, float]] = []

    def embed_chips(self, chips):
        assert all(c.shape == (150, 150, 3) for c in chips)  # dlib's own chips were cut
        self.chip_batches.append(len(chips))
        return np.tile(self.face, (len(chips), 1))

    def embed_voice(self, samples, sample_rate, start_s, end_s):
        assert sample_rate == SR and samples.dtype == np.float32
        self.spans.append((start_s, end_s))
        return self.voice(start_s, end_s)


def watchlist(tmp_path: Path, faces: bool = True, voices: bool = True) -> Path:
    db = tmp_path / "results.sqlite"
    with WatchlistStore(db) as store:
        ann = ([StoredEmbedding("face", "dlib_resnet_v1", ANN_FACE, "ann.jpg")] if faces else []) + (
            [StoredEmbedding("voice", "ge2e_resemblyzer", ANN_VOICE, "ann.wav")] if voices else []
        )
        store.add(ANN, ann)
        store.add("Bob", [StoredEmbedding("face", "dlib_resnet_v1", BOB_FACE, "bob.jpg")])
    return db


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Detector:
    return Detector.load(face_model=random_face_weights(tmp_path_factory.mktemp("w") / "face"))


def with_watchlist(base: Detector, db: Path | None, encoders: FakeEncoders, thresholds: VerdictThresholds, **kw):
    matcher = None
    if db is not None:
        matcher = WatchlistMatcher(db, embed_chips=encoders.embed_chips, embed_voice=encoders.embed_voice)
    return dataclasses.replace(base, watchlist=matcher, thresholds=thresholds, **kw)


@pytest.fixture(scope="module")
def face_png(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("img") / "face.png"
    Image.fromarray(cartoon_face(300, seed=2)).save(path)
    return path


@pytest.fixture(scope="module")
def voice_wav(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wav") / "call.wav"
    sf.write(path, synthetic_voice(3, seconds=10.0), SR, subtype="FLOAT")
    return path


# --------------------------------------------------------------------------- images


def test_a_protected_face_scored_fake_raises_an_alert_that_leads_the_reasons(base, face_png, tmp_path):
    encoders = FakeEncoders(face=ANN_FACE)
    report = with_watchlist(base, watchlist(tmp_path), encoders, FAKE_ALL).score(face_png)
    (face,) = report.faces
    assert face.identity is not None and face.identity.person == ANN and face.identity.kind == "face"
    assert face.identity.similarity == pytest.approx(1.0, abs=1e-4) and face.identity.threshold == 0.94
    (alert,) = report.alerts
    assert (alert.code, alert.person, alert.kind, alert.score) == ("impersonation", ANN, "face", face.score)
    assert ANN in alert.message and "face 1 of 1" in alert.message and "likely manipulated" in alert.message
    assert report.reasons[0] == alert.message and len(report.reasons) > 1  # the detector's own reason follows
    assert report.watchlist is not None and (report.watchlist.people, report.watchlist.with_face) == (2, 2)
    assert encoders.chip_batches == [1] and "identity_faces" in {t.stage for t in report.timings}
    plain = dataclasses.replace(base, thresholds=FAKE_ALL).score(face_png)
    assert (report.score, report.verdict) == (plain.score, plain.verdict)  # an alert changes neither
    back = Report.from_dict(report.to_dict())
    assert back.alerts == report.alerts and back.faces[0].identity == face.identity


def test_a_protected_face_that_looks_real_is_identity_only(base, face_png, tmp_path):
    report = with_watchlist(base, watchlist(tmp_path), FakeEncoders(face=ANN_FACE), FAKE_NONE).score(face_png)
    assert report.faces[0].identity.person == ANN
    assert report.alerts == [] and not any(ANN in r for r in report.reasons)


def test_a_face_like_nobody_enrolled_has_no_identity(base, face_png, tmp_path):
    report = with_watchlist(base, watchlist(tmp_path), FakeEncoders(face=STRANGER_FACE), FAKE_ALL).score(face_png)
    assert report.faces[0].identity is None and report.alerts == []
    assert report.watchlist is not None  # checked, and no match: not the same as "no watchlist"


def test_without_a_watchlist_nothing_is_embedded(base, face_png, voice_wav, monkeypatch):
    from fakeguard.detectors.identity import face_embed, voice_embed

    def refuse(*args, **kwargs):
        raise AssertionError("an identity embedding was computed without a watchlist")

    monkeypatch.setattr(face_embed, "embed_chips", refuse)
    monkeypatch.setattr(face_embed, "face_chip", refuse)
    monkeypatch.setattr(voice_embed.VoiceEmbedder, "embed_span", refuse)
    detector = dataclasses.replace(base, thresholds=FAKE_ALL)
    for path in (face_png, voice_wav):
        report = detector.score(path)
        assert report.watchlist is None and report.alerts == []
        assert all(f.identity is None for f in report.faces)
        assert all(s.identity is None for s in report.speech_segments)
        assert not {t.stage for t in report.timings} & {"identity_faces", "identity_voice"}


def test_only_the_enrolled_kinds_are_embedded(base, face_png, voice_wav, tmp_path):
    db = tmp_path / "voices_only.sqlite"
    with WatchlistStore(db) as store:
        store.add(ANN, [StoredEmbedding("voice", "ge2e_resemblyzer", ANN_VOICE, "ann.wav")])
    encoders = FakeEncoders()
    detector = with_watchlist(base, db, encoders, FAKE_ALL)
    report = detector.score(face_png)
    assert encoders.chip_batches == [] and report.faces[0].identity is None
    assert report.watchlist is not None and (report.watchlist.with_face, report.watchlist.with_voice) == (0, 1)
    detector.score(voice_wav)
    assert encoders.spans  # the voice was


# --------------------------------------------------------------------------- speech


def test_protected_voice_windows_merge_into_one_alert(base, voice_wav, tmp_path):
    encoders = FakeEncoders(voice=lambda start_s, end_s: ANN_VOICE if start_s >= 2.0 else STRANGER_VOICE)
    report = with_watchlist(base, watchlist(tmp_path), encoders, FAKE_ALL).score(voice_wav)
    scored = [s for s in report.speech_segments if s.score is not None]
    assert len(scored) >= 3 and len(encoders.spans) == len(scored)  # each scored window, once
    matched = [s for s in scored if s.identity is not None]
    assert matched == [s for s in scored if s.start_s >= 2.0] and all(s.identity.person == ANN for s in matched)
    a, b = min(s.start_s for s in matched), max(s.end_s for s in matched)
    (alert,) = report.alerts
    assert (alert.kind, alert.person, alert.start_s, alert.end_s) == ("voice", ANN, a, b)
    assert f"voice matches {ANN}, segments {a:.0f}-{b:.0f} s likely synthetic" in alert.message
    assert report.reasons[0] == alert.message
    assert alert.score == max(s.score for s in matched)


def test_a_protected_voice_that_sounds_real_is_identity_only(base, voice_wav, tmp_path):
    report = with_watchlist(base, watchlist(tmp_path), FakeEncoders(), FAKE_NONE).score(voice_wav)
    assert any(s.identity is not None for s in report.speech_segments) and report.alerts == []


# --------------------------------------------------------------------------- video


@pytest.fixture(scope="module")
def talking_clip(tmp_path_factory) -> Path:
    import media_factory as mf

    frames = [face_scene(320, 240, [(60 + 2 * i, 30, 180)]) for i in range(30)]
    folder = tmp_path_factory.mktemp("video")
    return mf.write_video(folder, "mp4", name="talk.mp4", frames=frames, fps=10, width=320, height=240, audio=True)


def test_a_protected_face_track_scored_fake_raises_an_alert_with_its_span(base, talking_clip, tmp_path):
    encoders = FakeEncoders(face=ANN_FACE, voice=lambda a, b: STRANGER_VOICE)
    detector = with_watchlist(base, watchlist(tmp_path), encoders, FAKE_ALL, video=VideoConfig(fps=4.0))
    report = detector.score(talking_clip)
    (track,) = report.face_tracks
    assert len(track.points) > 3  # more faces than are embedded
    assert track.identity is not None and track.identity.person == ANN
    assert encoders.chip_batches == [3]  # three faces of the track, one batch, averaged into one query
    assert all(f.identity is None for f in report.faces)  # the track carries it, not each sampled face
    (alert,) = report.alerts
    assert (alert.kind, alert.track_id, alert.start_s, alert.end_s) == ("face", 1, track.start_s, track.end_s)
    assert f"face track 1 ({track.start_s:.0f}-{track.end_s:.0f} s) matches {ANN}" in alert.message
    assert report.reasons[0] == alert.message


# --------------------------------------------------------------------------- the watchlist changing


def test_an_enrolment_is_seen_by_the_next_report_and_changes_the_scan_key(base, face_png, tmp_path):
    from fakeguard.service.scan import DetectorSpec, models_key

    db = tmp_path / "results.sqlite"
    WatchlistStore(db).close()  # an empty watchlist
    encoders = FakeEncoders(face=ANN_FACE)
    detector = with_watchlist(base, db, encoders, FAKE_ALL)
    before = detector.score(face_png)
    assert before.watchlist.people == 0 and before.faces[0].identity is None and encoders.chip_batches == []
    key = models_key(detector)
    with WatchlistStore(db) as store:
        store.add(ANN, [StoredEmbedding("face", "dlib_resnet_v1", ANN_FACE, "ann.jpg")])
    after = detector.score(face_png)
    assert after.watchlist.people == 1 and after.faces[0].identity.person == ANN and after.alerts
    assert models_key(detector) != key and models_key(detector).startswith(key.split(";watchlist@")[0])
    assert DetectorSpec.from_detector(detector).watchlist == str(db)
    loaded = Detector.load(face_model=base.face_model, watchlist=str(db))
    assert isinstance(loaded.watchlist, WatchlistMatcher) and loaded.watchlist.snapshot().people == 1


# --------------------------------------------------------------------------- real faces (shared data)


@pytest.mark.shared_data
@pytest.mark.slow
def test_another_photo_of_a_protected_person_matches_with_the_real_encoder(base, tmp_path):
    import csv

    from fakeguard.detectors.identity import enrol

    root = default_data_root() / "faces" / "lfw_deepfunneled_150"
    if not root.exists():
        pytest.skip(f"the shared data is not at {root} (set FAKEGUARD_DATA): real faces are needed")
    with open(root / "manifest.csv", newline="") as f:
        photos = [root / r["relpath"] for r in csv.DictReader(f) if r["identity"] == "Abdullah_Gul"]
    db = tmp_path / "results.sqlite"
    with WatchlistStore(db) as store:
        enrol(store, "Abdullah Gul", photos[:1])
    report = dataclasses.replace(base, watchlist=WatchlistMatcher(db), thresholds=FAKE_ALL).score(photos[1])
    assert report.faces[0].identity is not None and report.faces[0].identity.person == "Abdullah Gul"
    assert report.alerts and "Abdullah Gul" in report.reasons[0]
