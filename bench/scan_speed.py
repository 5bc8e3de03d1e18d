"""Scan throughput, resume after kill -9, and the Ray engine, on a folder of mixed media.

Phases (each its own process, run one after another on a quiet machine):

- ``loop``: the baseline: one process scores the files one at a time with
  ``Detector.score`` (no database), torch with ``--loop-threads`` threads; the
  figure is the sum of the per-file times, plus the model load.
- ``w0``, ``w1``, ``w2``: ``fakeguard scan --workers N`` into a fresh database,
  wall time of the whole command (start-up, listing, hashing, writing included),
  and the steady rate between the 10th and 90th percentile of the rows' commit times.
- ``kill``: ``fakeguard scan --workers 2`` killed with SIGKILL once half the
  files have rows, then run again: how many rows survived, what the rerun skipped
  and scored, and how many files were lost in flight (scored but not stored).
- ``ray``: ``fakeguard scan --engine ray --workers 2`` (a local Ray started by the
  command), wall time.

The folder comes from bench/scan_media.py (built if missing).

Run:  python bench/scan_speed.py [--folder /tmp/scan_bench] [--phases loop,w1,w2,kill,ray]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from scan_media import build

ROOT = Path(__file__).resolve().parents[1]
FAKEGUARD = str(Path(sys.executable).parent / "fakeguard")
RESULTS = ROOT / "bench" / "results" / "scan_speed.json"


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def loop_baseline(folder: Path, threads: int) -> dict[str, float]:
    """Score every file in this process, one at a time (run in a child process by :func:`main`)."""
    from fakeguard.detectors.api import Detector
    from fakeguard.detectors.errors import MediaError
    from fakeguard.detectors.runtime import set_threads

    set_threads(threads)
    t0 = time.perf_counter()
    detector = Detector.load()
    detector.face  # noqa: B018 - load both models before the files
    load_s = time.perf_counter() - t0
    per_file, errors = [], 0
    for path in _files(folder):
        t = time.perf_counter()
        try:
            detector.score(path)
        except MediaError:
            errors += 1
        per_file.append(time.perf_counter() - t)
    total = sum(per_file)
    n = len(per_file)
    middle = per_file[n // 10 : n * 9 // 10]  # the same files as the scans' 10th-90th percentile of commit times
    return {
        "files": n,
        "errors": errors,
        "load_s": load_s,
        "sum_s": total,
        "files_per_s": n / total,
        "steady_files_per_s": len(middle) / sum(middle),
    }


def _scan_cmd(folder: Path, db: Path, *extra: str) -> list[str]:
    return [FAKEGUARD, "scan", str(folder), "--db", str(db), "--json", *extra]


def timed_scan(folder: Path, workers: int, engine: str = "local") -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "scan.sqlite"
        t0 = time.perf_counter()
        out = subprocess.run(
            _scan_cmd(folder, db, "--workers", str(workers), "--engine", engine),
            capture_output=True,
            text=True,
            env={**os.environ, "FAKEGUARD_THREADS": "1"},
        )
        wall = time.perf_counter() - t0
        steady = _steady_rate(db)
    if out.returncode not in (0, 1):  # 1: some files failed (the broken ones), which is expected
        raise SystemExit(f"scan failed ({out.returncode}): {out.stderr[-2000:]}")
    summary = json.loads(out.stdout)
    return {
        "workers": workers,
        "engine": engine,
        "wall_s": wall,
        "files_per_s": summary["seen"] / wall,
        "steady_files_per_s": steady,
        **summary,
    }


def _steady_rate(db: Path) -> float | None:
    """Files per second between the 10th and the 90th percentile of the rows' commit times:
    the engine's rate once every worker is up, without start-up and the last stragglers.
    (``scanned_at`` has one-second resolution: over a span of a minute, about 2% error.)"""
    with sqlite3.connect(db) as conn:
        times = [datetime.fromisoformat(t).timestamp() for (t,) in conn.execute("SELECT scanned_at FROM results")]
    times.sort()
    if len(times) < 50:
        return None
    lo, hi = times[len(times) // 10], times[len(times) * 9 // 10]
    return (len(times) * 8 // 10) / (hi - lo) if hi > lo else None


def _rows(db: Path) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


def kill_and_resume(folder: Path, workers: int = 2) -> dict[str, float]:
    """SIGKILL the scan at half the files, rerun it, and count what was kept and what was redone."""
    n = len(_files(folder))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "scan.sqlite"
        cmd = _scan_cmd(folder, db, "--workers", str(workers))
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while proc.poll() is None and _rows(db) < n // 2:
            time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        time.sleep(2)  # the workers notice their parent is gone within a second
        kept = _rows(db)
        t0 = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True)
        rerun = json.loads(out.stdout)
        rerun_s = time.perf_counter() - t0
    # Every file is stored once it is scored (reports and media errors alike), so the rerun must skip
    # exactly the kept rows; what the killed run had in flight is lost work, at most 2 per worker.
    return {
        "files": n,
        "rows_at_kill": kept,
        "rerun_skipped": rerun["skipped"],
        "rerun_scored": rerun["scored"],
        "rerun_s": rerun_s,
        "max_in_flight": 2 * workers,
        "rerun_redid_finished_rows": rerun["skipped"] != kept,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "scan_bench")
    parser.add_argument("--phases", default="loop,w1,w2,kill,ray")
    parser.add_argument("--loop-threads", type=int, default=1)
    parser.add_argument("--child-loop", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_loop:
        print(json.dumps(loop_baseline(args.folder, args.loop_threads)))
        return
    build(args.folder)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["folder"] = {"path": str(args.folder), "files": len(_files(args.folder))}
    for phase in args.phases.split(","):
        t0 = time.perf_counter()
        if phase == "loop":
            cmd = [sys.executable, __file__, "--child-loop", "--folder", str(args.folder)]
            out = subprocess.run(cmd + ["--loop-threads", str(args.loop_threads)], capture_output=True, text=True)
            if out.returncode:
                raise SystemExit(out.stderr[-2000:])
            results[f"loop_{args.loop_threads}t"] = json.loads(out.stdout.strip().splitlines()[-1])
        elif phase.startswith("w"):
            results[phase] = timed_scan(args.folder, int(phase[1:]))
        elif phase == "kill":
            results["kill"] = kill_and_resume(args.folder)
        elif phase == "ray":
            results["ray"] = timed_scan(args.folder, 2, engine="ray")
        else:
            raise SystemExit(f"unknown phase {phase}")
        print(
            f"{phase}: {time.perf_counter() - t0:.0f} s",
            json.dumps(results.get(phase) or results.get(f"loop_{args.loop_threads}t")),
            flush=True,
        )
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
