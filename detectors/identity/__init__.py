"""Identity: who a face or a voice belongs to, matched against a watchlist of protected people.

A platform or a bank protects a known list of people from impersonation. They
are enrolled from a few photos and voice clips, stored as embeddings only
(:class:`WatchlistStore`, in the scan database), and every face or speech
segment can then be matched against them (:class:`Gallery`), giving an
:class:`IdentityMatch`: the person, the similarity and the threshold.

- :func:`embed_face` / :func:`embed_faces`: dlib's 128-d ResNet descriptor of a detected face.
- :class:`VoiceEmbedder`: the GE2E speaker encoder (resemblyzer's weights) on speech.
- :class:`Gallery`, :class:`IdentityMatch`, :func:`mean_embedding`: matching.
- :func:`enrol`, :func:`export_watchlist`, :func:`import_watchlist`: the watchlist.
- :func:`load_thresholds`: the match thresholds measured on data (``thresholds.yaml``).
- :class:`WatchlistMatcher`: a watchlist opened for scoring (what ``Detector.load(watchlist=...)`` holds).

docs/watchlist.md explains the encoders and how the thresholds were chosen.
"""

from __future__ import annotations

import importlib
from typing import Any

# Names are imported on first use (PEP 562), so that listing or exporting a watchlist,
# which needs only SQLite and NumPy, never loads torch or dlib.
_EXPORTS: dict[str, str] = {
    "FACE_DIM": "face_embed",
    "FACE_MODEL": "face_embed",
    "embed_face": "face_embed",
    "embed_faces": "face_embed",
    "KINDS": "match",
    "Gallery": "match",
    "IdentityMatch": "match",
    "mean_embedding": "match",
    "WatchlistMatcher": "matcher",
    "WatchlistSnapshot": "matcher",
    "IdentityThresholds": "thresholds",
    "KindThreshold": "thresholds",
    "load_thresholds": "thresholds",
    "VOICE_MODEL": "voice_embed",
    "VoiceEmbedder": "voice_embed",
    "VoiceEmbedding": "voice_embed",
    "EnrolmentError": "watchlist",
    "FileProblem": "watchlist",
    "enrol": "watchlist",
    "export_watchlist": "exchange",
    "import_watchlist": "exchange",
    "read_import": "exchange",
    "write_export": "exchange",
    "Enrolment": "watchlist_store",
    "Person": "watchlist_store",
    "PersonExists": "watchlist_store",
    "StoredEmbedding": "watchlist_store",
    "UnknownPerson": "watchlist_store",
    "WatchlistError": "watchlist_store",
    "WatchlistStore": "watchlist_store",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
