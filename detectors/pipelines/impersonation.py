"""Identity in reports: watchlist matches of faces, face tracks and speech, and the impersonation alert.

A watchlist match says *who* a face or a voice resembles; the face and voice
detectors say whether it is *synthetic*. The alert needs both on the same
thing: an image face, a video face track or a speech window that matches a
protected person **and** is scored at or over the fake threshold. A match on
a real-looking face or voice is reported as identity only; a fake face that
matches nobody is the detectors' business alone. The alert leads the report's
reasons and changes neither score nor verdict.

What is embedded, and so what it costs (only with a non-empty watchlist, and
only for the kinds someone is enrolled with):

* an image: every detected face, once (about 137 ms each on one core);
* a video: up to :data:`TRACK_SIGHTINGS` faces per track, spread over the
  track, whose embeddings are averaged (:func:`~fakeguard.detectors.identity.mean_embedding`);
  their chips are cut while the frames are in memory, so no frame is kept;
* speech: every scored window (4 s, every 2 s), about 14 ms per second of
  window, so about 28 ms per second of speech.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..report import Alert, FaceResult, FaceTrack, IdentityMatch, SpeechSegment, VerdictThresholds, WatchlistCheck

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..faces.detect import FaceBox
    from ..identity.matcher import WatchlistSnapshot

#: Faces embedded per video face track (spread over it), averaged into one query.
TRACK_SIGHTINGS = 3
#: Chips kept per track while a video is read; thinned by halves, so they stay spread over the track.
KEEP_PER_TRACK = 8


def as_identity(match: Any) -> IdentityMatch | None:
    """The report's form of a gallery match (:class:`fakeguard.detectors.identity.IdentityMatch`)."""
    if match is None:
        return None
    return IdentityMatch(match.person, round(float(match.similarity), 4), float(match.threshold), match.kind)


def watchlist_check(snapshot: WatchlistSnapshot | None) -> WatchlistCheck | None:
    """The report's note of the watchlist it was checked against (None without a watchlist)."""
    if snapshot is None:
        return None
    return WatchlistCheck(people=snapshot.people, with_face=len(snapshot.face), with_voice=len(snapshot.voice))


def match_faces(
    snapshot: WatchlistSnapshot | None, image: NDArray[np.uint8], faces: Sequence[FaceBox]
) -> list[IdentityMatch | None]:
    """The watchlist match of each face of one image, in order (all None when no face is enrolled).

    Args:
        snapshot: the watchlist; None or faceless: nothing is embedded.
        image: ``(H, W, 3)`` uint8 RGB, the pixels the faces were detected in.
        faces: the detections, with their landmarks.
    """
    if snapshot is None or not snapshot.checks_faces or not faces:
        return [None] * len(faces)
    vectors = snapshot.embed_chips([snapshot.face_chip(image, f) for f in faces])
    return [as_identity(snapshot.match_face(v)) for v in vectors]


def with_face_identities(faces: list[FaceResult], identities: Sequence[IdentityMatch | None]) -> list[FaceResult]:
    return [replace(f, identity=i) if i is not None else f for f, i in zip(faces, identities)]


@dataclass
class _Kept:
    seen: int = 0
    stride: int = 1
    chips: list[NDArray[np.uint8]] = field(default_factory=list)


class TrackSampler:
    """Face chips of each video track, a few and spread over the track, cut while the frame is in memory.

    Each track keeps every ``stride``-th of its faces; when more than ``keep`` are
    kept, every other one goes and the stride doubles. The track's length need
    not be known in advance, the kept chips stay evenly spread over it, and a
    chip is cut only for a face that is kept.

    Args:
        snapshot: the watchlist (someone must be enrolled with a face).
        keep: chips kept per track while reading.
    """

    def __init__(self, snapshot: WatchlistSnapshot, keep: int = KEEP_PER_TRACK) -> None:
        self.snapshot = snapshot
        self.keep = max(keep, TRACK_SIGHTINGS)
        self.tracks: dict[int, _Kept] = {}
        self.seconds = 0.0

    def offer(self, track_id: int, image: NDArray[np.uint8], face: FaceBox) -> None:
        """One face of track ``track_id`` in a sampled frame (``image`` is the frame, as detected in)."""
        kept = self.tracks.setdefault(track_id, _Kept())
        index, kept.seen = kept.seen, kept.seen + 1
        if index % kept.stride:
            return
        t0 = time.perf_counter()
        kept.chips.append(self.snapshot.face_chip(image, face))
        if len(kept.chips) > self.keep:
            kept.chips = kept.chips[::2]
            kept.stride *= 2
        self.seconds += time.perf_counter() - t0

    def identities(self) -> dict[int, IdentityMatch]:
        """Each matched track's identity: the mean embedding of up to :data:`TRACK_SIGHTINGS` of its chips."""
        from ..identity.match import mean_embedding

        t0 = time.perf_counter()
        picks: list[tuple[int, list[NDArray[np.uint8]]]] = []
        for track_id, kept in self.tracks.items():
            n = min(TRACK_SIGHTINGS, len(kept.chips))
            spread = np.unique(np.round(np.linspace(0, len(kept.chips) - 1, n)).astype(int))
            picks.append((track_id, [kept.chips[i] for i in spread]))
        chips = [c for _, group in picks for c in group]
        vectors = self.snapshot.embed_chips(chips) if chips else np.zeros((0, 0), np.float32)
        found: dict[int, IdentityMatch] = {}
        start = 0
        for track_id, group in picks:
            rows = vectors[start : start + len(group)]
            start += len(group)
            match = as_identity(self.snapshot.match_face(mean_embedding(rows))) if len(rows) else None
            if match is not None:
                found[track_id] = match
        self.seconds += time.perf_counter() - t0
        return found


