"""Speaker verification with the GE2E encoder, and the cloned-voice case: does a clone match its target?

Issue 11 asks for the voice threshold to be chosen on data, and for the case
the watchlist exists for to be measured: a voice cloned from a protected
person must still match that person, or the impersonation alert never fires.

Data: the real clips of ``speech/yourtts`` (VCTK, LibriTTS and Portuguese MLS
speakers: ground truth, cloning references, voice-conversion sources; clips
copied twice are counted once) and ``speech/resemblyzer`` (LibriSpeech: 10
speakers with 3 clips, 251 with one). LibriTTS is cut from LibriSpeech, so a
LibriTTS and a LibriSpeech speaker id are the same person; MLS ids are not.
Clones: YourTTS zero-shot TTS and voice conversion, and SC-GlowTTS zero-shot
TTS, of the yourtts speakers. The manifest's ``speaker`` is the cloned voice
for the TTS clones, but the *source* speaker for the voice conversions, whose
voice is the target named in the file name (``..._to_p261_...``): that target
is used here.

Protocols:

* pairs: every two real clips of one speaker are a genuine pair, of two
  speakers an impostor pair; EER, and FMR/FNMR at the threshold, which is the
  lowest similarity whose FMR on all impostor pairs is at most ``--target-fmr``.
* watchlist: the yourtts speakers and the 10 multi-clip LibriSpeech speakers are
  enrolled from their real clips. A held-out real clip must match its speaker
  (leave one out); a clone must match the speaker it imitates (enrolment with
  and without the clip the clone was made from); the 251 single-clip
  LibriSpeech speakers, not enrolled, must match nobody.
* fusion: the shipped voice detector scores each clone and each held-out real
  clip; an impersonation alert is a match with P(synthetic) at or over the
  verdict's ``fake_at`` (0.7). The detector was trained on a speaker split of
  the shared data: where ``runs/voice_lcnn_small/split.json`` is present the
  alert rate is also given for the clones of its test-split speakers alone.

Run:  python bench/identity_voice.py [--target-fmr 1e-3] [--write-thresholds] [--parity]
Writes bench/results/identity_voice.json (and, with --write-thresholds, the
voice entry of detectors/identity/thresholds.yaml). --parity also embeds a few
clips with resemblyzer itself (needs ``webrtcvad`` importable) and reports the
cosine between its embeddings and ours.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from fakeguard.datasets.shared import default_data_root
from fakeguard.detectors.identity.match import Gallery
from fakeguard.detectors.identity.thresholds import KindThreshold, write_threshold
from fakeguard.detectors.identity.voice_embed import VOICE_MODEL, VoiceEmbedder
from fakeguard.detectors.intake import as_source, load_audio
from fakeguard.detectors.metrics import equal_error_rate

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "identity_voice.json"
SPLIT = REPO / "runs" / "voice_lcnn_small" / "split.json"
SR = 16000
#: P(synthetic) from which a voice is "likely synthetic": the verdict's fake_at (detectors/report.py).
LIKELY_SYNTHETIC = 0.7
#: ``fake/yourtts_vc/F-F_p225_to_p261_sample_p261_064.flac`` is p225's sentence in p261's voice (converted with
#: p261's clip 064): the embeddings agree (median similarity 0.84 to p261, 0.67 to p225).
VC_TARGET = re.compile(r"_to_(p\d+)_")


@dataclass(frozen=True)
class Clip:
    source: str
    relpath: str
    label: str
    generator: str
    speaker: str  # corpus-qualified: vctk:p225, libri:1089, mls:3050
    reference: bool  # a cloning reference clip


def corpus_speakers(rows: list[dict[str, str]]) -> set[str]:
    return {r["speaker"] for r in rows if r["relpath"].startswith("real/gt_mls_pt/")}


def qualified(speaker: str, mls: set[str]) -> str:
    if speaker.startswith("p"):
        return f"vctk:{speaker}"
    return f"mls:{speaker}" if speaker in mls else f"libri:{speaker}"


def read_clips(root: Path) -> list[Clip]:
    clips, seen = [], set()
    for source in ("yourtts", "resemblyzer"):
        with open(root / "speech" / source / "manifest.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        mls = corpus_speakers(rows)
        for r in rows:
            if not r["speaker"]:
                continue
            original = Path(r.get("orig_path") or r["relpath"]).name
            speaker = r["speaker"]
            converted = VC_TARGET.search(r["relpath"]) if r["label"] == "fake" else None
            if converted:  # the manifest names a voice conversion's source speaker; the voice is the target's
                speaker = converted.group(1)
            key = (r["label"], speaker, original)
            if r["label"] == "real" and key in seen:  # VC sources are copies of ground-truth clips
                continue
            seen.add(key)
            clips.append(
                Clip(
                    source=source,
                    relpath=r["relpath"],
                    label=r["label"],
                    generator=r["generator"],
                    speaker=qualified(speaker, mls),
                    reference=r["relpath"].startswith("real/reference/"),
                )
            )
    return clips


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
        "at_threshold": {
            "fmr": round(float(np.mean(impostor >= threshold)), 6),
            "fnmr": round(float(np.mean(genuine < threshold)), 4),
        },
    }


def pairs(vectors: np.ndarray, owners: list[str]) -> tuple[np.ndarray, np.ndarray]:
    sims = vectors @ vectors.T
    o = np.asarray(owners, dtype=object)
    same = np.equal.outer(o, o)
    upper = np.triu(np.ones_like(same, dtype=bool), k=1)
    return sims[same & upper], sims[~same & upper]


def threshold_for_fmr(impostor: np.ndarray, target: float) -> float:
    """The lowest similarity (to 3 decimals) at which the impostor FMR is at most ``target``."""
    ordered = np.sort(impostor)[::-1]
    allowed = int(np.floor(target * impostor.size))
    edge = float(ordered[allowed]) if allowed < ordered.size else float(ordered[-1])
    return float(np.ceil((edge + 1e-6) * 1000) / 1000)


def voice_scores(root: Path, clips: list[Clip]) -> dict[str, float | None]:
    """The shipped voice detector's P(synthetic) per clip (None without speech)."""
    from fakeguard.detectors.pipelines.voice import VoiceDetector

    detector = VoiceDetector.load()
    out = {}
    for c in clips:
        audio = load_audio(as_source(root / "speech" / c.source / c.relpath), detector.sample_rate)
        out[c.relpath] = detector.score_waveform(audio.samples, audio.sample_rate).file_score
    return out


