"""Degradations applied to face crops of both classes alike.

Face-forgery sets carry shortcuts as audio sets do: FaceForensics++'s fakes
were re-encoded once more than its reals, web reals arrive as small JPEGs,
pseudo-fakes (:mod:`fakeguard.datasets.pseudo`) are made from clean crops.
A model that sees every compression level, resolution, blur, noise and
colour cast on reals and fakes alike cannot use them, and must learn the
blending and generation artefacts instead. :func:`degrade` gives each crop
each degradation independently, with its probability, in the order a real
picture meets them: colour (camera and editing), blur (optics, motion),
resolution loss (resizing on upload), sensor noise, then video (H.264) and
JPEG compression. Horizontal flips are the trainer's job, not this module's.

Why H.264 as well as JPEG: video frames are the pictures fakeguard scores
most, and a model trained with JPEG alone scored the frames of a real
talking-head clip (H.264, CRF 23) 0.5 to 0.9 where the same frames as JPEG
scored 0.1 to 0.3. H.264's deblocking filter smooths skin while keeping
edges, which is close to what a self-blended forgery looks like, so the
model must see it on real faces too.

Why plain OpenCV and not albumentations: each degradation is one or two
OpenCV calls (``imencode``/``imdecode``, ``resize``, ``GaussianBlur``, a
lookup table, a saturation mix), and albumentations would be one more
dependency, with its own pin on ``opencv-python-headless`` to keep in step
with the one fakeguard already uses. Every draw comes from the ``rng`` passed
in, so a crop's degradation is reproducible; albumentations draws from
Python's and NumPy's global state.

Cost on one core of a busy 2-core machine, per 224 px crop: about 1 ms
median (1.5 ms mean), 4.6 ms when the five image degradations apply, half of
that drawing the Gaussian noise; H.264 adds about 20 ms to the crops it is
drawn for (an encoder is opened per crop).
"""

from __future__ import annotations

import io

import av
import cv2
import numpy as np
from numpy.typing import NDArray

#: Probability of each degradation at ``strength=1`` (each drawn independently).
P_COLOUR = 0.5
P_BLUR = 0.2
P_RESIZE = 0.3
P_NOISE = 0.2
P_JPEG = 0.6
P_H264 = 0.35

#: Ranges the degradations draw from.
JPEG_QUALITY = (30, 95)
H264_CRF = (18, 36)  # x264's default is 23; streaming sites use about 23 to 28, messengers up to about 35
H264_PRESETS = ("veryfast", "medium")  # both keep the deblocking filter (ultrafast turns it off)
RESIZE_SCALE = (0.35, 1.0)
BLUR_SIGMA = (0.3, 1.5)
NOISE_SIGMA = (1.0, 8.0)  # grey levels
COLOUR = 0.15  # brightness, contrast and saturation, each within +-15 %

_INTERPOLATIONS = (cv2.INTER_LINEAR, cv2.INTER_AREA, cv2.INTER_CUBIC, cv2.INTER_NEAREST)


def jpeg(image: NDArray[np.uint8], quality: int) -> NDArray[np.uint8]:
    """Encode as JPEG at ``quality`` and decode, in memory (4:2:0 chroma, as most encoders)."""
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        return image
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def h264(
    image: NDArray[np.uint8], crf: int, preset: str = "veryfast", shift: tuple[int, int] | None = None
) -> NDArray[np.uint8]:
    """Encode with x264 at ``crf`` and decode, in memory (yuv420p, as every phone and website delivers video).

    With ``shift``, the image is coded as a P-frame predicted from a copy moved by ``shift``
    pixels (rows, columns), as most frames of a video are; without, as a keyframe.
    Odd sizes lose their last row or column to 4:2:0 and are padded back by replication;
    an image under 2 pixels on a side cannot be coded in 4:2:0 and is returned as it is.
    """
    height, width = image.shape[:2]
    if height < 2 or width < 2:
        return image.copy()
    even = np.ascontiguousarray(image[: height // 2 * 2, : width // 2 * 2])
    frames = [even] if shift is None else [np.roll(even, shift, axis=(0, 1)), even]
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=25, options={"crf": str(int(crf)), "preset": preset})
        stream.width, stream.height, stream.pix_fmt = even.shape[1], even.shape[0], "yuv420p"
        for pixels in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(stream.encode())
    buffer.seek(0)
    with av.open(buffer) as container:
        decoded = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    out = decoded[-1]
    if out.shape[:2] != (height, width):
        out = cv2.copyMakeBorder(out, 0, height - out.shape[0], 0, width - out.shape[1], cv2.BORDER_REPLICATE)
    return out


def resize_roundtrip(image: NDArray[np.uint8], scale: float, down: int, up: int) -> NDArray[np.uint8]:
    """Shrink by ``scale`` with interpolation ``down`` and enlarge back with ``up``."""
    h, w = image.shape[:2]
    small = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=down)
    return cv2.resize(small, (w, h), interpolation=up)


