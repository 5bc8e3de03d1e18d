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
