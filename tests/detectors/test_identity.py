"""Identity embeddings, matching and the watchlist (issue 11, part 1).

Matching, thresholds, the store and export/import run on small synthetic
embeddings. Enrolment mechanics run on drawn faces and synthetic voices (dlib's
descriptor means nothing on a drawing, so those tests check only what is
accepted, refused and stored). Whether a real person matches and another does
not is checked on the shared photos and speech, skipped where they are absent.
"""

from __future__ import annotations

import base64
import csv
import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

from fakeguard.datasets.demo import cartoon_face, face_scene, synthetic_voice
from fakeguard.datasets.shared import default_data_root
from fakeguard.detectors.identity import (
    EnrolmentError,
    Gallery,
    IdentityMatch,
    PersonExists,
    StoredEmbedding,
    UnknownPerson,
    WatchlistError,
    WatchlistStore,
    enrol,
    export_watchlist,
    import_watchlist,
    load_thresholds,
    mean_embedding,
    read_import,
    write_export,
)
from fakeguard.detectors.identity.exchange import MODELS
from fakeguard.detectors.identity.thresholds import DEFAULT_PATH, KindThreshold, write_threshold
from fakeguard.detectors.identity.watchlist_store import Enrolment, check_name

SR = 16000


def unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def near(vector: np.ndarray, rng: np.random.Generator, noise: float = 0.05) -> np.ndarray:
    """Another "photo" of the same person: the vector plus a little noise, unit length."""
    v = vector + noise * rng.standard_normal(vector.size).astype(np.float32)
    return (v / np.linalg.norm(v)).astype(np.float32)


def faces_of(vectors: np.ndarray, model: str = "dlib_resnet_v1") -> tuple[StoredEmbedding, ...]:
    return tuple(StoredEmbedding("face", model, v, f"photo{i}.jpg") for i, v in enumerate(vectors))


def voices_of(vectors: np.ndarray) -> tuple[StoredEmbedding, ...]:
    return tuple(StoredEmbedding("voice", "ge2e_resemblyzer", v, f"clip{i}.wav") for i, v in enumerate(vectors))


# --------------------------------------------------------------------------- matching


def test_gallery_takes_each_persons_best_embedding_and_ranks_people():
    rng = np.random.default_rng(0)
    base = unit(rng, 3, 128)
    owners = ["ann", "bob", "ann", "cat", "bob"]
    vectors = np.stack([base[0], base[1], near(base[0], rng, 0.5), base[2], near(base[1], rng, 0.5)])
    gallery = Gallery.build("face", "dlib_resnet_v1", 0.8, owners, vectors)
    assert gallery.people == ("ann", "bob", "cat") and len(gallery) == 3
    sims = gallery.similarities(base[0])
    assert sims.shape == (3,)
    assert sims[0] == pytest.approx(1.0, abs=1e-5)  # the exact embedding wins over the noisy one
    ranked = gallery.rank(base[1], top=3)
    assert [m.person for m in ranked][0] == "bob" and ranked[0].matched
    assert ranked[0].similarity >= ranked[1].similarity >= ranked[2].similarity
    assert gallery.match(base[2]).person == "cat"
    assert gallery.similarities(np.stack([base[0], base[2]])).shape == (2, 3)  # a batch of queries


def test_no_match_below_the_threshold_and_matches_carry_it():
    rng = np.random.default_rng(1)
    base = unit(rng, 2, 256)
    gallery = Gallery.build("voice", "ge2e_resemblyzer", 0.9, ["ann"], base[:1])
    assert gallery.match(base[1]) is None  # random 256-d vectors are nearly orthogonal
    best = gallery.rank(base[1], top=1)[0]
    assert isinstance(best, IdentityMatch) and not best.matched and best.threshold == 0.9 and best.kind == "voice"
    hit = gallery.match(near(base[0], rng, 0.01))
    assert hit is not None and hit.to_dict()["matched"] is True and hit.to_dict()["person"] == "ann"


