"""Decoding cost of media intake, the floor under every detector's speed target.

Measures, on generated media, the median time of:
- ``load_image`` on a 1920x1080 JPEG (full size, and with ``max_side=960``);
- ``load_audio`` on 60 s of 44.1 kHz stereo MP3 and FLAC, resampled to 16 kHz mono;
- ``sample_frames`` at 1 and 2 fps on a 60 s 1280x720 H.264 clip (25 fps, 2 s keyframe interval),
  against decoding every frame;
- ``probe`` with verification on each.

Run:  python bench/intake_speed.py [--repeats 5]
Writes bench/results/intake_speed.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import soundfile as sf
from common import median_time  # bench/common.py (scripts run from bench/ or the repo root)
from PIL import Image

from fakeguard.detectors.intake import as_source, load_audio, load_image, probe, sample_frames
from fakeguard.detectors.runtime import set_threads

RESULTS = Path(__file__).resolve().parent / "results" / "intake_speed.json"


def make_media(folder: Path) -> dict[str, Path]:
    rng = np.random.default_rng(0)
    out = {}
    y, x = np.mgrid[0:1080, 0:1920]
    img = np.stack([(x * 255 // 1920), (y * 255 // 1080), ((x + y) % 256)], axis=2).astype(np.uint8)
    img = np.clip(img.astype(int) + rng.integers(-20, 20, img.shape), 0, 255).astype(np.uint8)
    out["jpeg_1080p"] = folder / "photo.jpg"
    Image.fromarray(img).save(out["jpeg_1080p"], quality=90)
    t = np.arange(60 * 44100) / 44100
    stereo = np.stack([0.2 * np.sin(2 * np.pi * 220 * t), 0.2 * np.sin(2 * np.pi * 330 * t)], axis=1)
    stereo += 0.01 * rng.standard_normal(stereo.shape)
    out["flac_60s"] = folder / "minute.flac"
    sf.write(out["flac_60s"], stereo.astype(np.float32), 44100)
    out["mp3_60s"] = folder / "minute.mp3"
    with av.open(str(out["mp3_60s"]), "w") as c:
        s = c.add_stream("libmp3lame", rate=44100, layout="stereo")
        s.bit_rate = 128000
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(stereo.T.astype(np.float32)), format="fltp", layout="stereo"
        )
        frame.sample_rate, frame.pts, frame.time_base = 44100, 0, Fraction(1, 44100)
        c.mux(s.encode(frame))
        c.mux(s.encode())
    out["h264_720p_60s"] = folder / "clip.mp4"
    with av.open(str(out["h264_720p_60s"]), "w") as c:
        s = c.add_stream("libx264", rate=25, options={"g": "50", "preset": "veryfast", "crf": "28"})
        s.width, s.height, s.pix_fmt = 1280, 720, "yuv420p"
        base = np.stack(
            [(x[:720, :1280] * 255 // 1280), (y[:720, :1280] * 255 // 720), np.full((720, 1280), 128)], axis=2
        ).astype(np.uint8)
        for i in range(60 * 25):
            frame = av.VideoFrame.from_ndarray(np.roll(base, 8 * i, axis=1), format="rgb24")
            c.mux(s.encode(frame))
        c.mux(s.encode())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    set_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        media = make_media(Path(tmp))
        src = {k: as_source(v) for k, v in media.items()}
        clip = src["h264_720p_60s"]
        r = {
            "load_image_1080p_jpeg_s": median_time(lambda: load_image(src["jpeg_1080p"]), args.repeats),
            "load_image_1080p_jpeg_max_side_960_s": median_time(
                lambda: load_image(src["jpeg_1080p"], max_side=960), args.repeats
            ),
            "load_audio_60s_flac_44k_stereo_s": median_time(lambda: load_audio(src["flac_60s"]), args.repeats),
            "load_audio_60s_mp3_44k_stereo_s": median_time(lambda: load_audio(src["mp3_60s"]), args.repeats),
            "sample_frames_60s_720p_1fps_s": median_time(
                lambda: list(sample_frames(clip, fps=1.0)), max(1, args.repeats // 2)
            ),
            "sample_frames_60s_720p_2fps_s": median_time(
                lambda: list(sample_frames(clip, fps=2.0)), max(1, args.repeats // 2)
            ),
            "sample_frames_60s_720p_every_frame_s": median_time(lambda: list(sample_frames(clip, fps=25.0)), 1),
            "probe_verify_jpeg_s": median_time(lambda: probe(src["jpeg_1080p"]), args.repeats),
            "probe_verify_mp3_s": median_time(lambda: probe(src["mp3_60s"]), args.repeats),
            "probe_verify_mp4_s": median_time(lambda: probe(clip), args.repeats),
        }
    result = {"threads": args.threads, "repeats": args.repeats, "median_seconds": r}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2))
    for key, value in r.items():
        print(f"{key:45s} {value * 1000:9.1f} ms")


if __name__ == "__main__":
    main()
