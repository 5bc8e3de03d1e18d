"""Image files to reports: decode, find faces, crop, score, explain.

Stages and their timing names: ``decode`` (Pillow, upright RGB, large JPEGs
decoded at a reduced scale), ``provenance`` (content credentials, metadata and
watermarks, see :mod:`fakeguard.detectors.provenance`), ``detect_faces``
(dlib, landmarks and crops), ``classify_faces`` (the model, one batch per
image), ``heatmaps`` (Grad-CAM, on request), ``identity_faces`` (with a watchlist that
holds faces: each face's identity embedding and match, see
:mod:`~fakeguard.detectors.pipelines.impersonation`).
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from ..intake import IntakeLimits, MediaSource, Sniffed, load_image
from ..intake.image import probe_image
from ..provenance import ProvenanceConfig, read_provenance
from ..report import Box, Report, ReportWarning, VerdictThresholds
from .assemble import build_report
from .face import FaceForgeryDetector, FaceImageResult
from .impersonation import match_faces, watchlist_check, with_face_identities

if TYPE_CHECKING:
    from ..identity.matcher import WatchlistSnapshot

#: JPEGs are decoded at the smallest DCT scale whose longer side is at least this:
#: the face detector works at 960 px anyway (see DetectorConfig.detect_max_side), and
#: crops of faces that large are shrunk to 224 px.
DECODE_MAX_SIDE = 1280


def face_reasons(result: FaceImageResult, thresholds: VerdictThresholds) -> list[str]:
    """Sentences naming the faces behind the verdict ("face 2 of 3 likely manipulated")."""
    if result.image_score is None:
        return []
    n = len(result.faces)
    flagged = [(i, f) for i, f in enumerate(result.faces) if f.score >= thresholds.fake_at]
    if not flagged:
        word = "no manipulated face found" if result.image_score < thresholds.real_below else "inconclusive"
        return [f"{n} face(s), highest score {result.image_score:.2f}: {word}"]
    return [
        f"face {i + 1} of {n} at ({f.box.x0:.0f}, {f.box.y0:.0f}) likely manipulated (score {f.score:.2f})"
        for i, f in sorted(flagged, key=lambda item: -item[1].score)
    ]


def score_image(
    src: MediaSource,
    sniffed: Sniffed,
    detector: FaceForgeryDetector,
    limits: IntakeLimits | None = None,
    thresholds: VerdictThresholds | None = None,
    heatmaps: bool = False,
    provenance_config: ProvenanceConfig | None = None,
    watchlist: WatchlistSnapshot | None = None,
) -> Report:
    """Score an image file and build its report (no face is a result with a warning, not an error).

    ``provenance_config`` sets the C2PA trust anchors and metadata limits (default: from the environment).
    ``watchlist``: match each face against it (nothing is embedded when no face is enrolled).
    """
    limits = limits or IntakeLimits()
    thresholds = thresholds or VerdictThresholds()
    t0 = time.perf_counter()
    info = probe_image(src, sniffed, limits, verify=False)
    decoded = load_image(src, limits, sniffed=sniffed, max_side=DECODE_MAX_SIDE)
    t1 = time.perf_counter()
    # The watermark reader needs the stored pixel grid: pass the decoded image when it was not shrunk,
    # otherwise the reader decodes the file at full size. An EXIF-rotated image is passed as decoded
    # (turned upright, its grid no longer the stored one): a second decode would not undo the turn.
    full_size = sorted(decoded.pixels.shape[:2]) == sorted(decoded.original_size)
    provenance = read_provenance(
        src, sniffed, pixels=decoded.pixels if full_size else None, config=provenance_config, limits=limits
    )
    result = detector.score_pixels(decoded.pixels, heatmaps=heatmaps)
    # Boxes are reported in the stored image's pixels, also when it was decoded smaller.
    scale = info.width / decoded.width if info.width else 1.0
    faces = result.faces
    if scale != 1.0:
        faces = [
            replace(f, box=Box(*(round(v * scale, 1) for v in (f.box.x0, f.box.y0, f.box.x1, f.box.y1)))) for f in faces
        ]
    seconds = dict(result.seconds)
    if watchlist is not None and watchlist.checks_faces and result.detections:
        t2 = time.perf_counter()
        faces = with_face_identities(faces, match_faces(watchlist, decoded.pixels, result.detections))
        seconds["identity_faces"] = time.perf_counter() - t2
    warnings = [ReportWarning("decode", w) for w in decoded.warnings] + list(result.warnings)
    return build_report(
        src,
        info,
        thresholds,
        score=result.image_score,
        face_score=result.image_score,
        reasons=face_reasons(result, thresholds),
        faces=faces,
        models=[detector.model_info],
        timings={"decode": t1 - t0, "provenance": provenance.seconds, **seconds},
        warnings=warnings,
        provenance=provenance,
        watchlist=watchlist_check(watchlist),
    )
