"""The Python API for notebooks: arrays, Pillow images, folders to DataFrames, run folders, display.

An untrained small face model (mechanics, not quality) and the shipped voice model.
"""

from __future__ import annotations

import io
import json

import cv2
import numpy as np
import pytest
import soundfile as sf
from model_factory import random_face_weights
from PIL import Image

from fakeguard.datasets.demo import cartoon_face, synthetic_voice
from fakeguard.detectors.api import Detector
from fakeguard.detectors.display import crop_gallery, show
from fakeguard.detectors.report import Report
from fakeguard.service.scan import ResultStore, models_key
from fakeguard.service.scan.frame import FRAME_COLUMNS, results_frame
from fakeguard.service.scan.store import ScanResult

pytest.importorskip("dlib")
pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def detector(tmp_path_factory):
    return Detector.load(face_model=random_face_weights(tmp_path_factory.mktemp("w") / "face"))


@pytest.fixture(scope="module")
def face_png(tmp_path_factory):
    path = tmp_path_factory.mktemp("img") / "face.png"
    Image.fromarray(cartoon_face(300, seed=2)).save(path)
    return path


@pytest.fixture(scope="module")
def voice_wav(tmp_path_factory):
    path = tmp_path_factory.mktemp("wav") / "voice.wav"
    sf.write(path, synthetic_voice(3, seconds=3.0), 16000, subtype="FLOAT")
    return path


def test_array_pil_bytes_and_path_give_the_same_report(detector, face_png):
    from_path = detector.score(face_png)
    pixels = np.asarray(Image.open(face_png))
    from_array = detector.score(pixels)
    from_pil = detector.score(Image.open(face_png), name="mine.png")
    from_bytes = detector.score(face_png.read_bytes(), name="upload.png")
    assert len(from_path.faces) == 1 and from_path.score is not None
    assert from_path.score == pytest.approx(from_array.score) == pytest.approx(from_pil.score)
    assert from_bytes.score == pytest.approx(from_path.score) and from_bytes.file == "upload.png"
    assert [f.box for f in from_array.faces] == [f.box for f in from_path.faces]
    assert (from_array.file, from_pil.file) == ("<array>", "mine.png")
    assert from_array.media.format == "png" and (from_array.media.width, from_array.media.height) == (300, 300)
    # Grey and RGBA arrays are images too.
    assert detector.score(pixels[:, :, 0]).media.width == 300
    assert detector.score(np.dstack([pixels, np.full(pixels.shape[:2], 255, np.uint8)])).score is not None


def test_pil_image_is_turned_upright_as_a_file_is(detector, catalogue):
    from_file = detector.score(catalogue["jpeg_exif6"])
    from_pil = detector.score(Image.open(catalogue["jpeg_exif6"]))
    assert (from_pil.media.width, from_pil.media.height) == (from_file.media.width, from_file.media.height) == (96, 128)


def test_waveform_scores_like_its_file(detector, voice_wav):
    from_file = detector.score(voice_wav)
    samples, rate = sf.read(voice_wav, dtype="float32")
    from_array = detector.score(samples, sample_rate=rate, name="wave")
    assert from_file.voice_score is not None and from_array.voice_score == pytest.approx(from_file.voice_score)
    assert from_array.file == "wave" and from_array.kind.value == "audio"
    pcm = (samples * 32767).astype(np.int16)
    stereo = np.stack([pcm, pcm], axis=1)
    assert detector.score(stereo, sample_rate=rate).voice_score == pytest.approx(from_file.voice_score, abs=0.02)


@pytest.mark.parametrize(
    ("source", "kwargs", "error", "match"),
    [
        (np.zeros(16000, np.float32), {}, ValueError, "sample_rate"),
        (np.zeros((10, 10, 3), np.float32), {}, ValueError, "uint8"),
        (np.zeros((2, 16000), np.float32), {"sample_rate": 16000}, ValueError, "transpose"),
        (np.zeros((10, 10, 3), np.uint8), {"sample_rate": 16000}, ValueError, "channels"),
        (np.zeros(0, np.float32), {"sample_rate": 16000}, ValueError, "empty"),
        (np.zeros(100, np.int64), {"sample_rate": 16000}, ValueError, "dtype"),
        (b"RIFF", {"sample_rate": 16000}, ValueError, "audio arrays"),
        ([1, 2, 3], {}, TypeError, "list"),
    ],
)
def test_bad_arrays_are_refused_with_the_reason(detector, source, kwargs, error, match):
    with pytest.raises(error, match=match):
        detector.score(source, **kwargs)


def test_run_folder_loads_its_weights(tmp_path):
    random_face_weights(tmp_path / "run" / "weights", seed=1)
    (tmp_path / "run" / "last.safetensors").write_bytes(b"")
    detector = Detector.load(face_model=tmp_path / "run")
    assert detector.face.info.name == "face_effnet_lite0.test"
    assert detector.face.info.path == tmp_path / "run" / "weights"


@pytest.fixture
def folder(tmp_path, face_png, voice_wav):
    root = tmp_path / "media"
    (root / "sub").mkdir(parents=True)
    (root / "face.png").write_bytes(face_png.read_bytes())
    (root / "sub" / "voice.wav").write_bytes(voice_wav.read_bytes())
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 40)
    (root / "notes.txt").write_text("not media")
    return root


