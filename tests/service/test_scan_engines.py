"""The scan engines: worker processes, crash isolation, kill -9 and resume, fsspec URLs, Ray.

Every engine must store the same rows as the in-process loop for the same tree and models.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import cv2
import psutil
import pytest
import scan_crash
from scan_tree import MEDIA

from fakeguard.service.scan import ResultStore, models_key, scan
from fakeguard.service.scan import local as local_engine

pytest.importorskip("dlib")


def _scan(paths, db, detector, **kw):
    with ResultStore(db) as store:
        return scan(paths, store, detector, exclude=["*.tmp"], **kw)


def _rows(db, key):
    with ResultStore(db) as store:
        return {r["path"]: r for r in store.rows(key)}


def _outcomes(rows, root):
    """What must not depend on the engine: per relative path, the hash, verdict, error and scores."""
    out = {}
    for path, r in rows.items():
        rel = os.path.relpath(path, root) if "://" not in path else path.split("/bucket/", 1)[1]
        out[rel] = (
            r["sha256"],
            r["kind"],
            r["verdict"],
            r["error_code"],
            r["score"],
            r["face_score"],
            r["voice_score"],
        )
    return out


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for rel in a:
        *exact_a, score_a, face_a, voice_a = a[rel]
        *exact_b, score_b, face_b, voice_b = b[rel]
        assert exact_a == exact_b, rel
        for x, y in ((score_a, score_b), (face_a, face_b), (voice_a, voice_b)):
            assert (x is None) == (y is None) and (x is None or x == pytest.approx(y, abs=1e-4)), rel


@pytest.fixture(scope="module")
def reference(tmp_path_factory, detector):
    """The in-process engine's rows for a fresh tree: what every other engine must reproduce."""
    import media_factory
    from scan_tree import make_tree

    root = make_tree(tmp_path_factory.mktemp("ref") / "media", media_factory)
    db = root.parent / "ref.sqlite"
    summary = _scan([str(root)], db, detector, workers=0)
    assert summary.scored == len(MEDIA)
    return _outcomes(_rows(db, models_key(detector)), root)


def test_worker_processes_store_what_the_in_process_loop_stores(tree, tmp_path, detector, reference):
    db = tmp_path / "w.sqlite"
    summary = _scan([str(tree)], db, detector, workers=2)
    assert (summary.seen, summary.scored, summary.internal) == (len(MEDIA), len(MEDIA), 0)
    assert summary.failed == 2  # broken.jpg and notes.txt: stored with their errors
    _assert_same(_outcomes(_rows(db, models_key(detector)), tree), reference)
    again = _scan([str(tree)], db, detector, workers=2)
    assert (again.skipped, again.scored) == (len(MEDIA), 0)


def test_a_file_that_kills_its_worker_is_recorded_as_crashed_and_the_rest_are_scored(
    tree, tmp_path, detector, reference, monkeypatch
):
    monkeypatch.setattr(local_engine, "_score_in_worker", scan_crash.score_or_die)
    db = tmp_path / "c.sqlite"
    errors = []
    summary = _scan([str(tree)], db, detector, workers=2, on_error=errors.append)
    assert (summary.scored, summary.internal) == (len(MEDIA), 0)
    rows = _outcomes(_rows(db, models_key(detector)), tree)
    assert rows[scan_crash.CRASHING_NAME][3] == "crashed"
    assert any(e["error"] == "crashed" and e["file"].endswith(scan_crash.CRASHING_NAME) for e in errors)
    others = {rel: outcome for rel, outcome in reference.items() if rel != scan_crash.CRASHING_NAME}
    _assert_same({rel: outcome for rel, outcome in rows.items() if rel != scan_crash.CRASHING_NAME}, others)


