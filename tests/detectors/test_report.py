"""The report type: round trips, schema validity, and the committed schema staying in step."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from fakeguard.detectors.intake.info import MediaInfo, StreamInfo
from fakeguard.detectors.intake.sniff import MediaKind
from fakeguard.detectors.provenance import Indication, Provenance, ProvenanceSignal, TrustLevel
from fakeguard.detectors.report import (
    SCHEMA_VERSION,
    Alert,
    Box,
    FaceResult,
    FaceTrack,
    IdentityMatch,
    ModelInfo,
    Report,
    ReportWarning,
    SpeechSegment,
    StageTiming,
    TimelineEntry,
    TrackPoint,
    Verdict,
    VerdictThresholds,
    WatchlistCheck,
    json_schema,
)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "report.schema.json"


def _full_report() -> Report:
    media = MediaInfo(
        file="clip.mp4",
        kind=MediaKind.VIDEO,
        format="mp4",
        mime="video/mp4",
        size_bytes=1234,
        sha256="ab" * 32,
        width=1280,
        height=720,
        duration_s=3.0,
        frame_rate=25.0,
        sample_rate=44100,
        channels=2,
        streams=(
            StreamInfo(index=0, type="video", codec="h264", width=1280, height=720, frame_rate=25.0),
            StreamInfo(index=1, type="audio", codec="aac", sample_rate=44100, channels=2),
        ),
    )
    box = Box(10, 20, 110, 140)
    return Report(
        file="clip.mp4",
        sha256="ab" * 32,
        kind=MediaKind.VIDEO,
        verdict=Verdict.FAKE,
        score=0.91,
        reasons=["voice segment 1-3 s likely synthetic"],
        media=media,
        faces=[FaceResult(box=box, score=0.2, detection_confidence=0.99, time_s=0.5, track_id=0)],
        face_tracks=[
            FaceTrack(
                track_id=0,
                start_s=0.5,
                end_s=2.5,
                score=0.2,
                points=[TrackPoint(time_s=0.5, box=box, score=0.2)],
                identity=IdentityMatch("Ann", 0.96, 0.94, "face"),
            )
        ],
        speech_segments=[
            SpeechSegment(0.0, 1.0, speech=False),
            SpeechSegment(1.0, 3.0, speech=True, score=0.95, identity=IdentityMatch("Ann", 0.85, 0.796, "voice")),
        ],
        timeline=[TimelineEntry(0.0, 1.0, face_score=0.2), TimelineEntry(1.0, 2.0, face_score=0.2, voice_score=0.95)],
        models=[ModelInfo(name="voice_x.v1", task="voice", version="1", weights_sha256="cd" * 32)],
        timings=[StageTiming("decode", 0.1), StageTiming("classify", 0.2)],
        warnings=[ReportWarning("low_resolution", "faces under 64 px")],
        provenance=Provenance(
            signals=[
                ProvenanceSignal(
                    "c2pa_action",
                    "c2pa.created: trainedAlgorithmicMedia",
                    "C2PA active manifest",
                    TrustLevel.SIGNED_UNTRUSTED,
                    Indication.AI_GENERATED,
                    "signed by test signer",
                )
            ],
            checked=["c2pa", "xmp"],
            summary="c2pa.created: trainedAlgorithmicMedia (c2pa_action, signed, untrusted signer) in C2PA manifest",
        ),
        alerts=[
            Alert(
                "impersonation",
                "impersonation: voice matches Ann, segments 1-3 s likely synthetic (score 0.95, similarity 0.85)",
                "Ann",
                "voice",
                0.85,
                0.95,
                start_s=1.0,
                end_s=3.0,
            )
        ],
        watchlist=WatchlistCheck(people=1, with_face=1, with_voice=1),
        fakeguard_version="0.1.0",
    )


def test_round_trip_through_json_keeps_every_field():
    report = _full_report()
    text = report.to_json()
    again = Report.from_dict(json.loads(text))
    assert again == report
    assert again.faces[0].box.x1 == 110
    assert again.kind is MediaKind.VIDEO and again.verdict is Verdict.FAKE


def test_report_validates_against_its_schema():
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(_full_report().to_dict(), schema)
    minimal = Report(file="a.jpg", sha256="00" * 32, kind=MediaKind.IMAGE, verdict=Verdict.UNCERTAIN, score=None)
    jsonschema.validate(minimal.to_dict(), schema)


def test_schema_rejects_a_wrong_verdict():
    bad = _full_report().to_dict()
    bad["verdict"] = "probably"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, json_schema())
    with pytest.raises(ValueError):
        Report.from_dict(bad)


def test_committed_schema_matches_the_code():
    committed = json.loads(SCHEMA_PATH.read_text())
    assert committed == json.loads(json.dumps(json_schema(), sort_keys=True)), (
        "docs/report.schema.json is stale: run `python -m fakeguard.detectors.report > docs/report.schema.json`"
    )
    assert SCHEMA_VERSION in committed["$id"]


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (None, Verdict.UNCERTAIN),
        (0.0, Verdict.REAL),
        (0.29, Verdict.REAL),
        (0.3, Verdict.UNCERTAIN),
        (0.69, Verdict.UNCERTAIN),
        (0.7, Verdict.FAKE),
        (1.0, Verdict.FAKE),
    ],
)
def test_verdict_thresholds(score, expected):
    assert VerdictThresholds().verdict(score) is expected


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError):
        VerdictThresholds(real_below=0.8, fake_at=0.2)