def test_score_folder_gives_one_row_per_file(detector, folder, tmp_path):
    frame = detector.score_folder(folder, exclude=["*.txt"])
    assert list(frame.columns) == list(FRAME_COLUMNS)
    rows = {p.rsplit("/", 1)[-1]: r for p, r in zip(frame["path"], frame.to_dict("records"))}
    assert set(rows) == {"face.png", "voice.wav", "broken.jpg"}
    assert rows["face.png"]["kind"] == "image" and rows["face.png"]["report"]["faces"]
    assert rows["voice.wav"]["kind"] == "audio" and rows["voice.wav"]["voice_score"] == pytest.approx(
        detector.score(folder / "sub" / "voice.wav").voice_score
    )
    assert rows["broken.jpg"]["verdict"] == "error" and rows["broken.jpg"]["error_code"] == "corrupt"
    assert np.isnan(rows["broken.jpg"]["score"]) and frame["score"].dtype == np.float64
    assert str(frame["scanned_at"].dtype).startswith("datetime64")
    assert Report.from_dict(rows["face.png"]["report"]).score == pytest.approx(rows["face.png"]["score"])

    db = tmp_path / "scan.sqlite"
    first = detector.score_folder([folder], db=db, include=["*.png", "sub/*"])
    again = detector.score_folder([folder], db=db, include=["*.png", "sub/*"])  # everything skipped: same rows
    assert list(first["path"]) == list(again["path"]) and len(first) == 2
    loaded = results_frame(db)
    assert list(loaded["sha256"]) == list(first["sha256"])
    assert loaded["report"].tolist() == first["report"].tolist()


def test_results_frame_needs_a_database_and_a_key_when_there_are_several(detector, tmp_path):
    with pytest.raises(FileNotFoundError):
        results_frame(tmp_path / "missing.sqlite")
    db = tmp_path / "two.sqlite"
    with ResultStore(db) as store:
        for key in ("a@1", "b@2"):
            store.record(ScanResult(f"/x/{key}.jpg", key, 1, 0, error={"error": "corrupt", "reason": "r"}), key)
    with pytest.raises(ValueError, match="several models"):
        results_frame(db)
    assert results_frame(db, "b@2")["path"].tolist() == ["/x/b@2.jpg"]
    assert results_frame(ResultStore(tmp_path / "empty.sqlite")).empty
    assert models_key(detector)  # the key score_folder reads its rows under


def test_rich_display_escapes_names_and_shows_the_evidence(detector, face_png, voice_wav):
    hostile = "<script>alert(1)</script>.png"
    photo = detector.score(face_png.read_bytes(), name=hostile, heatmaps=True)
    page = photo._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img src='data:image/png;base64," in page  # the Grad-CAM overlay
    shown = show(photo, face_png)._repr_html_()
    assert "<script>" not in shown and "<svg" in shown and "<rect" in shown and "data:image/jpeg;base64," in shown
    text = str(photo)
    assert text.startswith(hostile) and "<img" not in text and "<div" not in text  # plain text, the name as is
    assert photo.verdict.value.upper() in text

    voice = detector.score(voice_wav)
    assert "<svg" in voice._repr_html_() and "<path" in voice._repr_html_()  # the timeline
    assert "<audio controls" in show(voice, voice_wav)._repr_html_()
    # Display adds nothing to the JSON.
    assert json.loads(photo.to_json()) == photo.to_dict() and "_repr_html_" not in photo.to_dict()


def test_a_report_rebuilt_from_data_cannot_inject_markup(detector, face_png):
    data = detector.score(face_png, heatmaps=True).to_dict()
    data["faces"][0]["heatmap_png"] = "x' onerror='alert(1)"
    data["reasons"] = ["<b>bold</b>"]
    page = show(data)._repr_html_()
    assert "onerror" not in page and "<b>bold</b>" not in page and "&lt;b&gt;bold" in page


def test_video_display_shows_a_frame_with_the_track_boxes(detector, factory, tmp_path):
    frames = [factory.face_scene(320, 240, [(60 + 4 * i, 20, 200)]) for i in range(10)]
    clip = factory.write_video(tmp_path, "mp4", frames=frames, fps=5, width=320, height=240)
    report = detector.score(clip)
    assert report.face_tracks
    shown = show(report, clip)
    assert shown.picture is not None and shown.picture_time_s is not None
    assert "<rect" in shown._repr_html_() and "frame at" in shown._repr_html_()


def test_crop_gallery_scores_each_crop(detector, face_png):
    from fakeguard.datasets.pseudo import face_examples

    examples = face_examples(
        [face_png, np.asarray(Image.open(face_png).transpose(Image.Transpose.FLIP_LEFT_RIGHT))],
        detector=detector,
        seed=0,
    )
    assert len(examples) == 2 and set(examples[0]) == {"real", "self_blend", "landmark_swap"}
    assert examples[0]["real"].shape == (128, 128, 3)  # the model's own crop size
    gallery = crop_gallery(examples, detector)
    assert len(gallery.scores) == 2 and all(0 <= s <= 1 for row in gallery.scores for s in row)
    assert gallery._repr_html_().count("data:image/png;base64,") == 6
    assert "self_blend" in str(crop_gallery(examples))


def test_encoded_png_is_lossless(face_png):
    from fakeguard.detectors.intake.arrays import encode_image_array

    pixels = np.asarray(Image.open(face_png))
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(encode_image_array(pixels)))), pixels)
    assert cv2.imdecode(np.frombuffer(encode_image_array(pixels[:, :, 0]), np.uint8), 0).shape == (300, 300)