def test_empty_gallery_and_wrong_dimension():
    empty = Gallery.build("face", "dlib_resnet_v1", 0.9, [], np.zeros((0, 128), np.float32))
    assert len(empty) == 0 and empty.rank(np.ones(128)) == [] and empty.match(np.ones(128)) is None
    gallery = Gallery.build("face", "dlib_resnet_v1", 0.9, ["ann"], np.ones((1, 128)))
    with pytest.raises(ValueError, match="256-d query against 128-d"):
        gallery.similarities(np.ones(256))
    with pytest.raises(ValueError, match="kind"):
        Gallery.build("fingerprint", "x", 0.9, [], np.zeros((0, 4)))


def test_mean_embedding_is_unit_length_and_between_its_parts():
    rng = np.random.default_rng(2)
    a = unit(rng, 1, 128)[0]
    track = np.stack([near(a, rng, 0.1) for _ in range(5)])
    mean = mean_embedding(track)
    assert np.linalg.norm(mean) == pytest.approx(1.0, abs=1e-5)
    assert float(mean @ a) > float(np.min(track @ a))


# --------------------------------------------------------------------------- thresholds


def test_packaged_thresholds_load_and_name_their_models():
    thresholds = load_thresholds()
    assert thresholds.face.model == "dlib_resnet_v1" and thresholds.voice.model == "ge2e_resemblyzer"
    assert 0 < thresholds.for_kind("face").threshold < 1 and 0 < thresholds.for_kind("voice").threshold < 1
    assert thresholds.face.bench == "bench/identity_face.py"


def test_thresholds_file_refuses_unknown_keys_and_rewrites_one_kind(tmp_path):
    path = tmp_path / "thresholds.yaml"
    path.write_text(DEFAULT_PATH.read_text())
    entry = KindThreshold("dlib_resnet_v1", 0.95, 1e-4, 0.01, 1e-4, 0.1, "test", "bench/identity_face.py")
    write_threshold("face", entry, path)
    again = load_thresholds(path)
    assert again.face == entry and again.voice == load_thresholds().voice
    path.write_text(path.read_text().replace("target_fmr:", "tarrget_fmr:", 1))
    with pytest.raises(ValueError, match="unknown keys"):
        load_thresholds(path)


# --------------------------------------------------------------------------- the store


def test_store_adds_lists_removes_and_shares_the_scan_database(tmp_path):
    from fakeguard.service.scan.store import ResultStore

    db = tmp_path / "results.sqlite"
    rng = np.random.default_rng(3)
    with ResultStore(db):
        pass
    with WatchlistStore(db) as store:
        ann = store.add("  Ann Example ", faces_of(unit(rng, 2, 128)) + voices_of(unit(rng, 3, 256)))
        store.add("Bob", faces_of(unit(rng, 1, 128)))
        assert (ann.name, ann.faces, ann.voices) == ("Ann Example", 2, 3)
        assert [p.name for p in store.people()] == ["Ann Example", "Bob"]
        assert len(store.gallery("face", "dlib_resnet_v1", 0.9)) == 2
        assert len(store.gallery("voice", "ge2e_resemblyzer", 0.9)) == 1
        assert len(store.gallery("face", "some_other_model", 0.9)) == 0  # other models are never compared
        before = store.revision()
        assert store.remove("Ann Example") == 5
        assert store.revision() != before
        assert [p.name for p in store.people()] == ["Bob"]
        with pytest.raises(UnknownPerson):
            store.remove("Ann Example")
    with sqlite3.connect(db) as conn:  # the embeddings are gone, and the scan tables are still there
        assert conn.execute("SELECT COUNT(*) FROM watchlist_embeddings WHERE person = 'Ann Example'").fetchone() == (0,)
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"results", "files", "watchlist_people", "watchlist_embeddings"} <= tables


def test_store_refuses_a_second_enrolment_unless_replacing(tmp_path):
    rng = np.random.default_rng(4)
    with WatchlistStore(tmp_path / "w.sqlite") as store:
        store.add("Ann", faces_of(unit(rng, 2, 128)))
        with pytest.raises(PersonExists):
            store.add("Ann", faces_of(unit(rng, 1, 128)))
        replaced = store.add("Ann", voices_of(unit(rng, 1, 256)), replace=True)
        assert (replaced.faces, replaced.voices) == (0, 1)


