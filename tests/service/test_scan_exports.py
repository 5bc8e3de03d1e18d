"""Scan exports beyond CSV and JSON Lines: typed Parquet and the offline HTML report.

The store is filled directly with hand-made reports (no model runs); the images and the clip the
previews read are generated, tiny files.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib
import io
import json
import math
import os
import sqlite3
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import media_factory
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from fakeguard.detectors.report import VerdictThresholds
from fakeguard.service.scan.export import EXPORT_SUFFIXES, export
from fakeguard.service.scan.html_report import write_html_report
from fakeguard.service.scan.store import EXPORT_COLUMNS, ResultStore, ScanResult

KEY = "face_test@0123;voice_test@4567"
EVIL_DIR = "<script>alert(1)<"  # with the file "script>.jpg" below, the path holds "<script>alert(1)</script>"


def _report(kind: str, score: float | None, **fields) -> dict:
    face = fields.pop("face_score", score if kind != "audio" else None)
    voice = fields.pop("voice_score", score if kind == "audio" else None)
    return {
        "file": fields.pop("file", "x"),
        "sha256": "0" * 64,
        "kind": kind,
        "verdict": VerdictThresholds().verdict(score).value,
        "score": score,
        "face_score": face,
        "voice_score": voice,
        "reasons": fields.pop("reasons", []),
        "faces": fields.pop("faces", []),
        "face_tracks": fields.pop("face_tracks", []),
        "speech_segments": [],
        "timeline": fields.pop("timeline", []),
        "warnings": fields.pop("warnings", []),
        "thresholds": {"real_below": 0.3, "fake_at": 0.7},
        **fields,
    }


def _box(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"x0": x0, "y0": y0, "x1": x1, "y1": y1}


def _record(store: ResultStore, path: Path, report: dict | None = None, error: dict | None = None) -> None:
    """Store a result for ``path``; a path that does not exist gets made-up size and time."""
    st = os.stat(path) if path.exists() else None
    size, mtime = (st.st_size, st.st_mtime_ns) if st else (1234, 1)
    sha = hashlib.sha256(str(path).encode()).hexdigest()
    store.record(ScanResult(str(path), sha, size, mtime, report=report, error=error), KEY)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> dict:
    """A database of ten results: images (one gone, one with a hostile name), a clip, audio, errors."""
    root = tmp_path_factory.mktemp("media")
    paths = {
        "fake": root / "grey.png",
        "evil": root / EVIL_DIR / "script>.jpg",
        "clip": root / "clip.mp4",
        "voice": root / "voice.wav",
        "gone": root / "gone.jpg",
        "odd": root / 'a&b "q".png',
        "real": root / "real.jpg",
        "noface": root / "noface.jpg",
        "broken": root / "broken.jpg",
        "notes": root / "notes.txt",
    }
    paths["evil"].parent.mkdir()
    Image.new("RGB", (480, 240), (128, 128, 128)).save(paths["fake"])
    for key, seed in (("evil", 1), ("gone", 2), ("odd", 3), ("real", 4), ("noface", 5)):
        Image.fromarray(media_factory.cartoon_face(160, seed=seed)).save(paths[key])
    media_factory.write_video(root, "mp4", name="clip.mp4", seconds=1.0, fps=4)
    timeline = [
        {"start_s": float(t), "end_s": t + 1.0, "face_score": None, "voice_score": 0.6 + t / 10} for t in range(3)
    ]
    reports = {
        "fake": _report(
            "image",
            0.95,
            faces=[{"box": _box(40, 40, 160, 160), "score": 0.95}],
            reasons=["face 1 looks blended (0.95)"],
        ),
        "evil": _report("image", 0.9, faces=[{"box": _box(40, 40, 120, 120), "score": 0.9}], reasons=["<b>bold</b>"]),
        "clip": _report(
            "video",
            0.85,
            face_tracks=[
                {
                    "track_id": 0,
                    "start_s": 0.0,
                    "end_s": 0.75,
                    "score": 0.85,
                    "points": [
                        {"time_s": 0.0, "box": _box(10, 10, 50, 50), "score": 0.4},
                        {"time_s": 0.5, "box": _box(20, 10, 60, 50), "score": 0.85},
                    ],
                }
            ],
            timeline=[{"start_s": 0.0, "end_s": 1.0, "face_score": 0.85, "voice_score": None}],
        ),
        "voice": _report("audio", 0.8, timeline=timeline, reasons=["the voice sounds synthetic"]),
        "gone": _report("image", 0.75, faces=[{"box": _box(10, 10, 90, 90), "score": 0.75}]),
        "odd": _report("image", 0.5, faces=[{"box": "not a box", "score": 0.5}]),  # a malformed report
        "real": _report("image", 0.1, faces=[{"box": _box(40, 40, 120, 120), "score": 0.1}]),
        "noface": _report("image", None, warnings=[{"code": "no_face", "message": "no face found"}]),
    }
    errors = {
        "broken": {"file": "broken.jpg", "error": "corrupt", "type": "CorruptMedia", "reason": "truncated <JPEG>"},
        "notes": {"file": "notes.txt", "error": "unsupported", "type": "UnsupportedMedia", "reason": "not media"},
    }
    db = root / "results.sqlite"
    with ResultStore(db) as store:
        for key, report in reports.items():
            _record(store, paths[key], report=report)
        for key, error in errors.items():
            _record(store, paths[key], error=error)
    paths["gone"].unlink()  # deleted after the scan
    return {"db": db, "paths": paths, "reports": reports}


# --------------------------------------------------------------------------- Parquet


def test_parquet_round_trip_keeps_rows_and_types(scanned, tmp_path, monkeypatch):
    # The module, not the package's ``export`` function of the same name.
    monkeypatch.setattr(
        importlib.import_module("fakeguard.service.scan.export"), "PARQUET_BATCH_ROWS", 3
    )  # several row groups from ten rows
    target = tmp_path / "out.parquet"
    with ResultStore(scanned["db"]) as store:
        n = export(store, KEY, target)
        expected = list(store.rows(KEY))
    assert n == len(expected) == 10
    assert pq.ParquetFile(target).metadata.num_row_groups == math.ceil(n / 3)

    table = pq.read_table(target)
    assert table.column_names == [*EXPORT_COLUMNS, "report_json"]
    schema = table.schema
    assert schema.field("size").type == pa.int64() and schema.field("mtime_ns").type == pa.int64()
    assert all(schema.field(c).type == pa.float64() for c in ("score", "face_score", "voice_score"))
    assert schema.field("scanned_at").type == pa.timestamp("ms", tz="UTC")
    assert schema.field("path").type == pa.string() and schema.field("report_json").type == pa.string()

    for got, want in zip(table.to_pylist(), expected):
        for name in EXPORT_COLUMNS:
            if name == "scanned_at":
                assert got[name] == datetime.fromisoformat(want[name])
            else:
                assert got[name] == want[name], name
        assert json.loads(got["report_json"]) == want["report"]
    scores = {Path(r["path"]).name: r["score"] for r in table.to_pylist()}
    assert scores["noface.jpg"] is None and scores["broken.jpg"] is None and scores["grey.png"] == 0.95


def test_parquet_of_an_empty_scan_has_the_schema(tmp_path):
    with ResultStore(tmp_path / "empty.sqlite") as store:
        assert export(store, KEY, tmp_path / "empty.parquet") == 0
    table = pq.read_table(tmp_path / "empty.parquet")
    assert table.num_rows == 0 and table.column_names == [*EXPORT_COLUMNS, "report_json"]


def test_unknown_suffix_raises_naming_the_file(scanned, tmp_path):
    assert EXPORT_SUFFIXES == (".csv", ".jsonl", ".parquet", ".html")
    with ResultStore(scanned["db"]) as store, pytest.raises(ValueError, match=r"results\.xlsx.*\.parquet"):
        export(store, KEY, tmp_path / "results.xlsx")
    assert not (tmp_path / "results.xlsx").exists()


# --------------------------------------------------------------------------- HTML


class _Page(HTMLParser):
    """The page's tables as lists of cell texts (unescaped, one space between elements), and image sources."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self.refs: list[str] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.refs += [v for k, v in attrs.items() if k in ("src", "href") and v]
        if tag == "table" and attrs.get("id"):
            self._table = attrs["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "img":
            self.images.append(attrs["src"])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def page(scanned, tmp_path_factory) -> tuple[str, _Page, int]:
    target = tmp_path_factory.mktemp("report") / "report.HTML"  # the suffix is matched in any case
    with ResultStore(scanned["db"]) as store:
        n = export(store, KEY, target)
    html = target.read_text(encoding="utf-8")
    return html, _Page(html), n


def _counts(table: list[list[str]]) -> dict[str, int]:
    return {name: int(n) for name, n in table}


def test_html_report_counts(page):
    html, parsed, n = page
    assert n == 10
    assert 'id="files-count">10<' in html
    assert _counts(parsed.tables["by-kind"]) == {"image": 6, "video": 1, "audio": 1}
    assert _counts(parsed.tables["by-verdict"]) == {"fake": 5, "uncertain": 2, "real": 1, "error": 2}
    assert _counts(parsed.tables["errors-by-code"]) == {"corrupt": 1, "unsupported": 1}
    assert "1 read with nothing to score" in html
    assert html.count("<svg") == 4 + 2  # histograms (all files and each kind), two timelines
    captions = ["all files (7 scored)", "image (5 scored)", "video (1 scored)", "audio (1 scored)"]
    assert sorted(captions, key=html.index) == captions


def test_html_report_lists_top_suspects_by_score_with_previews(page, scanned):
    _, parsed, _ = page
    rows = parsed.tables["suspects"][1:]
    paths = scanned["paths"]
    order = ["fake", "evil", "clip", "voice", "gone", "odd", "real"]  # by score, unscored files left out
    assert [row[2].rsplit(" ", 1)[0] for row in rows] == [str(paths[k]) for k in order]
    notes = {key: row[1] for key, row in zip(order, rows)}
    assert "frame at 0.5 s" in notes["clip"]
    assert "audio" in notes["voice"]
    assert notes["gone"] == "no preview: the file is no longer there"  # listed all the same
    assert notes["odd"] == "no preview"  # a box that is not a box: no picture, no crash

    assert len(parsed.images) == 4  # fake, evil, clip, real
    assert all(src.startswith("data:image/jpeg;base64,") for src in parsed.images)
    grey = np.asarray(Image.open(io.BytesIO(base64.b64decode(parsed.images[0].split(",", 1)[1]))))
    assert grey.shape == (120, 240, 3)  # 480x240 shrunk to 240 px; the box (40..160) becomes 20..80
    r, g, b = (int(v) for v in grey[20, 50])
    assert r > 200 and g < 130 and b < 130  # red edge of a face scored fake
    assert abs(int(grey[50, 50, 0]) - 128) < 12  # inside the box: the picture itself


def test_html_report_is_self_contained(page):
    html, parsed, _ = page
    assert "http://" not in html and "https://" not in html
    assert all(ref.startswith("data:") for ref in parsed.refs)
    assert "<script" not in html.lower() and "<link" not in html.lower()


def test_html_report_escapes_names_and_reasons(page, scanned):
    html, parsed, _ = page
    evil = str(scanned["paths"]["evil"])
    assert "<script>alert(1)</script>" in evil
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert any(evil in cell for row in parsed.tables["suspects"] for cell in row)  # shown as text
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold" not in html
    assert "a&amp;b &#34;q&#34;.png" in html


def test_html_report_lists_errors(page, scanned):
    _, parsed, _ = page
    paths = scanned["paths"]
    assert parsed.tables["errors"][1:] == [
        [str(paths["broken"]), "corrupt", "truncated <JPEG>"],
        [str(paths["notes"]), "unsupported", "not media"],
    ]


def test_html_report_limits(scanned, tmp_path):
    target = tmp_path / "small.html"
    with ResultStore(scanned["db"]) as store:
        assert write_html_report(store, KEY, target, top=2, max_errors=1) == 10
    html = target.read_text(encoding="utf-8")
    parsed = _Page(html)
    assert len(parsed.tables["suspects"]) == 1 + 2 and len(parsed.tables["errors"]) == 1 + 1
    assert "Top 2 suspects" in html and "The first 1 by path" in html


def test_html_report_of_an_empty_scan(tmp_path):
    with ResultStore(tmp_path / "empty.sqlite") as store:
        assert write_html_report(store, KEY, tmp_path / "empty.html") == 0
    html = (tmp_path / "empty.html").read_text(encoding="utf-8")
    assert 'id="files-count">0<' in html and "No file has a score." in html and "Every file was read." in html


def test_provenance_summary_is_a_column_of_every_export(tmp_path):
    """Issue 10: the strongest provenance signal travels into CSV, Parquet and the HTML report."""
    summary = "C2PA: created by DALL-E (signed, untrusted signer)"
    report = {"kind": "image", "verdict": "uncertain", "score": 0.5, "provenance": {"summary": summary, "signals": []}}
    db = tmp_path / "p.sqlite"
    with ResultStore(db) as store:
        store.record(ScanResult(str(tmp_path / "x.jpg"), "a" * 64, 10, 1, report=report), "k")
        store.record(ScanResult(str(tmp_path / "y.jpg"), "b" * 64, 10, 1, report={"kind": "image"}), "k")
        for suffix in (".csv", ".parquet", ".html"):
            export(store, "k", tmp_path / f"out{suffix}")
    with open(tmp_path / "out.csv", newline="") as f:
        assert [r["provenance"] for r in csv.DictReader(f)] == [summary, ""]
    assert pq.read_table(tmp_path / "out.parquet").column("provenance").to_pylist() == [summary, None]
    assert "provenance: C2PA: created by DALL-E" in (tmp_path / "out.html").read_text()


def test_an_older_database_gains_the_provenance_column_and_keeps_its_rows(tmp_path):
    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as conn:  # the table as the first release wrote it
        conn.executescript(
            "CREATE TABLE results (sha256 TEXT NOT NULL, models_key TEXT NOT NULL, path TEXT NOT NULL, "
            "size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, kind TEXT, verdict TEXT, score REAL, face_score REAL, "
            "voice_score REAL, error_code TEXT, error_reason TEXT, report_json TEXT, scanned_at TEXT NOT NULL, "
            "PRIMARY KEY (sha256, models_key));"
            "CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, "
            "sha256 TEXT NOT NULL);"
            "INSERT INTO results VALUES ('s', 'k', '/a.jpg', 1, 1, 'image', 'real', 0.1, 0.1, NULL, NULL, NULL, "
            "'{}', '2026-01-01T00:00:00+00:00');"
            "INSERT INTO files VALUES ('/a.jpg', 1, 1, 's');"
        )
    with ResultStore(db) as store:
        rows = list(store.rows("k"))
    assert len(rows) == 1 and rows[0]["provenance"] is None and rows[0]["verdict"] == "real"
