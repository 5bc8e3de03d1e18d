"""Small synthetic media and data sets, for the notebooks, the examples and the tests.

The notebooks run on the project's shared data (``$FAKEGUARD_DATA``, else
``../shared/data`` beside the repository) when it is there, and on data
generated here when it is not (CI, a fresh clone): the ``*_data`` and
``*_files`` functions make that choice, so a notebook holds one line where
it would otherwise hold a branch.

Everything generated is drawn or synthesised here: a cartoon face that dlib's
detector finds, vowel-like harmonic "voices", and their "fakes" made by the
package's own classic vocoders (:mod:`fakeguard.datasets.pseudo.vocoders`).
They test mechanics, not quality: a model trained on them learns these
vocoders' traces, nothing about real cloned voices.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from .shared import default_data_root

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
#: The generated "fakes" of :func:`write_voice_tree`: vocoders of :mod:`fakeguard.datasets.pseudo.vocoders`.
DEMO_VOCODERS: tuple[str, ...] = ("griffinlim", "lpc")
#: Shared sources the notebooks use when the shared data is there (small enough to train on in a minute).
SHARED_VOICE_SOURCES: tuple[str, ...] = ("pwg_demo", "hifigan_demo")
SHARED_FACE_SOURCES: tuple[str, ...] = ("talking_head_frames", "ghost")

# --------------------------------------------------------------------------- drawn faces


def cartoon_face(size: int = 400, skin: tuple[int, int, int] = (190, 150, 125), seed: int = 0) -> np.ndarray:
    """A drawn face that dlib's HOG detector finds (checked for sizes 150 to 800 px), RGB uint8.

    Head, neck, hair, brows, eye sockets with eyes, nose, nostrils and mouth;
    the eye centres are at ``(size/2 +- 0.085 size, 0.48 size)``. ``skin`` and
    ``seed`` (the background colour) make different "people".
    """
    rng = np.random.default_rng(seed)
    background = tuple(int(v) for v in rng.integers(70, 150, size=3))
    img = np.full((size, size, 3), background, np.uint8)
    c = size // 2

    def p(f: float) -> int:
        return int(size * f)

    cv2.rectangle(img, (c - p(0.1), c + p(0.2)), (c + p(0.1), size), tuple(int(v * 0.8) for v in skin), -1)
    cv2.ellipse(img, (c, c + p(0.02)), (p(0.2), p(0.27)), 0, 0, 360, skin, -1)
    cv2.ellipse(img, (c, c - p(0.12)), (p(0.215), p(0.17)), 0, 180, 360, (40, 30, 25), -1)
    for side in (-1, 1):
        x = c + side * p(0.085)
        cv2.ellipse(img, (x, c - p(0.075)), (p(0.05), p(0.012)), 0, 0, 360, (70, 50, 40), -1)
        cv2.ellipse(img, (x, c - p(0.02)), (p(0.042), p(0.02)), 0, 0, 360, (120, 90, 80), -1)
        cv2.ellipse(img, (x, c - p(0.02)), (p(0.03), p(0.015)), 0, 0, 360, (235, 235, 235), -1)
        cv2.circle(img, (x, c - p(0.02)), p(0.014), (40, 30, 25), -1)
    cv2.line(img, (c, c - p(0.01)), (c, c + p(0.07)), (160, 120, 100), max(2, p(0.01)))
    cv2.ellipse(img, (c, c + p(0.085)), (p(0.035), p(0.013)), 0, 0, 360, (120, 80, 70), -1)
    cv2.ellipse(img, (c, c + p(0.15)), (p(0.06), p(0.02)), 0, 0, 360, (140, 60, 60), -1)
    cv2.line(img, (c - p(0.06), c + p(0.15)), (c + p(0.06), c + p(0.15)), (90, 40, 40), max(1, p(0.006)))
    return cv2.GaussianBlur(img, (0, 0), size / 250)


def face_scene(
    width: int, height: int, faces: list[tuple[int, int, int]], background: int = 90, skins: list | None = None
) -> np.ndarray:
    """A frame with cartoon faces: each ``(x, y, size)`` is a face's top-left corner and side, RGB uint8."""
    frame = np.full((height, width, 3), background, np.uint8)
    for i, (x, y, size) in enumerate(faces):
        skin = skins[i] if skins else (190, 150, 125)
        face = cartoon_face(size, skin=skin, seed=i)
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(width, x + size), min(height, y + size)
        frame[y0:y1, x0:x1] = face[y0 - y : y1 - y, x0 - x : x1 - x]
    return frame