def colour_jitter(image: NDArray[np.uint8], brightness: float, contrast: float, saturation: float) -> NDArray[np.uint8]:
    """Scale brightness, contrast (about mid-grey) and saturation (about each pixel's grey) by these factors."""
    levels = np.arange(256, dtype=np.float32)
    lut = np.clip((levels * brightness - 128.0) * contrast + 128.0, 0, 255).astype(np.uint8)
    out = cv2.LUT(image, lut)
    if saturation != 1.0:
        grey = cv2.cvtColor(cv2.cvtColor(out, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)
        out = cv2.addWeighted(out, saturation, grey, 1.0 - saturation, 0.0)  # rounds and saturates
    return out


def add_noise(image: NDArray[np.uint8], sigma: float, rng: np.random.Generator) -> NDArray[np.uint8]:
    """Add independent Gaussian noise of ``sigma`` grey levels to every pixel and channel."""
    noise = rng.standard_normal(image.shape, dtype=np.float32)
    noise *= np.float32(sigma)
    return cv2.add(image, noise, dtype=cv2.CV_8U)  # rounds and saturates


def degrade(image: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> NDArray[np.uint8]:
    """A randomly degraded copy of a face crop.

    Args:
        image: ``(H, W, 3)`` uint8 RGB.
        rng: every draw comes from it: the same state gives the same output.
        strength: multiplies every degradation's probability (capped at 1):
            0 leaves the image as it is, 1 gives the module's probabilities,
            2 about twice as many degradations. The ranges do not change.
            For one ``rng`` state a higher strength applies the same
            degradations and more.

    Returns:
        A new ``(H, W, 3)`` uint8 RGB array.
    """
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected (H, W, 3) uint8 RGB, got {image.shape} {image.dtype}")
    strength = max(float(strength), 0.0)
    coin = rng.random(6)
    apply = coin < np.minimum(np.array([P_COLOUR, P_BLUR, P_RESIZE, P_NOISE, P_JPEG, P_H264]) * strength, 1.0)
    out = image.copy()
    if apply[0]:
        brightness, contrast, saturation = 1.0 + rng.uniform(-COLOUR, COLOUR, size=3)
        out = colour_jitter(out, brightness, contrast, saturation)
    if apply[1]:
        sigma = rng.uniform(*BLUR_SIGMA)
        out = cv2.GaussianBlur(out, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT101)
    if apply[2]:
        scale = rng.uniform(*RESIZE_SCALE)
        down, up = (_INTERPOLATIONS[i] for i in rng.integers(len(_INTERPOLATIONS), size=2))
        out = resize_roundtrip(out, scale, down, up)
    if apply[3]:
        out = add_noise(out, rng.uniform(*NOISE_SIGMA), rng)
    if apply[5]:
        crf = int(rng.integers(H264_CRF[0], H264_CRF[1] + 1))
        preset = H264_PRESETS[int(rng.integers(len(H264_PRESETS)))]
        shift = None if rng.random() < 0.3 else (int(rng.integers(-3, 4)), int(rng.integers(-3, 4)))
        out = h264(out, crf, preset, shift)
    if apply[4]:
        out = jpeg(out, int(rng.integers(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1)))
    return out
