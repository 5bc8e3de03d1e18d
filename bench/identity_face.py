"""Face verification with dlib's 128-d descriptor: EER, and the false-match rate at the chosen threshold.

Issue 11 asks for the watchlist's face threshold to be chosen on data. Photos:
``faces/lfw_deepfunneled_150`` (964 people with 2 or 3 photos each, 150 px
crops; a seeded sample of ``--people`` (400) of them, since one photo costs about
0.25 s to detect and embed on one core) and ``faces/talking_head_frames``
(18 people, 6 frames each, 512 px). Each photo gives one embedding, of the
face nearest the image centre (LFW photos are centred on their subject and
some show a second, cropped face at the edge).

Two protocols:

* pairs: every pair of photos of one person is a genuine pair, every pair of
  photos of two people an impostor pair; EER, and FMR/FNMR at the threshold.
  The threshold is the lowest similarity whose FMR on the LFW impostor pairs is
  at most ``--target-fmr``.
* watchlist: half of the sampled LFW people are enrolled from their first
  photo; their other photos must match them (hits: the right person, at or over
  the threshold), and the photos of the other half, who are not enrolled, must
  match nobody (false alarms per probe, which grow with the watchlist's size).

Run:  python bench/identity_face.py [--people 400] [--target-fmr 1e-4] [--write-thresholds]
Writes bench/results/identity_face.json (and, with --write-thresholds,
the face entry of detectors/identity/thresholds.yaml).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

from fakeguard.datasets.shared import default_data_root
from fakeguard.detectors.faces import FaceDetector
from fakeguard.detectors.identity.face_embed import FACE_MODEL, embed_face
from fakeguard.detectors.identity.match import Gallery
from fakeguard.detectors.identity.thresholds import KindThreshold, write_threshold
from fakeguard.detectors.intake import as_source, load_image
from fakeguard.detectors.metrics import equal_error_rate

RESULTS = Path(__file__).resolve().parent / "results" / "identity_face.json"
SETS = ("lfw_deepfunneled_150", "talking_head_frames")


def read_people(root: Path, name: str) -> dict[str, list[Path]]:
    """identity -> photo paths, from a faces manifest."""
    people: dict[str, list[Path]] = defaultdict(list)
    with open(root / "faces" / name / "manifest.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["label"] == "real":
                people[row["identity"]].append(root / "faces" / name / row["relpath"])
    return {k: sorted(v) for k, v in sorted(people.items())}


def central_face(faces, width: int, height: int):
    """The detection nearest the image centre."""
    cx, cy = width / 2, height / 2

    def distance(face) -> float:
        x0, y0, x1, y1 = face.box
        return ((x0 + x1) / 2 - cx) ** 2 + ((y0 + y1) / 2 - cy) ** 2

    return min(faces, key=distance)


def embed_all(people: dict[str, list[Path]], detector: FaceDetector) -> tuple[dict[str, list], dict[str, int], list]:
    """Embeddings per person (photos without a face left out), counts of faces per photo, seconds per embed."""
    out: dict[str, list] = {}
    counts = {"photos": 0, "no_face": 0, "several_faces": 0}
    embed_s = []
    for person, paths in people.items():
        vectors = []
        for path in paths:
            counts["photos"] += 1
            pixels = load_image(as_source(path)).pixels
            faces = detector.detect(pixels)
            if not faces:
                counts["no_face"] += 1
                continue
            counts["several_faces"] += len(faces) > 1
            face = central_face(faces, pixels.shape[1], pixels.shape[0])
            t0 = time.perf_counter()
            vectors.append(embed_face(pixels, face))
            embed_s.append(time.perf_counter() - t0)
        out[person] = vectors
    return out, counts, embed_s


def pair_scores(embeddings: dict[str, list]) -> tuple[np.ndarray, np.ndarray]:
    """Similarities of all genuine pairs and all impostor pairs."""
    owners = [p for p, vs in embeddings.items() for _ in vs]
    matrix = np.stack([v for vs in embeddings.values() for v in vs])
    sims = matrix @ matrix.T
    same = np.equal.outer(np.asarray(owners, dtype=object), np.asarray(owners, dtype=object))
    upper = np.triu(np.ones_like(same, dtype=bool), k=1)
    return sims[same & upper], sims[~same & upper]


def rates(genuine: np.ndarray, impostor: np.ndarray, threshold: float) -> dict[str, float]:
    return {
        "fmr": float(np.mean(impostor >= threshold)),
        "fnmr": float(np.mean(genuine < threshold)),
        "false_matches": int(np.sum(impostor >= threshold)),
    }


def summary(genuine: np.ndarray, impostor: np.ndarray, threshold: float) -> dict[str, object]:
    labels = np.r_[np.ones(genuine.size), np.zeros(impostor.size)]
    eer, eer_threshold = equal_error_rate(labels, np.r_[genuine, impostor])
    return {
        "genuine_pairs": int(genuine.size),
        "impostor_pairs": int(impostor.size),
        "eer": round(eer, 5),
        "eer_threshold": round(eer_threshold, 4),
        "genuine_similarity_median": round(float(np.median(genuine)), 4),
        "impostor_similarity_median": round(float(np.median(impostor)), 4),
        "impostor_similarity_p99_99": round(float(np.quantile(impostor, 0.9999)), 4),
        "at_threshold": rates(genuine, impostor, threshold),
    }


def threshold_for_fmr(impostor: np.ndarray, target: float) -> float:
    """The lowest similarity (to 3 decimals) at which the impostor FMR is at most ``target``."""
    ordered = np.sort(impostor)[::-1]
    allowed = int(np.floor(target * impostor.size))
    # Strictly above the (allowed+1)-th highest impostor score.
    edge = float(ordered[allowed]) if allowed < ordered.size else float(ordered[-1])
    return float(np.ceil((edge + 1e-6) * 1000) / 1000)


def watchlist_protocol(embeddings: dict[str, list], threshold: float, seed: int) -> dict[str, object]:
    """Enrol half the people from their first photo, probe with the rest."""
    people = [p for p, vs in embeddings.items() if len(vs) >= 2]
    rng = np.random.default_rng(seed)
    rng.shuffle(people)
    enrolled, outsiders = people[: len(people) // 2], people[len(people) // 2 :]
    gallery = Gallery.build("face", FACE_MODEL, threshold, enrolled, np.stack([embeddings[p][0] for p in enrolled]))
    hits = misses = wrong = 0
    for person in enrolled:
        for vector in embeddings[person][1:]:
            best = gallery.rank(vector, top=1)[0]
            if best.matched and best.person == person:
                hits += 1
            elif best.matched:
                wrong += 1
            else:
                misses += 1
    false_alarms = probes = 0
    for person in outsiders:
        for vector in embeddings[person]:
            probes += 1
            false_alarms += gallery.match(vector) is not None
    genuine_probes = hits + misses + wrong
    return {
        "enrolled_people": len(enrolled),
        "genuine_probes": genuine_probes,
        "hit_rate": round(hits / max(genuine_probes, 1), 4),
        "matched_wrong_person": wrong,
        "outsider_probes": probes,
        "false_alarms": false_alarms,
        "false_alarm_rate": round(false_alarms / max(probes, 1), 5),
        "false_alarm_rate_per_1000_enrolled": round(false_alarms / max(probes, 1) * 1000 / max(len(enrolled), 1), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=400, help="LFW people sampled (of 964)")
    parser.add_argument("--target-fmr", type=float, default=1e-4, help="false-match rate per pair to choose for")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-root", type=Path, default=None)
    parser.add_argument("--save-embeddings", type=Path, default=None, help="also save the embeddings (.npz)")
    parser.add_argument("--write-thresholds", action="store_true", help="update detectors/identity/thresholds.yaml")
    args = parser.parse_args()
    torch.set_num_threads(1)
    root = args.data_root or default_data_root()
    t_start = time.perf_counter()

    # Only people with at least two photos give genuine pairs (964 in the shared copy).
    lfw_all = {k: v for k, v in read_people(root, SETS[0]).items() if len(v) >= 2}
    names = sorted(lfw_all)
    rng = np.random.default_rng(args.seed)
    chosen = sorted(rng.choice(len(names), size=min(args.people, len(names)), replace=False))
    lfw = {names[i]: lfw_all[names[i]] for i in chosen}
    heads = read_people(root, SETS[1])

    detector = FaceDetector()
    lfw_emb, lfw_counts, lfw_times = embed_all(lfw, detector)
    head_emb, head_counts, head_times = embed_all(heads, detector)
    if args.save_embeddings:
        np.savez(
            args.save_embeddings,
            **{f"lfw/{k}": np.stack(v) for k, v in lfw_emb.items() if v},
            **{f"head/{k}": np.stack(v) for k, v in head_emb.items() if v},
        )

    lfw_gen, lfw_imp = pair_scores(lfw_emb)
    threshold = threshold_for_fmr(lfw_imp, args.target_fmr)
    head_gen, head_imp = pair_scores(head_emb)
    both = {**{f"lfw/{k}": v for k, v in lfw_emb.items()}, **{f"head/{k}": v for k, v in head_emb.items()}}
    all_gen, all_imp = pair_scores(both)
    lfw_summary = summary(lfw_gen, lfw_imp, threshold)

    results = {
        "model": FACE_MODEL,
        "threshold": threshold,
        "target_fmr": args.target_fmr,
        "lfw_people_sampled": len(lfw),
        "lfw_people_total": len(lfw_all),
        "seed": args.seed,
        "photos": {"lfw": lfw_counts, "talking_head_frames": head_counts},
        "pairs": {
            "lfw": lfw_summary,
            "talking_head_frames": summary(head_gen, head_imp, threshold),
            "all": summary(all_gen, all_imp, threshold),
        },
        "watchlist": watchlist_protocol(lfw_emb, threshold, args.seed),
        "embed_ms_median": round(1000 * statistics.median(lfw_times + head_times), 1),
        "seconds": round(time.perf_counter() - t_start, 1),
        "torch_threads": 1,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    if args.write_thresholds:
        entry = KindThreshold(
            model=FACE_MODEL,
            threshold=threshold,
            target_fmr=args.target_fmr,
            eer=lfw_summary["eer"],
            fmr=round(lfw_summary["at_threshold"]["fmr"], 6),
            fnmr=round(lfw_summary["at_threshold"]["fnmr"], 4),
            measured_on=(
                f"lfw_deepfunneled_150, {len(lfw)} of {len(lfw_all)} people (seed {args.seed}): "
                f"{lfw_summary['genuine_pairs']} genuine and {lfw_summary['impostor_pairs']} impostor pairs"
            ),
            bench="bench/identity_face.py",
        )
        print(f"wrote {write_threshold('face', entry)}")


if __name__ == "__main__":
    main()
