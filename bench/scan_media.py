"""A mixed media folder for the scan benchmarks, made from ../shared/data.

What an archive scan meets: mostly photos, then voice clips, some short videos,
and a few broken files. Defaults give 1,000 files:

- 600 images: real photos (LFW, CelebA, UTKFace), GAN faces and face swaps, as
  shipped (JPEG and PNG, 89 px to 1 Mpx);
- 300 speech files: real and synthetic, from every speech source (FLAC, WAV,
  MP3; 1 to 15 s);
- 90 talking-head clips: 4 s, 640x360 H.264 + AAC, one of 18 real identities
  each (see bench/video_media.py);
- 10 broken files: images and clips cut in half.

Every file has distinct bytes (the scanner would otherwise reuse results of
duplicates and look faster than it is).

Run:  python bench/scan_media.py OUT_DIR [--images 600 --audio 300 --videos 90 --broken 10]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import shutil
from pathlib import Path

from video_media import SHARED, write_talking_clip

IMAGE_SOURCES = (
    "lfw_deepfunneled_150",
    "celeba_align_small",
    "utkface_crop",
    "stylegan_ffhq",
    "simswap",
    "roop",
    "ghost",
    "blendface",
    "infoswap",
    "hififace_xuehy",
    "deepfacelab",
    "facenet_pytorch",
    "deepface_celebs",
)


def _manifest(folder: Path) -> list[dict[str, str]]:
    with open(folder / "manifest.csv", newline="") as f:
        return list(csv.DictReader(f))


def _round_robin(groups: list[list[Path]], n: int) -> list[Path]:
    """Up to ``n`` paths taken in turn from each group, so that every source is represented."""
    out: list[Path] = []
    for batch in itertools.zip_longest(*groups):
        out.extend(p for p in batch if p is not None)
        if len(out) >= n:
            break
    return out[:n]


def build(out: Path, images: int = 600, audio: int = 300, videos: int = 90, broken: int = 10) -> Path:
    """Write the folder (idempotent: an existing complete folder is kept)."""
    marker = out.parent / f"{out.name}.complete"  # beside the folder, not in it: it is not media
    if marker.exists():
        return out
    if not (SHARED / "faces").is_dir():
        raise SystemExit(f"{SHARED} is missing: the scan benchmark needs ../shared/data")
    out.mkdir(parents=True, exist_ok=True)

    face_groups = []
    for name in IMAGE_SOURCES:
        folder = SHARED / "faces" / name
        if (folder / "manifest.csv").exists():
            face_groups.append([folder / r["relpath"] for r in _manifest(folder)])
    for i, src in enumerate(_round_robin(face_groups, images)):
        dest = out / "images" / src.parent.parent.name / f"{i:04d}_{src.name}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)

    speech_groups = []
    for folder in sorted((SHARED / "speech").iterdir()):
        if (folder / "manifest.csv").exists():
            speech_groups.append([folder / r["relpath"] for r in _manifest(folder)])
    for i, src in enumerate(_round_robin(speech_groups, audio)):
        dest = out / "audio" / f"{i:04d}_{src.name}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)

    identities = sorted({r["identity"] for r in _manifest(SHARED / "faces" / "talking_head_frames")})
    (out / "video").mkdir(parents=True, exist_ok=True)
    for i in range(videos):
        identity = identities[i % len(identities)]
        crf = 20 + i // len(identities)  # distinct bytes for clips of the same identity
        write_talking_clip(
            out / "video" / f"{i:03d}_{identity}.mp4", seconds=4.0, width=640, height=360, identity=identity, crf=crf
        )

    sources = sorted((out / "images").rglob("*.jpg"))[: broken // 2] + sorted((out / "video").glob("*.mp4"))
    (out / "broken").mkdir(exist_ok=True)
    for i, src in enumerate(sources[:broken]):
        data = src.read_bytes()
        (out / "broken" / f"cut_{i:02d}{src.suffix}").write_bytes(data[: len(data) // 2])
    marker.write_text("built by bench/scan_media.py\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--images", type=int, default=600)
    parser.add_argument("--audio", type=int, default=300)
    parser.add_argument("--videos", type=int, default=90)
    parser.add_argument("--broken", type=int, default=10)
    args = parser.parse_args()
    build(args.out, args.images, args.audio, args.videos, args.broken)
    print(sum(1 for p in args.out.rglob("*") if p.is_file()), "files in", args.out)


if __name__ == "__main__":
    main()
