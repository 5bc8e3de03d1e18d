"""What reading provenance adds to scoring a 1080p JPEG, beside the detectors' own time.

Target (issue 10): at most 10 ms median per 1080p JPEG on the project's 2-core machine.

Inputs: the 1920x1080 q90 one-face JPEGs of ``bench/face_speed.py``, in three variants:

* ``plain``: as written by OpenCV (a JFIF header, no metadata): the common case;
* ``metadata``: with EXIF (Software, Make/Model) and an XMP packet with a digital source type;
* ``c2pa``: signed with a C2PA manifest (a self-made certificate, ``tests/provenance_factory.py``).

Measured in one process at 1 thread, after a warm-up:

* ``read_provenance`` alone, given the decoded pixels as the image pipeline gives them
  (median of 5 runs per file, then the median over files), split into its readers;
* the image pipeline end to end (``Detector.score``): the median ``provenance`` stage
  next to the median of all stages, so the share is read off the same runs.

Run:  python bench/provenance_speed.py [--images 24] [--weights FOLDER]
Writes bench/results/provenance_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # provenance_factory: the signing helper

from common import median_time  # noqa: E402
from face_speed import make_images  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "provenance_speed.json"
TARGET_MS = 10.0


def make_variants(folder: Path, n: int) -> tuple[dict[str, list[Path]], str]:
    """The three variants of ``n`` 1080p JPEGs; returns their paths by variant and where the faces came from."""
    import provenance_factory as pf
    from PIL import Image

    plain_dir = folder / "plain"
    plain_dir.mkdir()
    origin = make_images(plain_dir, n)
    plain = sorted(plain_dir.glob("*.jpg"))
    credentials = pf.make_credentials()
    exif = Image.Exif()
    exif[0x0131], exif[0x010F], exif[0x0110] = "Adobe Photoshop 25.0 (Windows)", "Canon", "Canon EOS R5"
    exif_payload = exif.tobytes()  # "Exif\0\0" and the TIFF block: an APP1 segment's body
    variants: dict[str, list[Path]] = {"plain": plain, "metadata": [], "c2pa": []}
    for kind in ("metadata", "c2pa"):
        (folder / kind).mkdir()
    for path in plain:
        data = path.read_bytes()
        tagged = pf.jpeg_with_xmp(pf.jpeg_with_segment(data, 0xE1, exif_payload), pf.source_type_xmp("digitalCapture"))
        (folder / "metadata" / path.name).write_bytes(tagged)
        (folder / "c2pa" / path.name).write_bytes(pf.sign(data, "image/jpeg", credentials))
        variants["metadata"].append(folder / "metadata" / path.name)
        variants["c2pa"].append(folder / "c2pa" / path.name)
    return variants, origin


def file_times(path: Path) -> dict[str, float]:
    """Median seconds of ``read_provenance`` (pixels given, as in the pipeline) and of each reader alone."""
    from fakeguard.detectors.intake import identify, load_image
    from fakeguard.detectors.pipelines.image import DECODE_MAX_SIDE
    from fakeguard.detectors.provenance import ProvenanceConfig, read_provenance
    from fakeguard.detectors.provenance.blocks import walk
    from fakeguard.detectors.provenance.c2pa import read_c2pa
    from fakeguard.detectors.provenance.exif import exif_signals
    from fakeguard.detectors.provenance.png_text import text_signals
    from fakeguard.detectors.provenance.watermark import watermark_signals
    from fakeguard.detectors.provenance.xmp import xmp_signals

    config = ProvenanceConfig()
    src, sniffed = identify(path)
    pixels = load_image(src, sniffed=sniffed, max_side=DECODE_MAX_SIDE).pixels
    data = path.read_bytes()

    def blocks() -> None:
        found = walk(data, sniffed.format, config.max_text_bytes)
        xmp_signals(found.xmp)
        exif_signals(found.exif)
        text_signals(found.texts)

    return {
        "read_provenance": median_time(lambda: read_provenance(src, sniffed, pixels=pixels, config=config)),
        "c2pa": median_time(lambda: read_c2pa(src, sniffed.format, None)),
        "metadata_blocks": median_time(blocks),
        "watermark": median_time(lambda: watermark_signals(pixels)),
    }


def reader_times(files: list[Path]) -> dict[str, float]:
    """Median ms over files of :func:`file_times`."""
    runs = [file_times(path) for path in files]
    return {k: 1000 * statistics.median(r[k] for r in runs) for k in runs[0]}


def pipeline_times(files: list[Path], detector) -> dict[str, float]:
    """Median ms of the ``provenance`` stage and of all stages together, over ``Detector.score`` runs."""
    detector.score(files[0])
    provenance, total = [], []
    for path in files:
        stages = {t.stage: t.seconds for t in detector.score(path).timings}
        provenance.append(stages["provenance"])
        total.append(sum(stages.values()))
    return {
        "provenance_stage_ms": 1000 * statistics.median(provenance),
        "all_stages_ms": 1000 * statistics.median(total),
        "provenance_share": statistics.median(p / t for p, t in zip(provenance, total)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=24)
    parser.add_argument("--weights", default=None, help="face weight folder (default: the shipped model)")
    args = parser.parse_args()

    from fakeguard.detectors.api import Detector
    from fakeguard.detectors.runtime import set_threads

    set_threads(1)
    detector = Detector.load(face_model=args.weights)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        variants, origin = make_variants(Path(tmp), args.images)
        readers = {kind: reader_times(files) for kind, files in variants.items()}
        pipeline = {kind: pipeline_times(files, detector) for kind, files in variants.items()}
    result = {
        "input": f"{args.images} JPEGs 1920x1080 q90, one face each: {origin}",
        "threads": 1,
        "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "target_ms": TARGET_MS,
        "read_provenance_median_ms": readers,
        "pipeline_median": pipeline,
        "wall_s": time.perf_counter() - t0,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    for kind in variants:
        r, p = readers[kind], pipeline[kind]
        verdict = "within" if r["read_provenance"] <= TARGET_MS else "OVER"
        print(
            f"{kind:9s} read_provenance {r['read_provenance']:.2f} ms ({verdict} the {TARGET_MS:g} ms target): "
            f"c2pa {r['c2pa']:.2f}, metadata {r['metadata_blocks']:.2f}, watermark {r['watermark']:.2f} ms; "
            f"in the pipeline {p['provenance_stage_ms']:.2f} of {p['all_stages_ms']:.1f} ms "
            f"({100 * p['provenance_share']:.1f}%)"
        )


if __name__ == "__main__":
    main()