def _children_of(pid):
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def test_kill_minus_9_mid_scan_loses_no_finished_row_and_the_rescan_resumes(tmp_path, factory, face_weights):
    """A real ``kill -9`` of ``fakeguard scan --workers 2``: committed rows survive, the orphaned
    workers exit, and the rescan scores only what was not finished."""
    root = tmp_path / "many"
    root.mkdir()
    for i in range(24):
        cv2.imwrite(str(root / f"f{i:02d}.jpg"), factory.cartoon_face(160, seed=i)[..., ::-1])
    db = tmp_path / "k.sqlite"
    cmd = [str(Path(sys.executable).parent / "fakeguard"), "scan", str(root), "--db", str(db), "--workers", "2"]
    cmd += ["--face-model", str(face_weights[0]), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        if db.exists():
            with sqlite3.connect(db) as conn:
                try:
                    done = conn.execute("SELECT count(*) FROM results").fetchone()[0]
                except sqlite3.OperationalError:  # tables not created yet
                    continue
            if done >= 6:
                break
    assert proc.poll() is None, "the scan finished before it could be killed"
    workers = _children_of(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    gone, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive, f"worker processes outlived the killed scan: {alive}"

    with sqlite3.connect(db) as conn:
        kept = conn.execute("SELECT count(*) FROM results").fetchone()[0]
    assert kept >= done
    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    summary = json.loads(resumed.stdout)
    assert summary["skipped"] == kept and summary["scored"] == 24 - kept


def test_fsspec_urls_are_listed_read_and_skipped_on_rescan(tmp_path, detector, factory):
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    ok, jpg = cv2.imencode(".jpg", factory.cartoon_face(160, seed=5)[..., ::-1])
    assert ok
    fs.pipe("/bucket/scan/face.jpg", jpg.tobytes())
    fs.pipe("/bucket/scan/sub/dup.jpg", jpg.tobytes())  # same bytes under another name: reused
    fs.pipe("/bucket/scan/bad.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    try:
        db = tmp_path / "m.sqlite"
        first = _scan(["memory://bucket/scan"], db, detector)
        assert (first.seen, first.scored, first.reused, first.failed) == (3, 2, 1, 1)
        rows = _rows(db, models_key(detector))
        assert set(rows) == {
            "memory:///bucket/scan/face.jpg",
            "memory:///bucket/scan/sub/dup.jpg",
            "memory:///bucket/scan/bad.png",
        }
        assert rows["memory:///bucket/scan/bad.png"]["error_code"] == "corrupt"
        assert rows["memory:///bucket/scan/face.jpg"]["sha256"] == rows["memory:///bucket/scan/sub/dup.jpg"]["sha256"]
        assert _scan(["memory://bucket/scan"], db, detector, include=["sub/*"]).seen == 1
        again = _scan(["memory://bucket/scan"], db, detector)
        assert (again.skipped, again.scored) == (3, 0)
        missing = _scan(["memory://bucket/nothing-here"], db, detector)
        assert missing.seen == 0 and missing.walk_errors and "no such" in missing.walk_errors[0].reason
    finally:
        fs.rm("/bucket", recursive=True)


def test_file_urls_take_the_local_walk(tree, tmp_path, detector):
    db = tmp_path / "f.sqlite"
    summary = _scan([f"file://{tree}"], db, detector)
    assert summary.seen == len(MEDIA)
    assert all(os.path.isabs(p) for p in _rows(db, models_key(detector)))


def test_the_ray_engine_stores_what_the_local_engine_stores(tree, tmp_path, detector, reference):
    ray = pytest.importorskip("ray", reason="the ray engine needs the 'distributed' extra")
    from fakeguard.service.scan.ray_engine import scan_with_ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        db = tmp_path / "ray.sqlite"
        with ResultStore(db) as store:
            summary = scan_with_ray([str(tree)], store, detector, exclude=["*.tmp"], workers=2, batch_size=3)
        assert (summary.seen, summary.scored, summary.failed, summary.internal) == (len(MEDIA), len(MEDIA), 2, 0)
        _assert_same(_outcomes(_rows(db, models_key(detector)), tree), reference)
        (tree / "copy.jpg").write_bytes((tree / "a.jpg").read_bytes())  # known content, new path
        with ResultStore(db) as store:
            again = scan_with_ray([str(tree)], store, detector, exclude=["*.tmp"], workers=1)
        assert (again.skipped, again.reused, again.scored) == (len(MEDIA), 1, 0)
    finally:
        ray.shutdown()


def test_remote_bytes_travel_to_worker_processes(tmp_path, detector, factory):
    """A memory:// filesystem exists only in this process: worker processes can score its files
    only because the scanning process fetches each remote file once and hands them the bytes."""
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    for seed in (6, 7):
        ok, jpg = cv2.imencode(".jpg", factory.cartoon_face(160, seed=seed)[..., ::-1])
        fs.pipe(f"/workers/face{seed}.jpg", jpg.tobytes())
    try:
        in_process = _scan(["memory://workers"], tmp_path / "a.sqlite", detector, workers=0)
        in_workers = _scan(["memory://workers"], tmp_path / "b.sqlite", detector, workers=2)
        assert (in_workers.scored, in_workers.failed, in_workers.internal) == (2, 0, 0)
        assert in_process.scored == 2
        key = models_key(detector)
        a, b = _rows(tmp_path / "a.sqlite", key), _rows(tmp_path / "b.sqlite", key)
        assert {p: (r["sha256"], r["verdict"], r["error_code"]) for p, r in a.items()} == {
            p: (r["sha256"], r["verdict"], r["error_code"]) for p, r in b.items()
        }
    finally:
        fs.rm("/workers", recursive=True)