def test_add_many_is_all_or_nothing(tmp_path):
    rng = np.random.default_rng(5)
    bad = StoredEmbedding("face", "dlib_resnet_v1", np.full(128, np.nan, np.float32), "nan.jpg")
    with WatchlistStore(tmp_path / "w.sqlite") as store:
        with pytest.raises(WatchlistError, match="nan.jpg"):
            store.add_many([Enrolment("Ann", faces_of(unit(rng, 1, 128))), Enrolment("Bob", (bad,))])
        with pytest.raises(WatchlistError, match="twice"):
            store.add_many([Enrolment("Ann", faces_of(unit(rng, 1, 128)))] * 2)
        store.add("Cat", faces_of(unit(rng, 1, 128)))
        with pytest.raises(PersonExists):  # the second person exists: the first is not added either
            store.add_many(
                [Enrolment("Dan", faces_of(unit(rng, 1, 128))), Enrolment("Cat", faces_of(unit(rng, 1, 128)))]
            )
        assert [p.name for p in store.people()] == ["Cat"]


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "x" * 201])
def test_bad_names_are_refused(name):
    with pytest.raises(WatchlistError):
        check_name(name)


# --------------------------------------------------------------------------- export and import


def test_export_import_round_trips_exactly(tmp_path):
    rng = np.random.default_rng(6)
    faces, voices = unit(rng, 3, 128), unit(rng, 2, 256)
    with WatchlistStore(tmp_path / "a.sqlite") as a:
        a.add("Ann", faces_of(faces) + voices_of(voices))
        a.add("Zoë", faces_of(unit(rng, 1, 128)))
        n = write_export(a, tmp_path / "watchlist.json")
        original = a.embeddings()
        people = a.people()
    assert n == 2
    text = (tmp_path / "watchlist.json").read_text(encoding="utf-8")
    assert "Zoë" in text and "photo0.jpg" in text
    with WatchlistStore(tmp_path / "b.sqlite") as b:
        imported = read_import(b, tmp_path / "watchlist.json")
        assert [p.name for p in imported] == ["Ann", "Zoë"]
        assert b.people() == people  # names, counts and enrolment times
        copied = b.embeddings()
    assert [(p, e.kind, e.model, e.source) for p, e in copied] == [(p, e.kind, e.model, e.source) for p, e in original]
    for (_, x), (_, y) in zip(copied, original):
        assert np.array_equal(x.vector, y.vector)


def test_the_export_names_only_known_models():
    from fakeguard.detectors.identity.face_embed import FACE_DIM, FACE_MODEL
    from fakeguard.detectors.identity.voice_embed import VOICE_MODEL, VoiceEmbedder

    assert {"face": {FACE_MODEL: FACE_DIM}, "voice": {VOICE_MODEL: VoiceEmbedder().dim}} == MODELS


def _export(rng: np.random.Generator) -> dict:
    with_store = {
        "format": "fakeguard.watchlist",
        "version": 1,
        "people": [
            {
                "name": "Ann",
                "enrolled_at": "2026-01-01T00:00:00+00:00",
                "embeddings": [
                    {
                        "kind": "face",
                        "model": "dlib_resnet_v1",
                        "source": "a.jpg",
                        "vector": base64.b64encode(unit(rng, 1, 128)[0].astype("<f4").tobytes()).decode(),
                    }
                ],
            }
        ],
    }
    return with_store


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d.update(format="something else"), "not a fakeguard watchlist"),
        (lambda d: d.update(version=99), "version"),
        (lambda d: d["people"][0]["embeddings"][0].update(model="facenet"), "unknown face model"),
        (lambda d: d["people"][0]["embeddings"][0].update(vector="!!!"), "base64"),
        (lambda d: d["people"][0]["embeddings"][0].update(vector=base64.b64encode(b"\0" * 16).decode()), "128 float32"),
        (
            lambda d: d["people"][0]["embeddings"][0].update(
                vector=base64.b64encode(np.full(128, 0.5, "<f4").tobytes()).decode()
            ),
            "unit-length",
        ),
        (lambda d: d["people"][0].update(embeddings=[]), "no embeddings"),
    ],
)
def test_a_malformed_import_enrols_nobody(tmp_path, damage, message):
    rng = np.random.default_rng(7)
    good, data = _export(rng), _export(rng)
    good["people"][0]["name"] = "Bob"
    data["people"].insert(0, good["people"][0])  # a valid person before the damaged one
    damage(data)
    with WatchlistStore(tmp_path / "w.sqlite") as store:
        with pytest.raises(WatchlistError, match=message):
            import_watchlist(store, data)
        assert store.people() == []


