"""The watchlist as scoring sees it: galleries read once, reread when the watchlist changes.

A :class:`WatchlistMatcher` belongs to a :class:`~fakeguard.detectors.api.Detector`.
Each score takes one :meth:`~WatchlistMatcher.snapshot` when it starts, so
that a report is matched against one state of the watchlist even while an
administrator enrols someone. Taking a snapshot asks SQLite for
:meth:`WatchlistStore.revision` (a count and a maximum over an indexed table,
microseconds) and rebuilds the galleries only when it changed (about 60 ms
for 1,000 people), so an enrolment or a removal is seen by the next score, in
this process and in every other process on the same database.

The service scores from several threads: the matcher's one SQLite connection
is shared between them (``check_same_thread=False``) and every use of it is
under the matcher's lock. The embedding functions are the matcher's
attributes, so that tests can give it cheap deterministic ones.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .match import Gallery, IdentityMatch
from .thresholds import IdentityThresholds, load_thresholds
from .watchlist_store import WatchlistStore

if TYPE_CHECKING:
    from ..faces.detect import FaceBox
    from .voice_embed import VoiceEmbedder

#: ``embed_chips(chips) -> (k, D)`` unit rows; the default is dlib's descriptor.
ChipEmbedder = Callable[[list[NDArray[np.uint8]]], NDArray[np.float32]]
#: ``embed_voice(samples_16k, sample_rate, start_s, end_s) -> (D,) or None``; the default is GE2E.
VoiceSpanEmbedder = Callable[[NDArray[np.float32], int, float, float], "NDArray[np.float32] | None"]


def _face_model() -> str:
    from .face_embed import FACE_MODEL

    return FACE_MODEL


def _voice_model() -> str:
    from .voice_embed import VOICE_MODEL

    return VOICE_MODEL


@dataclass(frozen=True, eq=False)
class WatchlistSnapshot:
    """One state of the watchlist, with the encoders to match faces and voices against it.

    Attributes:
        face: the enrolled face embeddings (of the current face model).
        voice: the enrolled voice embeddings (of the current voice model).
        fingerprint: a hash of everything a match depends on (names, vectors,
            models, thresholds): the scanner adds it to its models key, so that
            results made against another watchlist are scored again.
        matcher: the matcher it came from (its encoders).
    """

    face: Gallery
    voice: Gallery
    fingerprint: str
    matcher: WatchlistMatcher = field(repr=False)

    @property
    def people(self) -> int:
        """Enrolled people with a face or a voice embedding of the current models."""
        return len(set(self.face.people) | set(self.voice.people))

    @property
    def checks_faces(self) -> bool:
        """Whether faces need embedding: someone is enrolled with a face."""
        return len(self.face) > 0

    @property
    def checks_voices(self) -> bool:
        """Whether speech needs embedding: someone is enrolled with a voice."""
        return len(self.voice) > 0

    def face_chip(self, image: NDArray[np.uint8], face: FaceBox) -> NDArray[np.uint8]:
        """The aligned chip the face descriptor reads (:func:`.face_embed.face_chip`)."""
        from .face_embed import face_chip

        return face_chip(image, face)

    def embed_chips(self, chips: list[NDArray[np.uint8]]) -> NDArray[np.float32]:
        """Face embeddings of aligned chips, ``(len(chips), D)``."""
        return self.matcher.embed_chips(chips)

    def embed_voice(
        self, samples: NDArray[np.float32], sample_rate: int, start_s: float, end_s: float
    ) -> NDArray[np.float32] | None:
        """The voice embedding of ``[start_s, end_s)``, or None with too little speech in it."""
        return self.matcher.embed_voice(samples, sample_rate, start_s, end_s)

    def match_face(self, vector: NDArray[np.floating]) -> IdentityMatch | None:
        return self.face.match(vector)

    def match_voice(self, vector: NDArray[np.floating]) -> IdentityMatch | None:
        return self.voice.match(vector)


def _fingerprint(face: Gallery, voice: Gallery) -> str:
    digest = hashlib.sha256()
    for gallery in (face, voice):
        digest.update(f"{gallery.kind}|{gallery.model}|{gallery.threshold!r}|".encode())
        digest.update("\x1f".join(gallery.people).encode())
        digest.update(np.asarray(gallery.starts, dtype="<i8").tobytes())
        digest.update(np.ascontiguousarray(gallery.vectors, dtype="<f4").tobytes())
    return digest.hexdigest()[:16]


class WatchlistMatcher:
    """A watchlist database opened for scoring.

    Args:
        path: the SQLite file holding the watchlist (created, empty, if missing:
            a service can start before anyone is enrolled).
        thresholds: match thresholds (default: the packaged ``thresholds.yaml``).
        embed_chips: face chips to embeddings (default: dlib's descriptor, :func:`.face_embed.embed_chips`).
        embed_voice: a span of 16 kHz audio to an embedding or None (default:
            the GE2E encoder's :meth:`.VoiceEmbedder.embed_span`).
    """

    def __init__(
        self,
        path: str | Path,
        thresholds: IdentityThresholds | None = None,
        *,
        embed_chips: ChipEmbedder | None = None,
        embed_voice: VoiceSpanEmbedder | None = None,
    ) -> None:
        self.path = Path(path)
        self.thresholds = thresholds or load_thresholds()
        self._chips = embed_chips
        self._voice = embed_voice
        self._voice_embedder: VoiceEmbedder | None = None
        self._lock = threading.Lock()
        self._store = WatchlistStore(self.path, check_same_thread=False)
        self._revision: tuple[int, int] | None = None
        self._snapshot: WatchlistSnapshot | None = None

    def __repr__(self) -> str:
        return f"WatchlistMatcher({str(self.path)!r})"

    def close(self) -> None:
        with self._lock:
            self._store.close()

    def snapshot(self) -> WatchlistSnapshot:
        """The watchlist now: the cached galleries, rebuilt first if the database changed."""
        with self._lock:
            revision = self._store.revision()
            if self._snapshot is None or revision != self._revision:
                face = self._store.gallery("face", _face_model(), self.thresholds.face.threshold)
                voice = self._store.gallery("voice", _voice_model(), self.thresholds.voice.threshold)
                self._snapshot = WatchlistSnapshot(face, voice, _fingerprint(face, voice), self)
                self._revision = revision
            return self._snapshot

    def embed_chips(self, chips: list[NDArray[np.uint8]]) -> NDArray[np.float32]:
        if self._chips is not None:
            return self._chips(chips)
        from . import face_embed  # looked up at call time: the module's function, as it is now

        return face_embed.embed_chips(chips)

    def embed_voice(
        self, samples: NDArray[np.float32], sample_rate: int, start_s: float, end_s: float
    ) -> NDArray[np.float32] | None:
        if self._voice is not None:
            return self._voice(samples, sample_rate, start_s, end_s)
        from .voice_embed import VoiceEmbedder

        with self._lock:
            if self._voice_embedder is None:
                self._voice_embedder = VoiceEmbedder()
            embedder = self._voice_embedder
        found = embedder.embed_span(samples, sample_rate, start_s, end_s)
        return None if found is None else found.vector
