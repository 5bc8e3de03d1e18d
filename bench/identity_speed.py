"""Watchlist matching time per face or speech segment against 1,000 enrolled people.

Issue 11's budget: matching adds at most 5 ms per face or segment with 1,000
people on the watchlist. Each person has ``--per-person`` (5) embeddings of
each kind, random unit vectors of the real dimensions (128 for faces, 256 for
voices: the cost of a match depends only on the shapes). Reported: median and
99th percentile of one ``Gallery.match`` call (the whole per-query cost: the
matrix product, the per-person maximum and the threshold), a batch of 16 queries
per call, and the one-off cost of reading the gallery from the SQLite store,
which a service pays once per watchlist change, not per query.

Run:  python bench/identity_speed.py [--people 1000] [--per-person 5]
Writes bench/results/identity_speed.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from common import median_time  # bench/common.py (scripts run from bench/ or the repo root)

from fakeguard.detectors.identity.match import Gallery
from fakeguard.detectors.identity.watchlist_store import Enrolment, StoredEmbedding, WatchlistStore

RESULTS = Path(__file__).resolve().parent / "results" / "identity_speed.json"
DIMS = {"face": ("dlib_resnet_v1", 128), "voice": ("ge2e_resemblyzer", 256)}


def unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def per_query_ms(gallery: Gallery, queries: np.ndarray) -> dict[str, float]:
    gallery.match(queries[0])  # warm-up
    times = []
    for q in queries:
        t0 = time.perf_counter()
        gallery.match(q)
        times.append(time.perf_counter() - t0)
    ms = 1000 * np.array(times)
    return {"median_ms": round(float(np.median(ms)), 4), "p99_ms": round(float(np.quantile(ms, 0.99)), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--per-person", type=int, default=5)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    names = [f"person {i:04d}" for i in range(args.people)]
    results: dict[str, object] = {"people": args.people, "embeddings_per_person": args.per_person}
    enrolments = {name: [] for name in names}
    for kind, (model, dim) in DIMS.items():
        vectors = unit(rng, args.people * args.per_person, dim)
        owners = [n for n in names for _ in range(args.per_person)]
        gallery = Gallery.build(kind, model, 0.9, owners, vectors)
        queries = unit(rng, args.queries, dim)
        batch = queries[:16]
        batch_s = median_time(lambda g=gallery, b=batch: g.similarities(b), 50)
        build_s = median_time(lambda k=kind, m=model, o=owners, v=vectors: Gallery.build(k, m, 0.9, o, v))
        results[kind] = {
            "dim": dim,
            "one_query": per_query_ms(gallery, queries),
            "batch_of_16_ms_per_query": round(1000 * batch_s / 16, 4),
            "build_gallery_ms": round(1000 * build_s, 2),
        }
        for owner, v in zip(owners, vectors):
            enrolments[owner].append(StoredEmbedding(kind, model, v, "synthetic"))
    with tempfile.TemporaryDirectory() as tmp, WatchlistStore(Path(tmp) / "results.sqlite") as store:
        t0 = time.perf_counter()
        store.add_many([Enrolment(n, tuple(e)) for n, e in enrolments.items()])
        results["store_write_s"] = round(time.perf_counter() - t0, 3)
        for kind, (model, _) in DIMS.items():
            results[kind]["load_gallery_from_sqlite_ms"] = round(
                1000 * median_time(lambda k=kind, m=model: store.gallery(k, m, 0.9), 3), 1
            )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