def test_import_of_an_enrolled_name_needs_replace(tmp_path):
    rng = np.random.default_rng(8)
    with WatchlistStore(tmp_path / "w.sqlite") as store:
        store.add("Ann", voices_of(unit(rng, 1, 256)))
        with pytest.raises(PersonExists):
            import_watchlist(store, _export(rng))
        (ann,) = import_watchlist(store, _export(rng), replace=True)
        assert (ann.faces, ann.voices, ann.enrolled_at) == (1, 0, "2026-01-01T00:00:00+00:00")
        assert export_watchlist(store)["people"][0]["embeddings"][0]["source"] == "a.jpg"


def test_an_unreadable_import_file_is_a_watchlist_error(tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    with WatchlistStore(tmp_path / "w.sqlite") as store, pytest.raises(WatchlistError, match="broken.json"):
        read_import(store, tmp_path / "broken.json")


# --------------------------------------------------------------------------- the encoders' front-ends


def test_mel_filterbank_and_frames_match_librosa_as_the_encoder_was_trained():
    librosa = pytest.importorskip("librosa")
    import torch

    from fakeguard.detectors.identity.ge2e import GE2EEncoder, mel_filterbank

    ours = mel_filterbank(SR, 400, 40)
    assert np.allclose(ours, librosa.filters.mel(sr=SR, n_fft=400, n_mels=40), atol=1e-8)
    wave = synthetic_voice(1, seconds=1.0)
    frames = GE2EEncoder().mel_frames(torch.from_numpy(wave)).numpy()
    reference = librosa.feature.melspectrogram(y=wave, sr=SR, n_fft=400, hop_length=160, n_mels=40, pad_mode="reflect")
    assert frames.shape == reference.T.shape == (101, 40)
    assert np.allclose(frames, reference.T, rtol=1e-3, atol=1e-6 * reference.max())


def test_partials_cover_the_utterance_as_resemblyzer_cuts_it():
    from fakeguard.detectors.identity.ge2e import GE2EConfig
    from fakeguard.detectors.identity.voice_embed import partial_starts

    cfg = GE2EConfig()
    assert partial_starts(8000, cfg) == [0]  # 0.5 s: one partial, padded
    assert partial_starts(30000, cfg) == [0]  # a second partial would be under 75% audio
    assert partial_starts(16000 * 3, cfg) == [0, 77, 154]  # a partial every 77 frames (1.3 per second)
    # resemblyzer's compute_partial_slices(160000, 1.3, 0.75), as printed by resemblyzer 0.1.4:
    assert partial_starts(16000 * 10, cfg) == [77 * i for i in range(12)]


def test_quiet_audio_is_raised_and_loud_audio_left_alone():
    from fakeguard.detectors.identity.voice_embed import raise_quiet

    quiet = 0.001 * synthetic_voice(2)
    raised = raise_quiet(quiet, -30.0)
    assert 20 * np.log10(np.sqrt(np.mean(raised.astype(np.float64) ** 2))) == pytest.approx(-30.0, abs=0.01)
    loud = synthetic_voice(2)
    assert raise_quiet(loud, -60.0) is loud


# --------------------------------------------------------------------------- the encoders


@pytest.fixture(scope="module")
def voice_embedder():
    from fakeguard.detectors.identity.ge2e import SpeakerEncoderMissing
    from fakeguard.detectors.identity.voice_embed import VoiceEmbedder

    embedder = VoiceEmbedder()
    try:
        embedder.encoder  # noqa: B018 - loads the weights
    except SpeakerEncoderMissing as exc:
        pytest.skip(str(exc))
    return embedder


def test_missing_speaker_encoder_weights_say_what_to_install(monkeypatch):
    import importlib.util

    from fakeguard.detectors.identity import ge2e

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ge2e.SpeakerEncoderMissing, match="pip install --no-deps resemblyzer"):
        ge2e.weights_path()


