"""Talking-head test clips for the video benchmarks, made from ../shared/data.

A clip is what a scam video looks like to the pipeline: one face, moving a
little, over a background, with speech on the audio track. The face comes
from the real talking-head video frames in ``faces/talking_head_frames``
(cross-faded between the six frames of one source video, drifting and
zooming slowly), the speech from real recordings in ``speech/`` joined end
to end. Encoded as H.264 (yuv420p, keyframe every ``gop`` frames) with AAC
stereo audio at 44.1 kHz, as a phone or a website would deliver it.

Run:  python bench/video_media.py OUT.mp4 [--seconds 60] [--height 720]
"""

from __future__ import annotations

import argparse
import csv
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import soundfile as sf

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
AUDIO_RATE = 44100


def talking_frames(identity: str | None = None) -> list[np.ndarray]:
    """The six RGB frames of one real talking-head video (the first identity by default)."""
    folder = SHARED / "faces" / "talking_head_frames"
    with open(folder / "manifest.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    identity = identity or rows[0]["identity"]
    paths = [folder / r["relpath"] for r in rows if r["identity"] == identity]
    if not paths:
        raise SystemExit(f"no frames for identity {identity!r} in {folder}")
    return [cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB) for p in paths]


def speech_track(seconds: float, source: str = "resemblyzer") -> np.ndarray:
    """Real speech joined end to end to ``seconds``, mono float32 at :data:`AUDIO_RATE`."""
    folder = SHARED / "speech" / source
    with open(folder / "manifest.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["label"] == "real"]
    need = int(seconds * AUDIO_RATE)
    parts, total = [], 0
    for row in rows:
        audio, rate = sf.read(folder / row["relpath"], dtype="float32", always_2d=True)
        mono = audio.mean(axis=1)
        if rate != AUDIO_RATE:
            n = int(round(len(mono) * AUDIO_RATE / rate))
            mono = np.interp(np.linspace(0, len(mono) - 1, n), np.arange(len(mono)), mono).astype(np.float32)
        parts.append(mono)
        total += len(mono)
        if total >= need:
            break
    track = np.concatenate(parts)
    if len(track) < need:
        track = np.tile(track, need // len(track) + 1)
    return track[:need]


def background(width: int, height: int) -> np.ndarray:
    """A soft gradient backdrop."""
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([40 + x * 60 // width, 50 + y * 50 // height, np.full_like(x, 70)], axis=2).astype(np.uint8)


def compose_frame(faces: list[np.ndarray], t: float, seconds: float, backdrop: np.ndarray) -> np.ndarray:
    """The picture at time ``t``: the face of the current segment, drifting and zooming slowly.

    The clip is cut into ``len(faces)`` equal segments, one source frame each, with hard
    cuts between them: a cross-fade would superimpose two faces, which is what a blending
    forgery looks like, and a real clip never shows.
    """
    height, width = backdrop.shape[:2]
    frame = backdrop.copy()
    face = faces[min(int(t / max(seconds, 1e-6) * len(faces)), len(faces) - 1)]
    side = int(height * (0.62 + 0.04 * np.sin(2 * np.pi * t / 7.0)))
    face = cv2.resize(face, (side, side), interpolation=cv2.INTER_AREA)
    cx = width // 2 + int(width * 0.08 * np.sin(2 * np.pi * t / 11.0))
    cy = height // 2 + int(height * 0.03 * np.sin(2 * np.pi * t / 5.0))
    x0, y0 = max(0, cx - side // 2), max(0, cy - side // 2)
    x1, y1 = min(width, x0 + side), min(height, y0 + side)
    frame[y0:y1, x0:x1] = face[: y1 - y0, : x1 - x0]
    return frame


def write_talking_clip(
    path: Path,
    seconds: float = 60.0,
    width: int = 1280,
    height: int = 720,
    fps: int = 25,
    gop: int = 50,
    identity: str | None = None,
    with_audio: bool = True,
    faces: list[np.ndarray] | None = None,
    crf: int = 23,
) -> Path:
    """Encode a talking-head clip (H.264 + AAC) to ``path``; see the module docstring.

    ``faces`` replaces the talking-head frames of ``identity`` (any RGB face pictures, shown in turn).
    """
    faces = faces if faces is not None else talking_frames(identity)
    n_frames = int(round(seconds * fps))
    with av.open(str(path), "w") as container:
        video = container.add_stream(
            "libx264", rate=fps, options={"g": str(gop), "preset": "veryfast", "crf": str(crf)}
        )
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        # Every stream is added before the first packet is muxed (the header is written then).
        audio = container.add_stream("aac", rate=AUDIO_RATE, layout="stereo") if with_audio else None
        backdrop = background(width, height)
        for k in range(n_frames):
            frame = av.VideoFrame.from_ndarray(compose_frame(faces, k / fps, seconds, backdrop), format="rgb24")
            container.mux(video.encode(frame))
        container.mux(video.encode())
        if audio is not None:
            samples = speech_track(seconds)
            stereo = np.ascontiguousarray(np.stack([samples, samples]) * 0.8, dtype=np.float32)
            block = 1024 * 32
            for start in range(0, stereo.shape[1], block):
                chunk = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(stereo[:, start : start + block]), format="fltp", layout="stereo"
                )
                chunk.sample_rate, chunk.pts, chunk.time_base = AUDIO_RATE, start, Fraction(1, AUDIO_RATE)
                container.mux(audio.encode(chunk))
            container.mux(audio.encode())
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()
    write_talking_clip(args.out, args.seconds, width=args.height * 16 // 9, height=args.height)
    print(args.out)


if __name__ == "__main__":
    main()
