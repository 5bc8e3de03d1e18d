"""Enrol a person on the watchlist from photos and voice clips: every file accepted, or nothing stored.

Enrolment is all or nothing. Every file is read and checked first: a photo
must hold exactly one face (with two, which one is the protected person?), a
clip must hold at least :data:`MIN_ENROL_SPEECH_S` of speech, and nothing may be
corrupt or of the wrong kind. If any file fails, :class:`EnrolmentError` lists
every failing file with its reason and nothing is stored, so a half-enrolled
person never matches on the subset that happened to load.

Export and import are in :mod:`.exchange`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import MediaError
from ..faces.detect import FaceDetector
from ..intake import IntakeLimits, as_source, load_audio, load_image
from .face_embed import FACE_MODEL, embed_face
from .voice_embed import VOICE_MODEL, VoiceEmbedder
from .watchlist_store import (
    Person,
    PersonExists,
    StoredEmbedding,
    WatchlistError,
    WatchlistStore,
    check_name,
)

#: A voice clip must hold at least this much active audio to be enrolled (one 1.6 s partial, nearly).
MIN_ENROL_SPEECH_S = 1.0


@dataclass(frozen=True)
class FileProblem:
    """Why one enrolment file was refused."""

    file: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"file": self.file, "reason": self.reason}


class EnrolmentError(WatchlistError):
    """Some enrolment files were refused, so nobody was enrolled.

    Attributes:
        name: the person being enrolled.
        problems: every refused file and why.
    """

    def __init__(self, name: str, problems: Sequence[FileProblem]) -> None:
        self.name = name
        self.problems = list(problems)
        lines = "; ".join(f"{p.file}: {p.reason}" for p in self.problems)
        super().__init__(f"nothing was enrolled for {name!r}: {lines}")


def media_files(folder: str | Path) -> list[Path]:
    """The files directly in ``folder``, sorted, hidden files (``.DS_Store``) left out.

    Raises:
        WatchlistError: ``folder`` is not a folder.
    """
    root = Path(folder)
    if not root.is_dir():
        raise WatchlistError(f"{folder}: not a folder")
    return sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith("."))


def _paths(source: str | Path | Iterable[str | Path] | None) -> list[Path]:
    if source is None:
        return []
    if isinstance(source, (str, Path)):
        return media_files(source) if Path(source).is_dir() else [Path(source)]
    return [Path(p) for p in source]


def photo_embeddings(
    paths: Iterable[str | Path], detector: FaceDetector | None = None, limits: IntakeLimits | None = None
) -> tuple[list[StoredEmbedding], list[FileProblem]]:
    """One face embedding per photo, and the photos refused (unreadable, no face, several faces).

    Args:
        paths: image files.
        detector: the face detector (default settings when None).
        limits: intake limits.
    """
    detector = detector or FaceDetector()
    found, problems = [], []
    for path in paths:
        name = str(path)
        try:
            pixels = load_image(as_source(path), limits).pixels
        except MediaError as exc:
            problems.append(FileProblem(name, exc.reason))
            continue
        faces = detector.detect(pixels)
        if not faces:
            problems.append(FileProblem(name, "no face found: use a photo where the face is clearly visible"))
        elif len(faces) > 1:
            problems.append(FileProblem(name, f"{len(faces)} faces found: use photos that show only this person"))
        else:
            found.append(StoredEmbedding("face", FACE_MODEL, embed_face(pixels, faces[0]), Path(path).name))
    return found, problems


def voice_embeddings(
    paths: Iterable[str | Path], embedder: VoiceEmbedder | None = None, limits: IntakeLimits | None = None
) -> tuple[list[StoredEmbedding], list[FileProblem]]:
    """One voice embedding per clip, and the clips refused (unreadable, no or too little speech).

    Args:
        paths: audio (or video) files.
        embedder: the speaker encoder (the pretrained GE2E when None).
        limits: intake limits.
    """
    embedder = embedder or VoiceEmbedder()
    found, problems = [], []
    for path in paths:
        name = str(path)
        try:
            audio = load_audio(as_source(path), embedder.sample_rate, limits)
        except MediaError as exc:
            problems.append(FileProblem(name, exc.reason))
            continue
        embedding = embedder.embed(audio.samples, audio.sample_rate, min_speech_s=MIN_ENROL_SPEECH_S)
        if embedding is None:
            speech_s = embedder.speech_seconds(audio.samples, audio.sample_rate)
            found_text = "no speech found" if speech_s == 0 else f"only {speech_s:.1f} s of speech found"
            problems.append(FileProblem(name, f"{found_text} (at least {MIN_ENROL_SPEECH_S:g} s is needed)"))
        else:
            found.append(StoredEmbedding("voice", VOICE_MODEL, embedding.vector, Path(path).name))
    return found, problems


def enrol(
    store: WatchlistStore,
    name: str,
    photos: str | Path | Iterable[str | Path] | None = None,
    voices: str | Path | Iterable[str | Path] | None = None,
    *,
    replace: bool = False,
    detector: FaceDetector | None = None,
    embedder: VoiceEmbedder | None = None,
    limits: IntakeLimits | None = None,
) -> Person:
    """Enrol a person from photos and voice clips: every file accepted, or nothing stored.

    Args:
        store: the watchlist database.
        name: the person's name.
        photos: a folder of photos, or photo files.
        voices: a folder of voice clips, or clip files.
        replace: re-enrol a name that is already on the watchlist (its old embeddings go).
        detector, embedder, limits: the face detector, speaker encoder and intake limits.

    Raises:
        EnrolmentError: files were refused (listed with reasons); nothing was stored.
        PersonExists: the name is enrolled and ``replace`` is false.
        WatchlistError: a bad name, a missing folder, or no files at all.
    """
    name = check_name(name)
    if not replace and store.person(name) is not None:
        # Checked before the slow part; add() checks again inside its transaction.
        raise PersonExists(f"{name!r} is already on the watchlist: remove it first, or replace it")
    photo_paths, voice_paths = _paths(photos), _paths(voices)
    problems = []
    for given, paths, what in ((photos, photo_paths, "photos"), (voices, voice_paths, "voice clips")):
        if given is not None and not paths:
            problems.append(FileProblem(str(given), f"no {what} found"))
    if not photo_paths and not voice_paths and not problems:
        raise WatchlistError(f"{name}: give photos, voice clips, or both")
    faces, face_problems = photo_embeddings(photo_paths, detector, limits) if photo_paths else ([], [])
    clips, clip_problems = voice_embeddings(voice_paths, embedder, limits) if voice_paths else ([], [])
    problems += face_problems + clip_problems
    if problems:
        raise EnrolmentError(name, problems)
    return store.add(name, faces + clips, replace=replace)
