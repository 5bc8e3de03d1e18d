"""Link face detections across a video's sampled frames into tracks.

Why boxes and not face embeddings: samples are about a second apart, and
within a second a face moves less than its own width in almost all footage,
so overlap and distance between boxes decide the link. dlib's face
descriptor would cost about 10 ms per face, as much again as detecting it,
for the rare cut between two people at the same spot; a cut is instead
caught by a jump in size or position and starts a new track.

Linking is an optimal assignment (Hungarian method, ``scipy``) between the
open tracks and the new detections, on a cost that is ``1 - IoU`` when the
boxes overlap and grows with the distance between centres (in face widths)
when they do not; pairs beyond ``max_center_shift`` or with a size ratio
beyond ``max_size_ratio`` are never linked. A track not seen for
``max_gap_s`` is closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

BoxTuple = tuple[float, float, float, float]


@dataclass(frozen=True)
class TrackerConfig:
    """When two detections are the same face.

    Attributes:
        max_center_shift: the largest move between two samples, in face widths.
        max_size_ratio: the largest change of box width between two samples.
        max_gap_s: a track unseen for longer is closed; a face seen after that starts a new one.
    """

    max_center_shift: float = 1.0
    max_size_ratio: float = 1.6
    max_gap_s: float = 3.0


@dataclass
class Track:
    """One face followed over time: the indices of its detections, in order.

    Attributes:
        track_id: 1, 2, ... in order of first appearance.
        detections: indices into the caller's list of detections.
        last_box: the box at its latest detection.
        last_time_s: the time of its latest detection.
    """

    track_id: int
    detections: list[int] = field(default_factory=list)
    last_box: BoxTuple = (0.0, 0.0, 0.0, 0.0)
    last_time_s: float = 0.0


def box_iou(a: BoxTuple, b: BoxTuple) -> float:
    """Intersection over union of two ``(x0, y0, x1, y1)`` boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def link_cost(a: BoxTuple, b: BoxTuple, config: TrackerConfig) -> float:
    """Cost of linking box ``a`` (a track's last) to box ``b`` (a new detection); ``inf`` when impossible."""
    width_a, width_b = max(a[2] - a[0], 1e-6), max(b[2] - b[0], 1e-6)
    if max(width_a, width_b) / min(width_a, width_b) > config.max_size_ratio:
        return float("inf")
    shift = np.hypot((a[0] + a[2] - b[0] - b[2]) / 2, (a[1] + a[3] - b[1] - b[3]) / 2) / max(width_a, width_b)
    if shift > config.max_center_shift:
        return float("inf")
    iou = box_iou(a, b)
    return 1.0 - iou if iou > 0 else 1.0 + shift


class FaceTracker:
    """Builds tracks one sampled frame at a time.

    >>> tracker = FaceTracker()
    >>> tracker.update(0.0, [(0, 0, 10, 10)])
    [1]
    >>> tracker.update(1.0, [(1, 0, 11, 10)])
    [1]
    """

    def __init__(self, config: TrackerConfig | None = None) -> None:
        self.config = config or TrackerConfig()
        self.tracks: list[Track] = []
        self._count = 0

    def open_tracks(self, time_s: float) -> list[Track]:
        """Tracks seen within ``max_gap_s`` of ``time_s``."""
        return [t for t in self.tracks if time_s - t.last_time_s <= self.config.max_gap_s]

    def update(self, time_s: float, boxes: list[BoxTuple]) -> list[int]:
        """Link one frame's detections; returns the track id of each box, in order.

        Detection indices recorded in the tracks count every box ever given, so
        the caller's flat list of detections lines up with them.
        """
        open_tracks = self.open_tracks(time_s)
        ids: list[int | None] = [None] * len(boxes)
        if open_tracks and boxes:
            cost = np.array([[link_cost(t.last_box, b, self.config) for b in boxes] for t in open_tracks])
            finite = np.where(np.isfinite(cost), cost, 1e6)
            rows, cols = linear_sum_assignment(finite)
            for r, c in zip(rows, cols):
                if np.isfinite(cost[r, c]):
                    ids[c] = open_tracks[r].track_id
        by_id = {t.track_id: t for t in self.tracks}
        first_index = self._count
        for i, box in enumerate(boxes):
            if ids[i] is None:
                track = Track(track_id=len(self.tracks) + 1)
                self.tracks.append(track)
                by_id[track.track_id] = track
                ids[i] = track.track_id
            track = by_id[ids[i]]
            track.detections.append(first_index + i)
            track.last_box, track.last_time_s = box, time_s
        self._count += len(boxes)
        return [int(i) for i in ids]  # type: ignore[arg-type]