def drawn_portrait(width: int = 320, height: int = 240, shift: int = 0) -> np.ndarray:
    """A drawn face (:func:`cartoon_face`) centred on a ``width`` x ``height`` canvas, moved ``shift`` px right."""
    face = cartoon_face(height)
    canvas = np.empty((height, width, 3), np.uint8)
    canvas[:] = face[0, 0]
    x = (width - height) // 2 + shift
    canvas[:, max(0, x) : x + height] = face[:, max(0, -x) : width - x]
    return canvas


def person_skin(person: int) -> tuple[int, int, int]:
    """The skin tone of generated person ``person`` (people differ in skin and background)."""
    return (150 + 8 * person % 90, 120 + 5 * person % 80, 100 + 4 * person % 70)


# --------------------------------------------------------------------------- synthetic voices


def harmonic_tone(seconds: float = 2.0, f0: float = 140.0, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """A vowel-like tone: harmonics of a gliding f0 with a syllable-rate envelope (float32, mono)."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    pitch = f0 * (1 + 0.1 * np.sin(2 * np.pi * 0.7 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / sample_rate
    signal = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = 0.5 * (1 - np.cos(2 * np.pi * 3 * t)) * np.minimum(1, 5 * t) * np.minimum(1, 5 * (seconds - t))
    return (0.2 * signal * envelope).astype(np.float32)


def synthetic_voice(speaker: int, take: int = 0, seconds: float = 2.0, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """A "recording" of generated speaker ``speaker``: their own pitch and formant, a little room noise.

    Deterministic in ``(speaker, take)``; float32 mono.
    """
    rng = np.random.default_rng(1000 * speaker + take)
    wave = harmonic_tone(seconds, f0=100.0 + 17.0 * speaker + 6.0 * take, sample_rate=sample_rate)
    centre = 500.0 + 90.0 * speaker  # a crude formant: a resonant band-pass mixed back in
    from scipy.signal import butter, sosfilt

    sos = butter(2, [centre / 1.3, centre * 1.3], btype="band", fs=sample_rate, output="sos")
    voiced = wave + 1.5 * sosfilt(sos, wave)
    noisy = voiced + 0.003 * rng.standard_normal(wave.size)
    return (0.25 * noisy / max(1e-6, float(np.abs(noisy).max()))).astype(np.float32)


# --------------------------------------------------------------------------- files


def write_clip(
    path: Path,
    seconds: float = 2.0,
    fps: int = 12,
    width: int = 320,
    height: int = 240,
    voice: np.ndarray | None = None,
) -> Path:
    """An MP4 (H.264 + AAC) of the drawn face swaying, with a voice (default: :func:`harmonic_tone`)."""
    import av

    tone = harmonic_tone(seconds) if voice is None else voice
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps, options={"crf": "30"})
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        audio = container.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        for i in range(int(seconds * fps)):
            pixels = drawn_portrait(width, height, shift=int(20 * np.sin(i / 4)))
            container.mux(video.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(video.encode())
        frame = av.AudioFrame.from_ndarray(tone[None, :], format="flt", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = SAMPLE_RATE, 0, Fraction(1, SAMPLE_RATE)
        container.mux(audio.encode(frame))
        container.mux(audio.encode())
    return Path(path)


def _write_image(path: Path, pixels: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), pixels[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 92])
    return path


def _write_wave(path: Path, wave: np.ndarray) -> Path:
    import soundfile as sf

    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, wave, SAMPLE_RATE)
    return path


def write_voice_tree(
    root: str | Path, speakers: int = 6, takes: int = 2, vocoders: Sequence[str] = DEMO_VOCODERS, seconds: float = 2.0
) -> Path:
    """A ``folder``-reader data set of voices: ``real/spkN/T.wav`` and ``fake/<vocoder>/spkN/T.wav``.

    Every real take is resynthesised by each vocoder (copy-synthesis, as in the shared
    ``hifigan_demo`` and ``pwg_demo`` sets), so each fake has its real twin, of the same
    speaker, in the same split. Existing files are kept.
    """
    from .pseudo.vocoders import METHODS

    root = Path(root)
    for speaker in range(speakers):
        for take in range(takes):
            real = root / "real" / f"spk{speaker}" / f"{take}.wav"
            wave = synthetic_voice(speaker, take, seconds)
            if not real.is_file():
                _write_wave(real, wave)
            for i, name in enumerate(vocoders):
                fake = root / "fake" / name / f"spk{speaker}" / f"{take}.wav"
                if not fake.is_file():
                    rng = np.random.default_rng(10_000 + 100 * speaker + 10 * take + i)
                    _write_wave(fake, METHODS[name](wave, SAMPLE_RATE, rng))
    return root


def write_face_tree(root: str | Path, people: int = 8, size: int = 300) -> Path:
    """A ``folder``-reader data set of real photos: ``real/personN/photo.jpg``, one drawn person each.

    The face recipe trains on pseudo-fakes of real photos, so real photos are all it needs.
    """
    root = Path(root)
    for person in range(people):
        path = root / "real" / f"person{person}" / "photo.jpg"
        if not path.is_file():
            _write_image(path, cartoon_face(size, skin=person_skin(person), seed=person))
    return root


def write_media_folder(folder: str | Path) -> dict[str, Path]:
    """A folder of mixed media to score or scan: portraits, a group photo, voices, a clip and a broken file.

    Files already there are kept (a second call costs nothing, and a scan of the folder
    skips them as unchanged).

    Returns:
        name -> path: ``portrait``, ``portrait2``, ``group``, ``landscape`` (no face), ``voice``,
        ``voice_vocoded``, ``video``, ``broken`` (a truncated JPEG), ``notes`` (a text file).
    """
    from .pseudo.vocoders import METHODS

    folder = Path(folder)
    voice = lambda: synthetic_voice(1, seconds=3.0)  # noqa: E731 - made only when a file needs it
    makers = {
        "portrait": ("photos/portrait.jpg", lambda p: _write_image(p, drawn_portrait(480, 400))),
        "portrait2": ("photos/portrait2.jpg", lambda p: _write_image(p, cartoon_face(360, person_skin(3), seed=3))),
        "group": (
            "photos/group.jpg",
            lambda p: _write_image(
                p, face_scene(640, 360, [(40, 60, 260), (340, 50, 260)], skins=[person_skin(5), person_skin(6)])
            ),
        ),
        "landscape": ("photos/landscape.jpg", lambda p: _write_image(p, _landscape(480, 320))),
        "voice": ("audio/voicemail.wav", lambda p: _write_wave(p, voice())),
        "voice_vocoded": (
            "audio/voicemail_copy.wav",
            lambda p: _write_wave(p, METHODS["griffinlim"](voice(), SAMPLE_RATE, np.random.default_rng(0))),
        ),
        "video": ("video/clip.mp4", lambda p: write_clip(p, voice=synthetic_voice(2, seconds=2.0))),
        "broken": ("photos/broken.jpg", lambda p: p.write_bytes(cv2.imencode(".jpg", _landscape(96, 64))[1][:300])),
        "notes": ("notes.txt", lambda p: p.write_text("not media\n")),
    }
    files = {}
    for name, (relpath, make) in makers.items():
        path = folder / relpath
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            make(path)
        files[name] = path
    return files


def _landscape(width: int, height: int) -> np.ndarray:
    """Sky, hills and a sun: an image without a face."""
    img = np.zeros((height, width, 3), np.uint8)
    img[:] = (135, 180, 230)
    cv2.circle(img, (int(width * 0.8), int(height * 0.25)), height // 10, (250, 220, 90), -1)
    xs = np.arange(width)
    ridge = (height * (0.6 + 0.08 * np.sin(xs / width * 7))).astype(int)
    for x, top in zip(xs, ridge):
        img[top:, x] = (70, 130, 60)
    return img


# --------------------------------------------------------------------------- shared data, or generated


def shared_data(modality: str) -> Path | None:
    """The shared data's ``<root>/<modality>`` folder (``speech``, ``faces``) if it is there, else None."""
    folder = default_data_root() / modality
    return folder if folder.is_dir() and any(folder.glob("*/manifest.csv")) else None


def workdir(name: str) -> Path:
    """A scratch folder for a notebook's files and runs: ``$FAKEGUARD_CACHE/notebooks/<name>``, created."""
    from .torch_data import default_cache_dir

    folder = default_cache_dir() / "notebooks" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def voice_data(work: str | Path) -> dict[str, Any]:
    """The ``data`` section of a voice config for a notebook.

    With the shared data: its ``pwg_demo`` and ``hifigan_demo`` sources (real LJSpeech/VCTK
    speech and neural-vocoder copies of it). Without: :func:`write_voice_tree` under ``work``.
    """
    speech = shared_data("speech")
    if speech is not None:
        log.info("voice data: shared sources %s under %s", SHARED_VOICE_SOURCES, speech.parent)
        return {"reader": "shared", "root": str(speech.parent), "sources": list(SHARED_VOICE_SOURCES)}
    root = write_voice_tree(Path(work) / "voice_data", speakers=10)
    log.info("voice data: generated under %s (no shared data found)", root)
    return {"reader": "folder", "root": str(root), "fractions": {"train": 0.5, "val": 0.25, "test": 0.25}}


def face_data(work: str | Path) -> dict[str, Any]:
    """The ``data`` section of a face config for a notebook.

    With the shared data: the ``talking_head_frames`` real photos (18 people) to train on,
    and GHOST's real face swaps with their real frames as ``real_fakes``. Without:
    :func:`write_face_tree` under ``work``.
    """
    faces = shared_data("faces")
    if faces is not None:
        log.info("face data: shared sources %s under %s", SHARED_FACE_SOURCES, faces.parent)
        return {
            "reader": "shared",
            "root": str(faces.parent),
            "sources": list(SHARED_FACE_SOURCES),
            "max_val_faces": 24,
            "max_test_faces": 24,
        }
    root = write_face_tree(Path(work) / "face_data")
    log.info("face data: generated under %s (no shared data found)", root)
    return {
        "reader": "folder",
        "root": str(root),
        "eval_sources": [],
        "fractions": {"train": 0.5, "val": 0.25, "test": 0.25},
        "max_val_faces": 4,
        "max_test_faces": 4,
    }


def _first(manifest: Path, label: str) -> Path | None:
    with open(manifest, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row.get("label") == label:
                return manifest.parent / row["relpath"]
    return None


def sample_files(work: str | Path) -> dict[str, Path]:
    """One image, one voice clip and one video to score: ``image``, ``voice``, ``video``.

    With the shared data, the image is a real face swap (GHOST) and the voice a real
    vocoder copy (``pwg_demo``); the video, which the shared data does not have, and
    anything else missing is generated under ``work``.
    """
    generated = write_media_folder(Path(work) / "media")
    files = {"image": generated["portrait"], "voice": generated["voice"], "video": generated["video"]}
    faces, speech = shared_data("faces"), shared_data("speech")
    image = _first(faces / "ghost" / "manifest.csv", "fake") if faces and (faces / "ghost").is_dir() else None
    voice = _first(speech / "pwg_demo" / "manifest.csv", "fake") if speech and (speech / "pwg_demo").is_dir() else None
    if image is not None and image.is_file():
        files["image"] = image
    if voice is not None and voice.is_file():
        files["voice"] = voice
    return files


def scan_paths(work: str | Path) -> list[Path]:
    """Folders to scan: the shared GHOST faces and ``pwg_demo`` speech when present, always the generated media."""
    paths = [Path(work) / "media"]
    write_media_folder(paths[0])
    faces, speech = shared_data("faces"), shared_data("speech")
    if faces is not None and (faces / "ghost").is_dir():
        paths.append(faces / "ghost")
    if speech is not None and (speech / "pwg_demo").is_dir():
        paths.append(speech / "pwg_demo")
    return paths


def face_photos(work: str | Path, n: int = 6) -> list[Path]:
    """``n`` real photos of different people: shared ``talking_head_frames`` (one frame per person), or generated."""
    faces = shared_data("faces")
    if faces is not None and (faces / "talking_head_frames").is_dir():
        from .shared import SharedData

        samples = SharedData(faces.parent, modality="faces", sources=["talking_head_frames"]).samples()
        by_person: dict[str, Path] = {}
        for sample in samples:
            if sample.label == 0:
                by_person.setdefault(sample.group, sample.path)
        if len(by_person) >= 2:
            return [by_person[k] for k in sorted(by_person)][:n]
    root = write_face_tree(Path(work) / "face_data", people=max(n, 8))
    return sorted((root / "real").glob("*/photo.jpg"))[:n]
