"""Preview pictures for the HTML report: a small JPEG of a suspect file with its face boxes drawn.

An image is decoded through the project's intake (EXIF orientation applied: the pixels that the
report's boxes refer to); a video gives the frame at its most suspicious track point; audio has
no picture (the report shows its timeline). The file is read again at report time, so a preview
can fail for reasons the scan never met: the file was deleted, replaced or made unreadable. That
costs the row its picture, never the report: :func:`make_preview` does not raise.
"""

from __future__ import annotations

import base64
import io
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

from fakeguard.detectors.errors import CorruptMedia, MediaError
from fakeguard.detectors.intake import IntakeLimits, MediaSource, as_source, load_image, sample_frames
from fakeguard.detectors.report import VerdictThresholds

log = logging.getLogger(__name__)

#: Longer side of a preview, CSS pixels.
PREVIEW_SIDE = 240

#: JPEGs are decoded at a reduced DCT scale whose longer side is at least this (a 50 MP photo
#: would otherwise be decoded whole for a 240-pixel picture).
IMAGE_DECODE_SIDE = 960

#: The scan's own limits may have been raised (``--max-bytes``); a preview reads at most one frame,
#: so it lifts the byte limit and keeps the pixel limit, with a short time budget per file.
PREVIEW_LIMITS = IntakeLimits(max_bytes=1 << 50, decode_timeout_s=30.0)

JPEG_QUALITY = 80

#: A face box (``x0, y0, x1, y1`` in pixels of the whole upright picture) with its score, if any.
BoxedFace = tuple[Mapping[str, Any], Any]

#: A decoded picture, the longer side (pixels) of the picture its boxes refer to, the boxes, a note.
Picture = tuple[Image.Image, int, list[BoxedFace], str]


@dataclass(frozen=True)
class Preview:
    """A suspect's picture, or why there is none.

    Attributes:
        data_uri: ``data:image/jpeg;base64,...``, or None.
        note: what the picture shows (``frame at 3.5 s``), or why there is none (``no preview: ...``).
    """

    data_uri: str | None
    note: str


def make_preview(row: Mapping[str, Any], limits: IntakeLimits = PREVIEW_LIMITS) -> Preview:
    """The preview of one exported row (a :meth:`ResultStore.rows` dict with its ``report``).

    The file is checked against the size and modification time recorded at scan time first: boxes
    drawn on other content would point at the wrong faces.
    """
    kind = row.get("kind")
    maker = _MAKERS.get(kind) if isinstance(kind, str) else None
    if maker is None:
        return Preview(None, "audio: no picture, see the timeline" if kind == "audio" else "no preview")
    path = str(row["path"])
    if "://" in path:  # the store names remote files by their fsspec URL, local ones by absolute path
        return Preview(None, "no preview: a remote file (previews read local files only)")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return Preview(None, "no preview: the file is no longer there")
    except OSError as exc:
        return Preview(None, f"no preview: {exc.strerror or exc}")
    if (st.st_size, st.st_mtime_ns) != (row.get("size"), row.get("mtime_ns")):
        return Preview(None, "no preview: the file changed after the scan")
    report = row.get("report") or {}
    try:
        picture, full_side, faces, note = maker(as_source(path), report, limits)
        return Preview(_data_uri(picture, full_side, faces, report_thresholds(report)), note)
    except MediaError as exc:
        return Preview(None, f"no preview: {exc.reason}")
    except Exception as exc:  # a malformed report or a decoder surprise: the row stays, without its picture
        log.warning("no preview for %s: %s: %s", path, type(exc).__name__, exc)
        return Preview(None, "no preview")


def suspect_moment(report: Mapping[str, Any]) -> tuple[float, list[BoxedFace]]:
    """Where to look in a video: the time of its highest-scored track point and the faces seen then.

    Falls back to the highest-scored sampled face, then to the second with the highest face score
    in the timeline (no box), then to the start.
    """
    points = [
        (p.get("score"), p.get("time_s"), p.get("box"))
        for track in report.get("face_tracks") or []
        for p in track.get("points") or []
    ]
    if not points:
        points = [(f.get("score"), f.get("time_s"), f.get("box")) for f in report.get("faces") or []]
    points = [(s, t, b) for s, t, b in points if isinstance(s, (int, float)) and isinstance(t, (int, float))]
    if points:
        _, when, _ = max(points, key=lambda p: p[0])
        return float(when), [(b, s) for s, t, b in points if abs(t - when) < 1e-6 and isinstance(b, Mapping)]
    seconds = [e for e in report.get("timeline") or [] if isinstance(e.get("face_score"), (int, float))]
    if seconds:
        return float(max(seconds, key=lambda e: e["face_score"]).get("start_s") or 0.0), []
    return 0.0, []


def _image_picture(src: MediaSource, report: Mapping[str, Any], limits: IntakeLimits) -> Picture:
    decoded = load_image(src, limits, max_side=IMAGE_DECODE_SIDE)
    faces = [(f["box"], f.get("score")) for f in report.get("faces") or []]
    # Boxes are in pixels of the whole upright image; the longer side is the same before and
    # after the EXIF turn, so it gives the scale whatever the orientation.
    return Image.fromarray(decoded.pixels), max(decoded.original_size), faces, ""


def _video_picture(src: MediaSource, report: Mapping[str, Any], limits: IntakeLimits) -> Picture:
    when, faces = suspect_moment(report)
    frames = sample_frames(src, fps=1.0, limits=limits, max_frames=1, start_s=when)
    try:
        frame = next(frames, None)
    finally:
        frames.close()  # closes the container now, not when the generator is collected
    if frame is None:
        raise CorruptMedia(src.name, f"no frame at {when:.1f} s")
    # Decoded at full size: the boxes are in pixels of the upright frame as stored.
    return Image.fromarray(frame.pixels), max(frame.pixels.shape[:2]), faces, f"frame at {frame.time_s:.1f} s"


_MAKERS: dict[str, Callable[[MediaSource, Mapping[str, Any], IntakeLimits], Picture]] = {
    "image": _image_picture,
    "video": _video_picture,
}


def report_thresholds(report: Mapping[str, Any]) -> VerdictThresholds:
    """The thresholds the report was judged with, or the defaults where it names none (or bad ones)."""
    given = report.get("thresholds")
    if isinstance(given, Mapping):
        try:
            return VerdictThresholds(float(given["real_below"]), float(given["fake_at"]))
        except (KeyError, TypeError, ValueError):
            pass
    return VerdictThresholds()


def box_colour(score: float | None, thresholds: VerdictThresholds) -> str:
    """Red for a face judged fake, amber for uncertain, green for real, grey without a score."""
    if score is None:
        return "#adb5bd"
    return {"fake": "#fa5252", "uncertain": "#fab005", "real": "#40c057"}[thresholds.verdict(score).value]


def _data_uri(picture: Image.Image, full_side: int, faces: list[BoxedFace], thresholds: VerdictThresholds) -> str:
    """Shrink to :data:`PREVIEW_SIDE`, draw the boxes (given in pixels of a ``full_side`` picture), encode."""
    picture = picture.convert("RGB")
    picture.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    scale = max(picture.size) / max(full_side, 1)
    draw = ImageDraw.Draw(picture)
    for box, given in faces:
        x0, y0, x1, y1 = (float(box[k]) * scale for k in ("x0", "y0", "x1", "y1"))
        score = float(given) if isinstance(given, (int, float)) else None
        draw.rectangle((x0, y0, max(x1, x0), max(y1, y0)), outline=box_colour(score, thresholds), width=2)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
