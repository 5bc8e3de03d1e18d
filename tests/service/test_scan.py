"""``fakeguard scan``: listing, resumable SQLite results, exports (untrained small face model: mechanics only)."""

from __future__ import annotations

import csv
import json
import os
import sqlite3

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from scan_tree import MEDIA

from fakeguard.detectors.api import Detector
from fakeguard.service.cli import cli
from fakeguard.service.scan import ResultStore, export, models_key, scan, walk

pytest.importorskip("dlib")


def _scan(tree, db, detector, **kw):
    with ResultStore(db) as store:
        return scan([str(tree)], store, detector, exclude=["*.tmp"], **kw)


def _rows(db, key: str) -> dict[str, dict]:
    with ResultStore(db) as store:
        return {os.path.basename(r["path"]): r for r in store.rows(key)}


def test_walk_is_sorted_filtered_and_loop_safe(tree):
    listing = walk([tree], exclude=["*.tmp"])
    rels = [e.rel for e in listing.files]
    assert set(rels) == MEDIA and rels == sorted(rels)
    assert walk([tree], exclude=["*.tmp"]).files == listing.files  # deterministic
    assert "skip.tmp" in {e.rel for e in walk([tree]).files}
    assert [e.rel for e in walk([tree], include=["sub/*"]).files] == ["sub/c.jpg", "sub/deeper/tone2.wav"]
    assert [e.rel for e in walk([tree], include=["*.wav"], exclude=["sub/*"]).files] == ["tone.wav"]


def test_walk_records_unreadable_folders_and_files(tree, monkeypatch):
    """Permissions are simulated (the tests may run as root, who reads everything)."""
    real_scandir, real_access = os.scandir, os.access

    def scandir(path):
        if os.path.basename(path) == "deeper":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "access", lambda p, mode: os.path.basename(p) != "a.jpg" and real_access(p, mode))
    listing = walk([tree])
    failed = {os.path.basename(e.path) for e in listing.errors}
    assert failed == {"deeper", "a.jpg"} and "sub/c.jpg" in {e.rel for e in listing.files}


def test_rescan_skips_changes_rescore_and_models_key_rescans_all(tree, tmp_path, detector, face_weights):
    db = tmp_path / "r.sqlite"
    first = _scan(tree, db, detector)
    assert (first.seen, first.scored, first.skipped) == (8, 8, 0)
    assert first.failed == 2  # broken.jpg and notes.txt: stored with their error
    rows = _rows(db, models_key(detector))
    assert set(rows) == {os.path.basename(m) for m in MEDIA}
    assert rows["broken.jpg"]["error_code"] == "corrupt" and rows["broken.jpg"]["verdict"] == "error"
    assert rows["notes.txt"]["error_code"] == "unsupported"
    assert rows["a.jpg"]["kind"] == "image" and 0 <= rows["a.jpg"]["score"] <= 1
    assert rows["tone.wav"]["kind"] == "audio" and rows["clip.mp4"]["kind"] == "video"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    again = _scan(tree, db, detector)
    assert (again.skipped, again.scored, again.reused) == (8, 0, 0)

    cv2.imwrite(str(tree / "a.jpg"), np.full((80, 80, 3), 90, np.uint8))  # new content
    os.utime(tree / "tone.wav", ns=(1, 1))  # touched: same bytes, new mtime
    changed = _scan(tree, db, detector)
    assert (changed.skipped, changed.scored, changed.reused) == (6, 1, 1)
    assert _rows(db, models_key(detector))["a.jpg"]["score"] is None  # no face in the new content

    other = Detector.load(face_model=str(face_weights[1]))
    assert models_key(other) != models_key(detector)
    rescanned = _scan(tree, db, other)
    assert (rescanned.skipped, rescanned.scored) == (0, 8)


def test_an_interrupted_scan_keeps_finished_rows_and_resumes(tree, tmp_path, detector, monkeypatch):
    db = tmp_path / "r.sqlite"
    real_score, calls = Detector.score, []

    def score_then_interrupt(self, source, *args, **kwargs):
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C while the 4th file is being scored
        calls.append(source)
        return real_score(self, source, *args, **kwargs)

    monkeypatch.setattr(Detector, "score", score_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        _scan(tree, db, detector)
    monkeypatch.undo()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM results").fetchone()[0] == 3
    resumed = _scan(tree, db, detector)
    assert (resumed.skipped, resumed.scored) == (3, 5)


def test_exports_have_one_row_per_file(tree, tmp_path, detector):
    db = tmp_path / "r.sqlite"
    _scan(tree, db, detector)
    with ResultStore(db) as store:
        key = models_key(detector)
        assert export(store, key, tmp_path / "out.csv") == 8
        assert export(store, key, tmp_path / "out.jsonl") == 8
        assert export(store, "other-models", tmp_path / "none.csv") == 0
    with open(tmp_path / "out.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {os.path.relpath(r["path"], tree) for r in rows} == MEDIA
    assert "report" not in rows[0] and "report_json" not in rows[0]
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    by_name = {os.path.basename(r["path"]): r for r in lines}
    assert by_name["a.jpg"]["report"]["kind"] == "image" and by_name["a.jpg"]["report"]["faces"]
    assert by_name["broken.jpg"]["report"]["error"] == "corrupt"


def test_cli_scan_summary_exit_code_and_export(tree, tmp_path, face_weights):
    db, out = tmp_path / "cli.sqlite", tmp_path / "cli.jsonl"
    args = ["scan", str(tree), "--db", str(db), "--face-model", str(face_weights[0]), "--include", "sub/*"]
    result = CliRunner().invoke(cli, [*args, "--export", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["seen"], summary["scored"], summary["failed"]) == (2, 2, 0)
    assert summary["exported"] == {str(out): 2}
    result = CliRunner().invoke(cli, ["scan", str(tree), "--db", str(db), "--face-model", str(face_weights[0])])
    assert result.exit_code == 1  # broken.jpg, notes.txt (stored with errors) and skip.tmp (not excluded here)
    assert "skipped 2" in result.stdout


def test_cli_scan_writes_every_export_format_and_refuses_unknown_ones(tree, tmp_path, face_weights):
    db = tmp_path / "x.sqlite"
    args = ["scan", str(tree), "--db", str(db), "--face-model", str(face_weights[0]), "--include", "*.wav"]
    targets = [tmp_path / f"out{suffix}" for suffix in (".csv", ".jsonl", ".parquet", ".html")]
    exports = [flag for target in targets for flag in ("--export", str(target))]
    result = CliRunner().invoke(cli, [*args, "--workers", "0", *exports, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["exported"] == {str(t): 2 for t in targets}
    assert all(t.stat().st_size > 0 for t in targets)

    refused = CliRunner().invoke(cli, [*args, "--export", str(tmp_path / "out.xlsx")])
    assert refused.exit_code == 2 and "out.xlsx" in refused.output and ".parquet" in refused.output
    refused = CliRunner().invoke(cli, [*args, "--ray-address", "auto"])
    assert refused.exit_code == 2 and "--engine ray" in refused.output
