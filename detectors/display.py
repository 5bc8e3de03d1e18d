"""Reports for people: a plain-text summary, and HTML for Jupyter (``_repr_html_``).

A :class:`~fakeguard.detectors.report.Report` displays itself from what it
holds: verdict, scores, reasons, warnings, the faces' Grad-CAM overlays (when
scored with ``heatmaps=True``) and the per-second timeline of an audio or
video file as an inline SVG. The media itself is not in a report (reports go
to JSON and databases), so the picture with the face boxes drawn on it comes
from :func:`show`, which takes the report and the media it was made from.

Everything a report carries is escaped before it reaches HTML: file names
are the user's, and a report rebuilt from a scan database or an HTTP answer
is data, not markup. Embedded images are only ever PNG/JPEG data URLs built
here, or base64 text checked to be base64.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .intake.arrays import media_source
from .report import Box, IdentityMatch, Report, VerdictThresholds

if TYPE_CHECKING:
    from .api import Detector, Scorable
    from .pipelines.face import FaceForgeryDetector

#: Colours of the verdicts (and of a face's box by its own score).
COLOURS = {"fake": "#c0392b", "real": "#1e8449", "uncertain": "#b9770e", "error": "#7f8c8d"}
#: Largest side of the picture :func:`show` embeds, in pixels.
THUMBNAIL_SIDE = 480
#: Audio up to this size is embedded in :func:`show`'s HTML as a player.
MAX_EMBEDDED_AUDIO_BYTES = 2 << 20

_BASE64 = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(score: float | None) -> str:
    return "-" if score is None or (isinstance(score, float) and math.isnan(score)) else f"{score:.2f}"


def _verdict_of(score: float | None, thresholds: VerdictThresholds) -> str:
    return thresholds.verdict(score).value


def _thresholds(report: Report) -> VerdictThresholds:
    return report.thresholds or VerdictThresholds()


def _box_text(box: Box) -> str:
    return f"({box.x0:.0f}, {box.y0:.0f})-({box.x1:.0f}, {box.y1:.0f})"


# --------------------------------------------------------------------------- text


def report_text(report: Report) -> str:
    """A few plain lines: verdict and score, the media, faces or tracks, reasons and warnings."""
    kind = report.kind.value
    media = report.media
    facts = [kind]
    if media is not None:
        facts.append(media.format)
        if media.width and media.height:
            facts.append(f"{media.width}x{media.height}")
        if media.duration_s:
            facts.append(f"{media.duration_s:.1f} s")
    lines = [f"{report.file}: {report.verdict.value.upper()} (score {_fmt(report.score)}), {', '.join(facts)}"]
    parts = []
    if report.face_score is not None or report.faces or report.face_tracks:
        parts.append(f"face {_fmt(report.face_score)}")
    if report.voice_score is not None or report.speech_segments:
        parts.append(f"voice {_fmt(report.voice_score)}")
    if len(parts) > 1 or kind == "video":
        lines.append("  " + ", ".join(parts))
    if report.face_tracks:
        for t in report.face_tracks:
            span = f"{t.start_s:.1f}-{t.end_s:.1f} s"
            lines.append(f"  track {t.track_id}: {span}, score {_fmt(t.score)}{_who(t.identity)}")
    elif report.faces:
        for i, f in enumerate(report.faces, 1):
            lines.append(f"  face {i}: {_fmt(f.score)} at {_box_text(f.box)}{_who(f.identity)}")
    if report.speech_segments:
        scored = [s for s in report.speech_segments if s.score is not None]
        if scored:
            top = max(scored, key=lambda s: s.score or 0.0)
            lines.append(
                f"  {len(scored)} speech window(s), highest {_fmt(top.score)} at {top.start_s:.1f}-{top.end_s:.1f} s"
            )
        voices: dict[str, list[float]] = {}
        for s in report.speech_segments:
            if s.identity is not None:
                span = voices.setdefault(s.identity.person, [s.start_s, s.end_s])
                span[0], span[1] = min(span[0], s.start_s), max(span[1], s.end_s)
        lines += [f"  voice matches {person} between {a:.1f} and {b:.1f} s" for person, (a, b) in voices.items()]
    if report.watchlist is not None:
        lines.append(f"  watchlist: checked against {report.watchlist.people} people")
    lines += [f"  reason: {r}" for r in report.reasons]
    provenance = _provenance_summary(report)
    if provenance:
        lines.append(f"  provenance: {provenance}")
    lines += [f"  warning {w.code}: {w.message}" for w in report.warnings]
    return "\n".join(lines)


def _who(identity: IdentityMatch | None) -> str:
    """ ", matches Ann (0.97)" for a watchlist match, else nothing."""
    return "" if identity is None else f", matches {identity.person} ({identity.similarity:.2f})"


def _provenance_summary(report: Report) -> str:
    """The provenance section's summary when the file declared something (most files declare nothing)."""
    provenance = report.provenance
    return provenance.summary if provenance is not None and provenance.signals else ""