def test_voice_embedding_is_unit_length_and_needs_speech(voice_embedder):
    e = voice_embedder.embed(synthetic_voice(3, seconds=3.0), SR)
    assert e.vector.shape == (256,) and e.vector.dtype == np.float32
    assert np.linalg.norm(e.vector) == pytest.approx(1.0, abs=1e-5)
    assert e.partials.shape[1] == 256 and len(e.partials) >= 2 and e.speech_s > 2.0
    assert voice_embedder.embed(np.zeros(3 * SR, np.float32), SR) is None
    span = voice_embedder.embed_span(np.concatenate([np.zeros(SR, np.float32), synthetic_voice(3)]), SR, 1.0, 3.0)
    assert span is not None and float(span.vector @ voice_embedder.embed(synthetic_voice(3), SR).vector) > 0.99
    with pytest.raises(ValueError, match="16000 Hz"):
        voice_embedder.embed(synthetic_voice(3), 22050)


def test_face_embedding_is_unit_length_from_dlibs_own_chip():
    from fakeguard.detectors.faces import FaceDetector
    from fakeguard.detectors.identity.face_embed import embed_face, embed_faces, face_chip

    image = cartoon_face(300)
    (face,) = FaceDetector().detect(image)
    chip = face_chip(image, face)
    assert chip.shape == (150, 150, 3) and chip.dtype == np.uint8
    vector = embed_face(image, face)
    assert vector.shape == (128,) and np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
    assert np.allclose(embed_faces(image, [face, face]), vector, atol=1e-6)


# --------------------------------------------------------------------------- enrolment mechanics


def _photo(folder: Path, name: str, pixels: np.ndarray) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    Image.fromarray(pixels).save(path)
    return path


def _clip(folder: Path, name: str, wave: np.ndarray) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    sf.write(path, wave, SR)
    return path


def test_enrol_from_photos_and_clips(tmp_path, voice_embedder):
    _photo(tmp_path / "photos", "a.png", cartoon_face(300, seed=1))
    _photo(tmp_path / "photos", "b.jpg", cartoon_face(360, seed=2))
    (tmp_path / "photos" / ".DS_Store").write_bytes(b"\0\0")  # hidden files are not photos
    _clip(tmp_path / "voice", "one.wav", synthetic_voice(4, 0, seconds=2.0))
    _clip(tmp_path / "voice", "two.flac", synthetic_voice(4, 1, seconds=2.0))
    with WatchlistStore(tmp_path / "w.sqlite") as store:
        person = enrol(store, "Ann", tmp_path / "photos", tmp_path / "voice", embedder=voice_embedder)
        assert (person.name, person.faces, person.voices) == ("Ann", 2, 2)
        sources = sorted(e.source for _, e in store.embeddings("Ann"))
        assert sources == ["a.png", "b.jpg", "one.wav", "two.flac"]
        with pytest.raises(PersonExists):
            enrol(store, "Ann", tmp_path / "photos")


