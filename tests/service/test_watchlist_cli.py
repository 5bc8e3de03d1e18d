"""``fakeguard watchlist``: enrol, list, remove, export and import, with the CLI's exit codes.

Enrolment runs on drawn faces, which dlib detects; the descriptor's numbers
mean nothing on a drawing, so these tests check only what is stored and refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from fakeguard.datasets.demo import cartoon_face
from fakeguard.service.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.fromarray(cartoon_face(300, seed=1)).save(folder / "front.png")
    Image.fromarray(cartoon_face(340, seed=2)).save(folder / "second.jpg")
    return folder


def people(db: Path) -> list[dict]:
    result = run("watchlist", "list", "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["people"]


def test_help_lists_the_watchlist_commands():
    result = run("watchlist", "--help")
    assert result.exit_code == 0
    for name in ("add", "list", "remove", "export", "import"):
        assert name in result.output
    assert "watchlist" in run("--help").output


def test_a_face_less_photo_is_named_and_nothing_is_enrolled(tmp_path, photos):
    Image.fromarray(np.full((240, 320, 3), 110, np.uint8)).save(photos / "wall.png")
    db = tmp_path / "results.sqlite"
    result = run("watchlist", "add", "Ann", "--photos", str(photos), "--db", str(db))
    assert result.exit_code == 1
    assert "wall.png" in result.stderr and "no face" in result.stderr
    assert people(db) == []
    as_json = run("watchlist", "add", "Ann", "--photos", str(photos), "--db", str(db), "--json")
    assert as_json.exit_code == 1
    body = json.loads(as_json.stdout)
    assert body["ok"] is False and [Path(p["file"]).name for p in body["problems"]] == ["wall.png"]


def test_add_list_remove(tmp_path, photos):
    db = tmp_path / "results.sqlite"
    result = run("watchlist", "add", "Ann Example", "--photos", str(photos), "--db", str(db), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["person"] == {**json.loads(result.stdout)["person"], "faces": 2, "voices": 0}
    table = run("watchlist", "list", "--db", str(db))
    assert table.exit_code == 0 and "Ann Example" in table.stdout
    assert [p["name"] for p in people(db)] == ["Ann Example"]

    again = run("watchlist", "add", "Ann Example", "--photos", str(photos), "--db", str(db))
    assert again.exit_code == 1 and "already on the watchlist" in again.stderr
    replaced = run("watchlist", "add", "Ann Example", "--photos", str(photos), "--db", str(db), "--replace")
    assert replaced.exit_code == 0

    removed = run("watchlist", "remove", "Ann Example", "--db", str(db), "--json")
    assert removed.exit_code == 0 and json.loads(removed.stdout)["embeddings_deleted"] == 2
    assert people(db) == []
    missing = run("watchlist", "remove", "Ann Example", "--db", str(db))
    assert missing.exit_code == 1 and "not on the watchlist" in missing.stderr


def test_usage_errors_exit_2(tmp_path, photos):
    assert run("watchlist", "add", "Ann", "--db", str(tmp_path / "r.sqlite")).exit_code == 2
    assert run("watchlist", "add", "Ann", "--photos", str(tmp_path / "nowhere")).exit_code == 2
    assert run("watchlist", "import", str(tmp_path / "nothing.json")).exit_code == 2


def test_export_import_round_trip(tmp_path, photos):
    first, second, exported = tmp_path / "a.sqlite", tmp_path / "b.sqlite", tmp_path / "watchlist.json"
    assert run("watchlist", "add", "Ann", "--photos", str(photos), "--db", str(first)).exit_code == 0
    result = run("watchlist", "export", str(exported), "--db", str(first))
    assert result.exit_code == 0 and "exported 1 people" in result.stdout
    data = json.loads(exported.read_text())
    assert data["format"] == "fakeguard.watchlist" and data["people"][0]["name"] == "Ann"

    imported = run("watchlist", "import", str(exported), "--db", str(second), "--json")
    assert imported.exit_code == 0, imported.output
    assert people(second) == people(first)
    twice = run("watchlist", "import", str(exported), "--db", str(second))
    assert twice.exit_code == 1 and "already on the watchlist" in twice.stderr
    assert run("watchlist", "import", str(exported), "--db", str(second), "--replace").exit_code == 0


def test_a_malformed_import_changes_nothing(tmp_path, photos):
    db, exported = tmp_path / "results.sqlite", tmp_path / "watchlist.json"
    assert run("watchlist", "add", "Ann", "--photos", str(photos), "--db", str(db)).exit_code == 0
    assert run("watchlist", "export", str(exported), "--db", str(db)).exit_code == 0
    data = json.loads(exported.read_text())
    data["people"][0]["name"] = "Bob"
    data["people"].append({"name": "Cat", "embeddings": [{"kind": "face", "model": "facenet", "vector": ""}]})
    exported.write_text(json.dumps(data))
    result = run("watchlist", "import", str(exported), "--db", str(db))
    assert result.exit_code == 1 and "unknown face model" in result.stderr
    assert [p["name"] for p in people(db)] == ["Ann"]
    (tmp_path / "text.json").write_text("not json")
    assert run("watchlist", "import", str(tmp_path / "text.json"), "--db", str(db)).exit_code == 1


# --------------------------------------------------------------------------- matches in scores (part 2)


def test_score_with_a_watchlist_reports_the_match(tmp_path, photos):
    from model_factory import random_face_weights

    db = tmp_path / "results.sqlite"
    assert run("watchlist", "add", "Ann", "--photos", str(photos), "--db", str(db)).exit_code == 0
    weights = random_face_weights(tmp_path / "face")
    result = run("score", "--json", "--face-model", str(weights), "--watchlist", str(db), str(photos / "front.png"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["faces"][0]["identity"]["person"] == "Ann" and report["watchlist"]["people"] == 1
    missing = run("score", "--watchlist", str(tmp_path / "typo.sqlite"), str(photos / "front.png"))
    assert missing.exit_code == 2  # a watchlist that does not exist is a usage error, not an empty list


def _report_with_an_alert() -> dict:
    message = "impersonation: voice matches Ann, segments 2-8 s likely synthetic (score 0.93, similarity 0.85)"
    identity = {"person": "Ann", "similarity": 0.85, "threshold": 0.796, "kind": "voice"}
    return {
        "kind": "audio",
        "verdict": "fake",
        "score": 0.9,
        "reasons": [message, "voice segment 2-8 s likely synthetic (score 0.93)"],
        "alerts": [{"code": "impersonation", "message": message, "person": "Ann", "kind": "voice"}],
        "watchlist": {"people": 3, "with_face": 2, "with_voice": 3},
        "faces": [],
        "face_tracks": [],
        "speech_segments": [
            {"start_s": 0.0, "end_s": 4.0, "speech": True, "score": 0.2, "identity": None},
            {"start_s": 2.0, "end_s": 6.0, "speech": True, "score": 0.9, "identity": identity},
            {"start_s": 4.0, "end_s": 8.0, "speech": True, "score": 0.93, "identity": identity},
        ],
        "warnings": [],
        "timings": [{"stage": "decode", "seconds": 0.1}],
    }


def test_the_cli_shows_alerts_first_in_red_and_the_matches():
    from fakeguard.service.cli.render import identity_cell
    from fakeguard.service.cli.score_cmd import _human_row

    report = _report_with_an_alert()
    details = _human_row(report)[-1]
    assert details.startswith("[bold red]impersonation: voice matches Ann")
    assert details.count("voice matches Ann, segments") == 1  # not repeated among the reasons
    assert "watchlist: voice matches Ann in 2 window(s), 2-8 s (0.85)" in details
    assert identity_cell({**report, "speech_segments": []}) == "watchlist: no match among 3 people"
    assert identity_cell({**report, "watchlist": None}) == ""


def test_the_scan_html_report_marks_alerts_in_the_evidence():
    from fakeguard.service.scan.html_report import _suspect

    suspect = _suspect(1, {"path": "call.wav", "kind": "audio", "report": _report_with_an_alert()})
    assert suspect.alerts == (_report_with_an_alert()["alerts"][0]["message"],)
    assert suspect.reasons == ["voice segment 2-8 s likely synthetic (score 0.93)"]