# --------------------------------------------------------------------------- HTML parts


def _badge(verdict: str, score: float | None) -> str:
    colour = COLOURS.get(verdict, COLOURS["error"])
    return (
        f"<span style='background:{colour};color:white;border-radius:4px;padding:2px 8px;font-weight:bold'>"
        f"{_esc(verdict.upper())}</span> <span style='font-size:1.1em'>score {_fmt(score)}</span>"
    )


def _png_data_url(b64: str | None) -> str | None:
    """A data URL for base64 PNG text from a report, or None when the text is not base64."""
    if not b64 or not _BASE64.match(b64):
        return None
    return f"data:image/png;base64,{b64}"


def _heatmaps_html(report: Report) -> str:
    cells = []
    for i, face in enumerate(report.faces, 1):
        url = _png_data_url(face.heatmap_png)
        if url is None:
            continue
        label = f"track {face.track_id} at {face.time_s:.1f} s" if face.track_id is not None else f"face {i}"
        cells.append(
            "<figure style='display:inline-block;margin:4px;text-align:center'>"
            f"<img src='{url}' width='128' height='128' alt='Grad-CAM {_esc(label)}'>"
            f"<figcaption>{_esc(label)}: {_fmt(face.score)}</figcaption></figure>"
        )
    if not cells:
        return ""
    return "<div><b>Grad-CAM</b> (where the evidence for &quot;fake&quot; lies)<br>" + "".join(cells) + "</div>"


def _faces_table(report: Report) -> str:
    t = _thresholds(report)
    if report.face_tracks:
        head = "<tr><th>track</th><th>seen</th><th>score</th></tr>"
        rows = "".join(
            f"<tr><td>{tr.track_id}</td><td>{tr.start_s:.1f}-{tr.end_s:.1f} s</td>"
            f"<td style='color:{COLOURS[_verdict_of(tr.score, t)]}'>{_fmt(tr.score)}"
            f"{_esc(_who(tr.identity))}</td></tr>"
            for tr in report.face_tracks
        )
    elif report.faces:
        head = "<tr><th>face</th><th>box</th><th>score</th></tr>"
        rows = "".join(
            f"<tr><td>{i}</td><td>{_esc(_box_text(f.box))}</td>"
            f"<td style='color:{COLOURS[_verdict_of(f.score, t)]}'>{_fmt(f.score)}"
            f"{_esc(_who(f.identity))}</td></tr>"
            for i, f in enumerate(report.faces, 1)
        )
    else:
        return ""
    return f"<table style='margin:4px 0'>{head}{rows}</table>"


