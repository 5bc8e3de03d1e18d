"""Video-level evaluation of a face model on the video datasets (FaceForensics++, Celeb-DF, DFDC).

Published detectors are compared on two numbers, and this module gives both
from one pass per frame count:

* **frame AUC**: every sampled frame with a face is one decision (its most
  suspicious face), labelled with its video's label;
* **video AUC**: one decision per video, the face part of the video
  pipeline's score (the worst track's top-quarter mean; see
  :mod:`fakeguard.detectors.pipelines.video_faces`).

``num_frames`` frames are sampled per video, evenly spread (the middle of
each of ``num_frames`` equal parts), as the benchmarks' protocols do (FF++
papers use 32 or all frames, DFDC entrants 16 to 32). The frames go through
the video pipeline's own sampling, tracking and aggregation code, so the
video AUC is the AUC of what the service would say. Videos without any face
found are counted as ``no_face`` and left out of the AUCs; unreadable videos
are listed under ``errors`` and the evaluation goes on.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..errors import MediaError, UnsupportedMedia
from ..intake import IntakeLimits, as_source
from ..intake.probe import identify
from ..intake.sniff import MediaKind
from ..intake.video import probe_video
from ..pipelines.face import FaceForgeryDetector
from ..pipelines.video_faces import VideoConfig, score_video_faces
from .tables import metrics_table, sample_row, write_scores

log = logging.getLogger(__name__)


def evaluate_videos(
    samples: Sequence[Any],
    detector: FaceForgeryDetector,
    frame_counts: Sequence[int] = (16,),
    limits: IntakeLimits | None = None,
    out_dir: Path | None = None,
) -> dict[str, Any]:
    """Frame and video metrics for each number of sampled frames.

    Args:
        samples: :class:`fakeguard.datasets.Sample` records of videos (any reader's).
        detector: the face model to evaluate.
        frame_counts: numbers of frames to sample per video, one evaluation each.
        limits: intake limits.
        out_dir: where to write ``metrics.json`` and, per frame count, the video and
            frame scores (CSV) and their DET/ROC plots.

    Returns:
        ``{"videos": n, "frames": {"16": {"video": ..., "frame": ..., "no_face": k}}, "errors": [...]}``
        where ``video`` and ``frame`` are :func:`~fakeguard.detectors.training.tables.metrics_table` results.
    """
    limits = limits or IntakeLimits()
    results: dict[str, Any] = {"videos": len(samples), "frames": {}, "errors": []}
    configs = {count: VideoConfig(num_frames=count) for count in frame_counts}
    video_rows: dict[int, list[dict[str, Any]]] = {count: [] for count in frame_counts}
    frame_rows: dict[int, list[dict[str, Any]]] = {count: [] for count in frame_counts}
    for sample in tqdm(samples, desc="videos", leave=False):
        try:
            # Identified and probed once per video, whatever the number of frame counts.
            src, sniffed = identify(as_source(sample.path), limits)
            if sniffed.kind is not MediaKind.VIDEO:
                raise UnsupportedMedia(src.name, f"expected a video, the bytes are {sniffed.kind.value}")
            info = probe_video(src, sniffed, limits, verify=False)
            for count, config in configs.items():
                faces = score_video_faces(src, sniffed, detector, limits, config, info.duration_s)
                video_rows[count].append(sample_row(sample, faces.face_logit))
                for time_s, logit in zip(faces.frame_times, faces.frame_logits):
                    if logit is not None:
                        frame_rows[count].append({**sample_row(sample, logit), "time_s": round(time_s, 3)})
        except MediaError as exc:
            results["errors"].append(exc.to_dict())
            log.warning("skipped %s", exc)
    for count in frame_counts:
        no_face = sum(not math.isfinite(row["logit"]) for row in video_rows[count])
        entry: dict[str, Any] = {"no_face": no_face, "scored_videos": len(video_rows[count]) - no_face}
        for level, rows in (("video", video_rows[count]), ("frame", frame_rows[count])):
            if rows and len({r["label"] for r in rows}) == 2:
                entry[level] = metrics_table(rows, detector.calibration)
                if out_dir is not None:
                    out_dir.mkdir(parents=True, exist_ok=True)
                    write_scores(
                        rows,
                        detector.calibration,
                        out_dir / f"{level}_scores_{count}f.csv",
                        out_dir / f"{level}_det_roc_{count}f.png",
                        f"{level} level, {count} frames",
                        f"{level}-level DET / ROC ({count} frames per video)",
                    )
            else:
                entry[level] = None  # one class only: no AUC to compute
        results["frames"][str(count)] = entry
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / "metrics.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    return results
