"""``fakeguard score FILE...``: verdict, score and evidence for each file."""

from __future__ import annotations

import base64
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from fakeguard.detectors.intake.limits import IntakeLimits

from .exit_codes import exit_code
from .options import limit_options, thread_option, watchlist_option
from .render import Outcome, alert_cells, emit_outcomes, identity_cell, provenance_cell

log = logging.getLogger(__name__)


def write_heatmaps(report: dict[str, Any], path: str, folder: Path) -> None:
    """Save each Grad-CAM overlay as ``<file stem>.face<N>.png`` (``.track<N>.png`` for a video's face
    tracks); the report keeps the paths too."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, face in enumerate(report.get("faces", []), start=1):
        if face.get("heatmap_png"):
            which = f"track{face['track_id']}" if face.get("track_id") is not None else f"face{i}"
            target = folder / f"{Path(path).stem}.{which}.png"
            target.write_bytes(base64.b64decode(face["heatmap_png"]))
            face["heatmap_file"] = str(target)


def _human_row(report: dict[str, Any]) -> list[str]:
    score = report.get("score")
    verdict = report["verdict"]
    colour = {"fake": "red", "real": "green"}.get(verdict, "yellow")
    alerts = alert_cells(report)
    shown = {a.get("message") for a in report.get("alerts") or []}
    details = [r for r in report.get("reasons", []) if r not in shown]  # the alerts lead, in red, once
    details += [cell] if (cell := identity_cell(report)) else []
    details += [cell] if (cell := provenance_cell(report)) else []
    details += [f"warning: {w['message']}" for w in report.get("warnings", [])]
    # Reasons quote the file's own metadata and people's names: never read them as rich markup.
    evidence = [f"[bold red]{escape(a)}[/bold red]" for a in alerts] + ([escape("; ".join(details))] if details else [])
    timings = {t["stage"]: t["seconds"] for t in report.get("timings", [])}
    # A video's stages overlap (frames, faces and audio run at once): its "total" is the wall time.
    seconds = timings["total"] if "total" in timings else sum(timings.values())
    return [
        report["kind"],
        f"[{colour}]{verdict}[/{colour}]",
        "" if score is None else f"{score:.3f}",
        f"{seconds:.2f} s",
        "; ".join(evidence),
    ]


@click.command("score")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="One report per line (JSON Lines) instead of a table.")
@click.option("--voice-model", default=None, help="Voice weights: a shipped arch.tag or a weight folder.")
@click.option("--face-model", default=None, help="Face weights: a shipped arch.tag or a weight folder.")
@click.option(
    "--heatmaps",
    "heatmap_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write a Grad-CAM overlay PNG per face into this folder (and keep it, base64, in --json output).",
)
@click.option(
    "--video-fps",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Frames sampled per second of video (default 1; long clips are sampled more sparsely).",
)
@click.option(
    "--max-video-duration",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Refuse videos longer than this many seconds (default FAKEGUARD_MAX_VIDEO_S or 1800).",
)
@watchlist_option()
@thread_option
@limit_options
def score_command(
    files: tuple[str, ...],
    as_json: bool,
    voice_model: str | None,
    face_model: str | None,
    heatmap_dir: str | None,
    video_fps: float | None,
    max_video_duration: float | None,
    watchlist: str | None,
    limits: IntakeLimits,
) -> None:
    """Score each FILE for manipulation: verdict (fake, real, uncertain), calibrated score, reasons.

    Audio is scored by the voice anti-spoofing detector, per window and per
    file; images by the face-forgery detector, per face and per image (the
    most suspicious face); videos by both, per face track, per speech window
    and per second. A file that cannot be read is reported with its error
    and the rest go on. With --watchlist, faces and voices are also matched
    against the protected people enrolled there (`fakeguard watchlist add`):
    matches are listed, and a match on a face or voice scored likely
    synthetic raises an impersonation alert.
    """
    from fakeguard.detectors.api import Detector
    from fakeguard.detectors.errors import MediaError
    from fakeguard.detectors.pipelines.video_faces import VideoConfig

    video = VideoConfig()
    if video_fps is not None:
        video = replace(video, fps=video_fps)
    if max_video_duration is not None:
        video = replace(video, max_duration_s=max_video_duration)
    detector = Detector.load(
        voice_model=voice_model, face_model=face_model, limits=limits, video=video, watchlist=watchlist
    )

    def score(path: str) -> dict[str, Any]:
        report = detector.score(path, heatmaps=heatmap_dir is not None).to_dict()
        if heatmap_dir is not None:
            write_heatmaps(report, path, Path(heatmap_dir))
        return report

    def outcomes():
        for path in files:
            try:
                yield Outcome(file=path, result=score(path))
            except MediaError as exc:
                yield Outcome(file=path, error=exc.to_dict())
            except Exception as exc:  # a bug: report it and keep scoring the others
                log.exception("internal error while scoring %s", path)
                yield Outcome(
                    file=path,
                    error={
                        "file": path,
                        "error": "internal",
                        "type": type(exc).__name__,
                        "reason": f"internal error: {exc}",
                    },
                    internal=True,
                )

    failed, internal = emit_outcomes(
        outcomes(),
        as_json=as_json,
        title="fakeguard score",
        columns=["File", "Kind", "Verdict", "Score", "Time", "Reasons / warnings"],
        row=_human_row,
    )
    raise SystemExit(exit_code(failed, internal))