def _nice_step(span: float, ticks: int = 8) -> float:
    raw = max(span / ticks, 1e-9)
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def timeline_svg(report: Report, width: int = 640, height: int = 160) -> str:
    """The per-second face and voice scores as an inline SVG step chart, with the verdict thresholds.

    Empty when the report has no timeline (images).
    """
    entries = report.timeline
    if not entries:
        return ""
    left, right, top, bottom = 34, 10, 10, 34
    duration = max(e.end_s for e in entries) or 1.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(t: float) -> float:
        return left + plot_w * t / duration

    def y(p: float) -> float:
        return top + plot_h * (1 - p)

    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' font-family='sans-serif' font-size='10'>",
        f"<rect x='{left}' y='{top}' width='{plot_w}' height='{plot_h}' fill='none' stroke='#999'/>",
    ]
    for p in (0.0, 0.5, 1.0):
        out.append(f"<text x='{left - 4}' y='{y(p) + 3:.1f}' text-anchor='end'>{p:g}</text>")
    step = _nice_step(duration)
    t = 0.0
    while t <= duration + 1e-9:
        out.append(f"<text x='{x(t):.1f}' y='{top + plot_h + 12}' text-anchor='middle'>{t:g}</text>")
        t += step
    out.append(f"<text x='{left + plot_w / 2:.1f}' y='{height - 10}' text-anchor='middle'>seconds</text>")
    th = _thresholds(report)
    for value, colour in ((th.fake_at, COLOURS["fake"]), (th.real_below, COLOURS["real"])):
        out.append(
            f"<line x1='{left}' x2='{left + plot_w}' y1='{y(value):.1f}' y2='{y(value):.1f}' "
            f"stroke='{colour}' stroke-dasharray='4 3'/>"
        )
    legend = []
    for attr, colour, label in (("face_score", "#1f77b4", "face"), ("voice_score", "#ff7f0e", "voice")):
        path, last_end = [], None
        for e in entries:
            value = getattr(e, attr)
            if value is None:
                last_end = None
                continue
            command = "L" if last_end is not None and abs(last_end - e.start_s) < 1e-6 else "M"
            path.append(f"{command}{x(e.start_s):.1f},{y(value):.1f} L{x(e.end_s):.1f},{y(value):.1f}")
            last_end = e.end_s
        if path:
            out.append(f"<path d='{' '.join(path)}' fill='none' stroke='{colour}' stroke-width='2'/>")
            legend.append((colour, label))
    for i, (colour, label) in enumerate(legend):
        lx = left + 8 + 60 * i
        out.append(f"<line x1='{lx}' x2='{lx + 14}' y1='{top + 8}' y2='{top + 8}' stroke='{colour}' stroke-width='2'/>")
        out.append(f"<text x='{lx + 18}' y='{top + 11}'>{label}</text>")
    out.append("</svg>")
    return "".join(out)


def report_html(report: Report, media_html: str = "") -> str:
    """The report as an HTML fragment (what ``Report._repr_html_`` shows).

    Args:
        report: the report.
        media_html: markup to put after the headline (:func:`show` puts the picture there).
    """
    media = report.media
    facts = [report.kind.value]
    if media is not None:
        facts.append(media.format)
        if media.width and media.height:
            facts.append(f"{media.width}x{media.height}")
        if media.duration_s:
            facts.append(f"{media.duration_s:.1f} s")
    sub = []
    if report.face_score is not None:
        sub.append(f"face {_fmt(report.face_score)}")
    if report.voice_score is not None:
        sub.append(f"voice {_fmt(report.voice_score)}")
    parts = [
        "<div style='font-family:sans-serif;line-height:1.4'>",
        f"<div><code>{_esc(report.file)}</code> <span style='color:#666'>{_esc(', '.join(facts))}</span></div>",
        f"<div>{_badge(report.verdict.value, report.score)} "
        f"<span style='color:#666'>{_esc(', '.join(sub))}</span></div>",
        media_html,
    ]
    if report.reasons:
        parts.append("<ul style='margin:4px 0'>" + "".join(f"<li>{_esc(r)}</li>" for r in report.reasons) + "</ul>")
    provenance = _provenance_summary(report)
    if provenance:
        parts.append(f"<div><b>Provenance</b>: {_esc(provenance)}</div>")
    if report.warnings:
        parts.append(
            "<ul style='margin:4px 0;color:#b9770e'>"
            + "".join(f"<li>{_esc(w.code)}: {_esc(w.message)}</li>" for w in report.warnings)
            + "</ul>"
        )
    parts += [_faces_table(report), timeline_svg(report), _heatmaps_html(report), "</div>"]
    return "".join(parts)


# --------------------------------------------------------------------------- with the media


def _jpeg_data_url(pixels: np.ndarray) -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(pixels).convert("RGB").save(buffer, "JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _thumbnail(pixels: np.ndarray, side: int) -> np.ndarray:
    from PIL import Image

    h, w = pixels.shape[:2]
    scale = min(1.0, side / max(h, w))
    if scale == 1.0:
        return pixels
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(pixels).resize(size, Image.Resampling.BILINEAR))