def test_split_relpaths() -> set[str] | None:
    if not SPLIT.is_file():
        return None
    data = json.loads(SPLIT.read_text())
    return {s["relpath"] for s in data["samples"] if s["source"] == "yourtts" and s["split"] == "test"}


def parity(root: Path, clips: list[Clip], embedder: VoiceEmbedder, n: int = 12) -> dict[str, object]:
    """Cosine between resemblyzer's own embeddings and ours on ``n`` real clips."""
    from resemblyzer import VoiceEncoder, preprocess_wav

    reference = VoiceEncoder("cpu", verbose=False)
    cosines = []
    for c in [c for c in clips if c.label == "real"][:: max(1, len(clips) // (2 * n))][:n]:
        wave = load_audio(as_source(root / "speech" / c.source / c.relpath), SR).samples
        ours = embedder.embed(wave, SR)
        if ours is not None:
            cosines.append(float(reference.embed_utterance(preprocess_wav(wave)) @ ours.vector))
    return {"clips": len(cosines), "cosine_min": round(min(cosines), 4), "cosine_median": round(np.median(cosines), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-fmr", type=float, default=1e-3, help="false-match rate per pair to choose for")
    parser.add_argument("--data-root", type=Path, default=None)
    parser.add_argument("--no-detector", action="store_true", help="skip the voice detector (fusion) part")
    parser.add_argument("--parity", action="store_true", help="compare with resemblyzer's own embeddings")
    parser.add_argument("--save-embeddings", type=Path, default=None, help="also save the embeddings (.npz)")
    parser.add_argument("--write-thresholds", action="store_true", help="update detectors/identity/thresholds.yaml")
    args = parser.parse_args()
    torch.set_num_threads(1)
    root = args.data_root or default_data_root()
    t_start = time.perf_counter()

    clips = read_clips(root)
    embedder = VoiceEmbedder()
    vectors: dict[str, np.ndarray] = {}
    times, no_speech = [], []
    for c in clips:
        wave = load_audio(as_source(root / "speech" / c.source / c.relpath), SR).samples
        t0 = time.perf_counter()
        e = embedder.embed(wave, SR)
        times.append((time.perf_counter() - t0) / max(wave.size / SR, 1e-3))
        if e is None:
            no_speech.append(c.relpath)
        else:
            vectors[c.relpath] = e.vector
    if args.save_embeddings:
        np.savez(args.save_embeddings, **{k.replace("/", "|"): v for k, v in vectors.items()})

    real = [c for c in clips if c.label == "real" and c.relpath in vectors]
    fakes = [c for c in clips if c.label == "fake" and c.relpath in vectors]
    matrix = np.stack([vectors[c.relpath] for c in real])
    owners = [c.speaker for c in real]
    genuine, impostor = pairs(matrix, owners)
    threshold = threshold_for_fmr(impostor, args.target_fmr)
    by_family = {}
    for family in ("vctk", "libri", "mls"):
        keep = np.array([o.startswith(family) for o in owners])
        g, i = pairs(matrix[keep], [o for o, k in zip(owners, keep) if k])
        by_family[family] = summary(g, i, threshold)
    all_pairs = summary(genuine, impostor, threshold)

    # Watchlist: everyone with 2+ real clips is enrolled; single-clip speakers are outsiders.
    clips_of: dict[str, list[Clip]] = defaultdict(list)
    for c in real:
        clips_of[c.speaker].append(c)
    enrolled = {s for s, cs in clips_of.items() if len(cs) >= 2}

    def gallery(excluding: set[str] = frozenset()) -> Gallery:
        rows = [c for c in real if c.speaker in enrolled and c.relpath not in excluding]
        return Gallery.build(
            "voice", VOICE_MODEL, threshold, [c.speaker for c in rows], np.stack([vectors[c.relpath] for c in rows])
        )

    full = gallery()
    hits = wrong = 0
    held_out = []
    for c in real:
        if c.speaker in enrolled:
            g = gallery({c.relpath})
            best = g.rank(vectors[c.relpath], top=1)[0]
            similarity = float(g.similarities(vectors[c.relpath])[g.people.index(c.speaker)])
            held_out.append((c, similarity))
            hits += best.matched and best.person == c.speaker
            wrong += best.matched and best.person != c.speaker
    outsiders = [c for c in real if c.speaker not in enrolled]
    false_alarms = sum(full.match(vectors[c.relpath]) is not None for c in outsiders)
    no_reference = gallery({c.relpath for c in real if c.reference})

    clone_rows = []
    for c in fakes:
        if c.speaker not in enrolled:
            continue
        sims = full.similarities(vectors[c.relpath])
        sims_noref = no_reference.similarities(vectors[c.relpath])
        target = full.people.index(c.speaker)
        clone_rows.append(
            {
                "relpath": c.relpath,
                "generator": c.generator,
                "similarity": float(sims[target]),
                "similarity_without_reference": float(sims_noref[no_reference.people.index(c.speaker)]),
                "top1_is_target": bool(int(np.argmax(sims)) == target),
            }
        )
    clone_summary = {}
    for generator in sorted({r["generator"] for r in clone_rows}):
        rows = [r for r in clone_rows if r["generator"] == generator]
        sims = np.array([r["similarity"] for r in rows])
        clone_summary[generator] = {
            "clones": len(rows),
            "match_rate": round(float(np.mean(sims >= threshold)), 4),
            "match_rate_without_reference": round(
                float(np.mean(np.array([r["similarity_without_reference"] for r in rows]) >= threshold)), 4
            ),
            "top1_is_target": round(float(np.mean([r["top1_is_target"] for r in rows])), 4),
            "similarity_median": round(float(np.median(sims)), 4),
        }
    genuine_sims = np.array([s for _, s in held_out])
    results: dict[str, object] = {
        "model": VOICE_MODEL,
        "threshold": threshold,
        "target_fmr": args.target_fmr,
        "clips": {"real": len(real), "fake": len(fakes), "no_speech": no_speech, "speakers": len(clips_of)},
        "pairs": {"all": all_pairs, **by_family},
        "watchlist": {
            "enrolled_speakers": len(enrolled),
            "held_out_probes": len(held_out),
            "held_out_hit_rate": round(hits / max(len(held_out), 1), 4),
            "held_out_similarity_median": round(float(np.median(genuine_sims)), 4),
            "matched_wrong_person": int(wrong),
            "outsider_probes": len(outsiders),
            "false_alarms": int(false_alarms),
            "false_alarm_rate": round(false_alarms / max(len(outsiders), 1), 4),
        },
        "clones": clone_summary,
        "embed_seconds_per_audio_second_median": round(statistics.median(times), 4),
        "torch_threads": 1,
    }
    if not args.no_detector:
        scored = [c for c in fakes if c.speaker in enrolled] + [c for c, _ in held_out]
        scores = voice_scores(root, scored)
        test = test_split_relpaths()
        sim_of = {r["relpath"]: r["similarity"] for r in clone_rows} | {c.relpath: s for c, s in held_out}

        def fusion(subset: list[Clip]) -> dict[str, object]:
            matched = [c for c in subset if sim_of[c.relpath] >= threshold]
            synthetic = [c for c in subset if (scores[c.relpath] or 0.0) >= LIKELY_SYNTHETIC]
            alerts = [c for c in matched if (scores[c.relpath] or 0.0) >= LIKELY_SYNTHETIC]
            n = max(len(subset), 1)
            return {
                "clips": len(subset),
                "identity_match_rate": round(len(matched) / n, 4),
                "likely_synthetic_rate": round(len(synthetic) / n, 4),
                "impersonation_alert_rate": round(len(alerts) / n, 4),
            }

        clones = [c for c in fakes if c.speaker in enrolled]
        reals = [c for c, _ in held_out]
        generators = sorted({c.generator for c in clones})
        results["fusion"] = {
            "likely_synthetic_at": LIKELY_SYNTHETIC,
            "clones": {g: fusion([c for c in clones if c.generator == g]) for g in generators},
            "real_held_out": fusion(reals),
        }
        if test is not None:
            results["fusion"]["clones_of_test_split_speakers"] = fusion([c for c in clones if c.relpath in test])
            results["fusion"]["real_held_out_test_split"] = fusion([c for c in reals if c.relpath in test])
    if args.parity:
        results["parity_with_resemblyzer"] = parity(root, clips, embedder)
    results["seconds"] = round(time.perf_counter() - t_start, 1)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    if args.write_thresholds:
        entry = KindThreshold(
            model=VOICE_MODEL,
            threshold=threshold,
            target_fmr=args.target_fmr,
            eer=all_pairs["eer"],
            fmr=all_pairs["at_threshold"]["fmr"],
            fnmr=all_pairs["at_threshold"]["fnmr"],
            measured_on=(
                f"real clips of speech/yourtts and speech/resemblyzer, {len(clips_of)} speakers: "
                f"{all_pairs['genuine_pairs']} genuine and {all_pairs['impostor_pairs']} impostor pairs"
            ),
            bench="bench/identity_voice.py",
        )
        print(f"wrote {write_threshold('voice', entry)}")


if __name__ == "__main__":
    main()