def with_track_identities(tracks: list[FaceTrack], identities: dict[int, IdentityMatch]) -> list[FaceTrack]:
    return [replace(t, identity=identities[t.track_id]) if t.track_id in identities else t for t in tracks]


def match_segments(
    snapshot: WatchlistSnapshot | None, samples: NDArray[np.float32], sample_rate: int, segments: list[SpeechSegment]
) -> list[SpeechSegment]:
    """The speech windows with the watchlist match of each scored one (unchanged when no voice is enrolled).

    Args:
        snapshot: the watchlist.
        samples: the decoded audio, mono float32 at ``sample_rate`` (16 kHz for the speaker encoder),
            from the start of the file: window times index it directly.
        segments: the voice detector's windows; only windows with speech are embedded.
    """
    if snapshot is None or not snapshot.checks_voices:
        return segments
    out = []
    for seg in segments:
        if seg.speech and seg.score is not None:
            vector = snapshot.embed_voice(samples, sample_rate, seg.start_s, seg.end_s)
            match = as_identity(snapshot.match_voice(vector)) if vector is not None else None
            if match is not None:
                seg = replace(seg, identity=match)
        out.append(seg)
    return out


# --------------------------------------------------------------------------- the alert


def _face_alert(i: int, n: int, face: FaceResult, who: IdentityMatch) -> Alert:
    message = (
        f"impersonation: face {i + 1} of {n} matches {who.person}, likely manipulated "
        f"(score {face.score:.2f}, similarity {who.similarity:.2f})"
    )
    return Alert("impersonation", message, who.person, "face", who.similarity, face.score)


def _track_alert(track: FaceTrack, who: IdentityMatch) -> Alert:
    message = (
        f"impersonation: face track {track.track_id} ({track.start_s:.0f}-{track.end_s:.0f} s) matches "
        f"{who.person}, likely manipulated (score {track.score:.2f}, similarity {who.similarity:.2f})"
    )
    return Alert(
        "impersonation",
        message,
        who.person,
        "face",
        who.similarity,
        track.score,
        start_s=track.start_s,
        end_s=track.end_s,
        track_id=track.track_id,
    )


def _voice_alerts(segments: list[SpeechSegment], fake_at: float) -> list[Alert]:
    """One alert per run of overlapping or touching flagged windows of the same person."""
    runs: list[dict[str, Any]] = []
    last: dict[str, dict[str, Any]] = {}
    flagged = [s for s in segments if s.identity is not None and s.score is not None and s.score >= fake_at]
    for seg in sorted(flagged, key=lambda s: s.start_s):
        assert seg.identity is not None and seg.score is not None
        person = seg.identity.person
        run = last.get(person)
        if run is not None and seg.start_s <= run["end"]:
            run["end"] = max(run["end"], seg.end_s)
            run["score"] = max(run["score"], seg.score)
            run["similarity"] = max(run["similarity"], seg.identity.similarity)
        else:
            run = {"person": person, "start": seg.start_s, "end": seg.end_s, "score": seg.score}
            run["similarity"] = seg.identity.similarity
            runs.append(run)
            last[person] = run
    return [
        Alert(
            "impersonation",
            f"impersonation: voice matches {r['person']}, segments {r['start']:.0f}-{r['end']:.0f} s likely "
            f"synthetic (score {r['score']:.2f}, similarity {r['similarity']:.2f})",
            r["person"],
            "voice",
            r["similarity"],
            r["score"],
            start_s=r["start"],
            end_s=r["end"],
        )
        for r in runs
    ]


def impersonation_alerts(
    thresholds: VerdictThresholds,
    faces: Sequence[FaceResult] = (),
    face_tracks: Sequence[FaceTrack] = (),
    speech_segments: Sequence[SpeechSegment] = (),
) -> list[Alert]:
    """Every impersonation alert of a report's parts, strongest (highest score) first.

    A face, track or speech window raises one when it matches a watchlist person
    and its own score is at least ``thresholds.fake_at``. In a video the tracks
    carry the identity, not the sampled faces, so each swapped face is one alert.
    """
    alerts = [
        _face_alert(i, len(faces), f, f.identity)
        for i, f in enumerate(faces)
        if f.identity is not None and f.score >= thresholds.fake_at
    ]
    alerts += [
        _track_alert(t, t.identity) for t in face_tracks if t.identity is not None and t.score >= thresholds.fake_at
    ]
    alerts += _voice_alerts(list(speech_segments), thresholds.fake_at)
    return sorted(alerts, key=lambda a: (-a.score, a.start_s or 0.0))
