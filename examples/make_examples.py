"""Write the small example files that the README's first command runs on.

They are synthetic (a drawn face, a harmonic tone, a short clip of both) so
that the repository ships no third-party media; run this script again to
recreate them: ``python examples/make_examples.py examples``. The drawing and
the tone are the package's own (:mod:`fakeguard.datasets.demo`), which the
tests and the notebooks' generated data use too.
"""

from __future__ import annotations

import sys
from pathlib import Path

import soundfile as sf
from PIL import Image

from fakeguard.datasets.demo import SAMPLE_RATE, drawn_portrait, harmonic_tone, write_clip


def main(out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    Image.fromarray(drawn_portrait(480, 400)).save(out / "portrait.jpg", quality=90)
    sf.write(out / "tone.flac", harmonic_tone(), SAMPLE_RATE)
    write_clip(out / "clip.mp4")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).parent))