def test_enrolment_refuses_bad_files_names_them_and_enrols_nothing(tmp_path, voice_embedder):
    photos, voice = tmp_path / "photos", tmp_path / "voice"
    _photo(photos, "good.png", cartoon_face(300))
    _photo(photos, "landscape.png", np.full((240, 320, 3), 120, np.uint8))
    _photo(photos, "two.png", face_scene(900, 400, [(40, 50, 300), (520, 50, 300)]))
    (photos / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    (photos / "notes.txt").write_text("not a photo")
    _clip(voice, "speech.wav", synthetic_voice(5, seconds=2.0))
    _clip(voice, "silence.wav", np.zeros(2 * SR, np.float32))
    with WatchlistStore(tmp_path / "w.sqlite") as store:
        with pytest.raises(EnrolmentError) as caught:
            enrol(store, "Ann", photos, voice, embedder=voice_embedder)
        assert store.people() == [] and store.embeddings() == []
    refused = {Path(p.file).name: p.reason for p in caught.value.problems}
    assert set(refused) == {"landscape.png", "two.png", "broken.jpg", "notes.txt", "silence.wav"}
    assert "no face" in refused["landscape.png"]
    assert "2 faces" in refused["two.png"]
    assert "no speech" in refused["silence.wav"]
    assert "landscape.png" in str(caught.value) and "nothing was enrolled" in str(caught.value)


def test_enrolment_needs_files(tmp_path):
    (tmp_path / "empty").mkdir()
    with WatchlistStore(tmp_path / "w.sqlite") as store:
        with pytest.raises(EnrolmentError, match="no photos found"):
            enrol(store, "Ann", tmp_path / "empty")
        with pytest.raises(EnrolmentError, match="missing: no such file"):
            enrol(store, "Ann", tmp_path / "missing")
        with pytest.raises(WatchlistError, match="give photos"):
            enrol(store, "Ann")


# --------------------------------------------------------------------------- real people (shared data)


def _shared(*parts: str) -> Path:
    root = default_data_root().joinpath(*parts)
    if not root.exists():
        pytest.skip(f"the shared data is not at {root} (set FAKEGUARD_DATA): real faces and voices are needed")
    return root


def _manifest(root: Path, column: str) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    with open(root / "manifest.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["label"] == "real" and row[column]:
                out.setdefault(row[column], []).append(root / row["relpath"])
    return out


@pytest.mark.shared_data
@pytest.mark.slow
def test_another_photo_of_an_enrolled_person_matches_and_a_stranger_does_not(tmp_path):
    root = _shared("faces", "lfw_deepfunneled_150")
    people = _manifest(root, "identity")
    threshold = load_thresholds().face.threshold
    with WatchlistStore(tmp_path / "w.sqlite") as store:
        for name in ("Aaron_Peirsol", "Abdullah_Gul"):
            enrol(store, name, people[name][:1])
        gallery = store.gallery("face", "dlib_resnet_v1", threshold)
    from fakeguard.detectors.faces import FaceDetector
    from fakeguard.detectors.identity.face_embed import embed_face
    from fakeguard.detectors.intake import as_source, load_image

    detector = FaceDetector()

    def probe(path: Path) -> np.ndarray:
        pixels = load_image(as_source(path)).pixels
        return embed_face(pixels, detector.detect(pixels)[0])

    for name in ("Aaron_Peirsol", "Abdullah_Gul"):
        match = gallery.match(probe(people[name][1]))
        assert match is not None and match.person == name, gallery.rank(probe(people[name][1]))
    stranger = gallery.rank(probe(people["Adrien_Brody"][0]), top=1)[0]
    assert not stranger.matched, stranger


@pytest.mark.shared_data
@pytest.mark.slow
def test_another_clip_of_an_enrolled_speaker_matches_and_another_speaker_does_not(tmp_path, voice_embedder):
    root = _shared("speech", "yourtts")
    with open(root / "manifest.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["relpath"].startswith("real/gt_libritts/")]
    speakers: dict[str, list[Path]] = {}
    for r in rows:
        speakers.setdefault(r["speaker"], []).append(root / r["relpath"])
    threshold = load_thresholds().voice.threshold
    with WatchlistStore(tmp_path / "w.sqlite") as store:
        for speaker in ("1089", "121"):
            enrol(store, speaker, voices=speakers[speaker][:3], embedder=voice_embedder)
        gallery = store.gallery("voice", "ge2e_resemblyzer", threshold)
    from fakeguard.detectors.intake import as_source, load_audio

    def probe(path: Path) -> np.ndarray:
        audio = load_audio(as_source(path), SR)
        return voice_embedder.embed(audio.samples, SR).vector

    for speaker in ("1089", "121"):
        match = gallery.match(probe(speakers[speaker][4]))
        assert match is not None and match.person == speaker, gallery.rank(probe(speakers[speaker][4]))
    stranger = gallery.rank(probe(speakers["2300"][0]), top=1)[0]
    assert not stranger.matched, stranger


def test_export_holds_embeddings_only(tmp_path):
    rng = np.random.default_rng(9)
    with WatchlistStore(tmp_path / "w.sqlite") as store:
        store.add("Ann", faces_of(unit(rng, 1, 128)))
        data = export_watchlist(store)
    (embedding,) = data["people"][0]["embeddings"]
    assert set(embedding) == {"kind", "model", "source", "vector"}
    assert json.loads(json.dumps(data)) == data