def boxes_svg(pixels: np.ndarray, boxes: Sequence[tuple[Box, float, str]], frame_size: tuple[int, int]) -> str:
    """The picture with each box drawn over it, coloured by its score and labelled.

    Args:
        pixels: the picture (any size; it is embedded as a JPEG).
        boxes: ``(box, score, colour)`` in the coordinates of ``frame_size``.
        frame_size: ``(width, height)`` the boxes refer to (the report's media size).
    """
    h, w = pixels.shape[:2]
    sx, sy = w / max(1, frame_size[0]), h / max(1, frame_size[1])
    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{w}' height='{h}' viewBox='0 0 {w} {h}' "
        "font-family='sans-serif' font-size='13' font-weight='bold'>",
        f"<image href='{_jpeg_data_url(pixels)}' width='{w}' height='{h}'/>",
    ]
    for i, (box, score, colour) in enumerate(boxes, 1):
        x0, y0, x1, y1 = box.x0 * sx, box.y0 * sy, box.x1 * sx, box.y1 * sy
        out.append(
            f"<rect x='{x0:.1f}' y='{y0:.1f}' width='{x1 - x0:.1f}' height='{y1 - y0:.1f}' "
            f"fill='none' stroke='{colour}' stroke-width='2.5'/>"
        )
        out.append(
            f"<text x='{x0 + 2:.1f}' y='{max(12.0, y0 - 4):.1f}' fill='{colour}' stroke='white' stroke-width='3' "
            f"paint-order='stroke'>{i}: {_fmt(score)}</text>"
        )
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True)
class Shown:
    """A report with the picture it was made from, for display (:func:`show` builds it).

    Attributes:
        report: the report.
        picture: the image or the video frame shown (RGB uint8, at most :data:`THUMBNAIL_SIDE`), or None.
        picture_time_s: for a video, the time of that frame.
        audio_url: a data URL of the audio (for a player), or None.
    """

    report: Report
    picture: np.ndarray | None = None
    picture_time_s: float | None = None
    audio_url: str | None = None

    def _boxes(self) -> list[tuple[Box, float, str]]:
        t = _thresholds(self.report)
        if self.picture_time_s is None:
            faces = [(f.box, f.score) for f in self.report.faces]
        else:
            faces = [
                (p.box, p.score)
                for track in self.report.face_tracks
                for p in track.points
                if abs(p.time_s - self.picture_time_s) < 1e-3
            ]
        return [(box, score, COLOURS[_verdict_of(score, t)]) for box, score in faces]

    def _media_html(self) -> str:
        parts = []
        if self.picture is not None:
            media = self.report.media
            h, w = self.picture.shape[:2]
            size = (media.width, media.height) if media and media.width and media.height else (w, h)
            caption = f"frame at {self.picture_time_s:.1f} s" if self.picture_time_s is not None else ""
            parts.append(
                f"<div style='margin:6px 0'>{boxes_svg(self.picture, self._boxes(), size)}"
                + (f"<div style='color:#666'>{_esc(caption)}</div>" if caption else "")
                + "</div>"
            )
        if self.audio_url is not None:
            parts.append(f"<div><audio controls src='{_esc(self.audio_url)}'></audio></div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return report_html(self.report, self._media_html())

    def __str__(self) -> str:
        return report_text(self.report)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def show(
    report: Report | Mapping[str, Any],
    media: Scorable | None = None,
    *,
    sample_rate: int | None = None,
    max_side: int = THUMBNAIL_SIDE,
) -> Shown:
    """A report and its media, displayed together: the picture with each face's box and score on it.

    For an image the picture is the image; for a video, the sampled frame where a face
    track scored highest, with the boxes of every track at that time; audio (up to
    :data:`MAX_EMBEDDED_AUDIO_BYTES`) gets a player. The media is read under the default
    intake limits, as :meth:`~fakeguard.detectors.api.Detector.score` read it.

    Args:
        report: a :class:`Report`, or its dict (a scan's ``report`` column).
        media: what was scored (a path, bytes, an array or a PIL image); None shows the report alone.
        sample_rate: for an audio array.
        max_side: largest side of the embedded picture.
    """
    from .intake import MediaKind, load_image, sample_frames
    from .intake.probe import identify

    if not isinstance(report, Report):
        report = Report.from_dict(dict(report))
    if media is None:
        return Shown(report)
    src, sniffed = identify(media_source(media, None, sample_rate))
    if sniffed.kind is MediaKind.IMAGE:
        return Shown(report, _thumbnail(load_image(src, sniffed=sniffed).pixels, max_side))
    audio_url = None
    if report.kind is MediaKind.AUDIO and src.size <= MAX_EMBEDDED_AUDIO_BYTES:
        with src.open() as fh:
            data = fh.read()
        mime = report.media.mime if report.media else sniffed.mime
        audio_url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    if sniffed.kind is not MediaKind.VIDEO or report.kind is not MediaKind.VIDEO:
        return Shown(report, audio_url=audio_url)
    points = [p for track in report.face_tracks for p in track.points]
    at = max(points, key=lambda p: p.score).time_s if points else 0.0
    frame = next(iter(sample_frames(src, fps=1.0, start_s=at, max_frames=1, sniffed=sniffed)), None)
    if frame is None:
        return Shown(report)
    return Shown(report, _thumbnail(frame.pixels, max_side), picture_time_s=at if points else None)


# --------------------------------------------------------------------------- face crops


@dataclass(frozen=True)
class CropGallery:
    """Aligned face crops in a grid, each with its score and Grad-CAM overlay (see :func:`crop_gallery`).

    Attributes:
        columns: the column names (``real``, ``self_blend``, ``landmark_swap``...).
        crops: one row per example, one crop per column (``(S, S, 3)`` uint8).
        scores: calibrated P(fake) of each crop, or None without a detector.
        heatmaps: base64 PNG Grad-CAM overlays, or None.
    """

    columns: tuple[str, ...]
    crops: tuple[tuple[np.ndarray, ...], ...]
    scores: tuple[tuple[float, ...], ...] | None = None
    heatmaps: tuple[tuple[str, ...], ...] | None = None

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{_esc(c)}</th>" for c in self.columns)
        rows = []
        for r, crops in enumerate(self.crops):
            cells = []
            for c, crop in enumerate(crops):
                cell = f"<img src='{_jpeg_data_url(crop)}' width='112' height='112'>"
                if self.heatmaps is not None:
                    url = _png_data_url(self.heatmaps[r][c])
                    if url:
                        cell += f"<img src='{url}' width='112' height='112'>"
                if self.scores is not None:
                    cell += f"<br>P(fake) {_fmt(self.scores[r][c])}"
                cells.append(f"<td style='text-align:center'>{cell}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return f"<table><tr>{head}</tr>{''.join(rows)}</table>"

    def __str__(self) -> str:
        lines = [" | ".join(self.columns)]
        for r in range(len(self.crops)):
            if self.scores is None:
                lines.append(" | ".join(f"{self.crops[r][c].shape[0]} px" for c in range(len(self.columns))))
            else:
                lines.append(" | ".join(_fmt(s) for s in self.scores[r]))
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def crop_gallery(
    examples: Sequence[Mapping[str, np.ndarray]],
    detector: Detector | FaceForgeryDetector | None = None,
    heatmaps: bool = True,
) -> CropGallery:
    """Score aligned crops with a face model and lay them out with their Grad-CAM overlays.

    Args:
        examples: one mapping per row, column name to crop (as
            :func:`fakeguard.datasets.pseudo.face_examples` makes them, at the model's input size).
        detector: a :class:`~fakeguard.detectors.api.Detector` (its face model is used) or a
            face detector; None lays the crops out unscored.
        heatmaps: add each crop's Grad-CAM overlay, dimmed by its score as in reports.
    """
    columns = tuple(examples[0]) if examples else ()
    crops = tuple(tuple(example[c] for c in columns) for example in examples)
    if detector is None or not crops:
        return CropGallery(columns, crops)
    face = getattr(detector, "face", detector)
    flat = [crop for row in crops for crop in row]
    probs = face.calibration.apply(face.crop_logits(flat))
    n = len(columns)
    scores = tuple(tuple(float(p) for p in probs[i : i + n]) for i in range(0, len(flat), n))
    maps = None
    if heatmaps:
        overlays = face.heatmaps(flat, probs)
        maps = tuple(tuple(overlays[i : i + n]) for i in range(0, len(flat), n))
    return CropGallery(columns, crops, scores, maps)
