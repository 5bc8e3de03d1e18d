"""Write the small example files that the README's first command runs on.

They are synthetic (a drawn face, a harmonic tone, a short clip of both) so
that the repository ships no third-party media; run this script again to
recreate them: ``python examples/make_examples.py examples``.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import soundfile as sf
from PIL import Image

SAMPLE_RATE = 16000


def drawn_portrait(width: int = 320, height: int = 240, shift: int = 0) -> np.ndarray:
    """A drawn face that the face detector finds, on a ``width`` x ``height`` canvas (RGB uint8).

    The drawing is the tests' own (``tests/media_factory.cartoon_face``), so the
    examples and the tests show the detector the same face.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from media_factory import cartoon_face

    face = cartoon_face(height)
    canvas = np.empty((height, width, 3), np.uint8)
    canvas[:] = face[0, 0]
    x = (width - height) // 2 + shift
    canvas[:, max(0, x) : x + height] = face[:, max(0, -x) : width - x]
    return canvas


def harmonic_tone(seconds: float = 2.0, f0: float = 140.0) -> np.ndarray:
    """A vowel-like tone: harmonics of a gliding f0 with a syllable-rate envelope (float32, mono)."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    pitch = f0 * (1 + 0.1 * np.sin(2 * np.pi * 0.7 * t))
    phase = 2 * np.pi * np.cumsum(pitch) / SAMPLE_RATE
    signal = sum(np.sin(k * phase) / k for k in range(1, 12))
    envelope = 0.5 * (1 - np.cos(2 * np.pi * 3 * t)) * np.minimum(1, 5 * t) * np.minimum(1, 5 * (seconds - t))
    return (0.2 * signal * envelope).astype(np.float32)


def write_clip(path: Path, seconds: float = 2.0, fps: int = 12) -> None:
    """An MP4 (H.264 + AAC) of the drawing swaying, with the tone as its soundtrack."""
    tone = harmonic_tone(seconds)
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps, options={"crf": "30"})
        video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
        audio = container.add_stream("aac", rate=SAMPLE_RATE, layout="mono")
        for i in range(int(seconds * fps)):
            frame = av.VideoFrame.from_ndarray(drawn_portrait(shift=int(20 * np.sin(i / 4))), format="rgb24")
            container.mux(video.encode(frame))
        container.mux(video.encode())
        frame = av.AudioFrame.from_ndarray(tone[None, :], format="flt", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = SAMPLE_RATE, 0, Fraction(1, SAMPLE_RATE)
        container.mux(audio.encode(frame))
        container.mux(audio.encode())


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    Image.fromarray(drawn_portrait(480, 400)).save(out / "portrait.jpg", quality=90)
    sf.write(out / "tone.flac", harmonic_tone(), SAMPLE_RATE)
    write_clip(out / "clip.mp4")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent))
