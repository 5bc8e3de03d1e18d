"""Small synthetic media files for the intake tests, written with Pillow, soundfile and PyAV.

Every generator writes one tiny file (at most 2 s, at most 128x96 pixels)
into a folder the caller gives and returns its path. Contents are synthetic:
gradients, a marker block, 440 Hz tones, noise. Nothing is read from
``../shared``.

The module is plain (no pytest imports) so that tests, fixtures and ad-hoc
scripts can all use it.
"""

from __future__ import annotations

import struct
import zlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import soundfile as sf
from PIL import Image

# The drawn faces live in the package (the notebooks' generated data uses them too).
from fakeguard.datasets.demo import cartoon_face, face_scene  # noqa: F401

W, H = 128, 96
TONE_HZ = 440.0

# --------------------------------------------------------------------------- pixels


def gradient_rgb(width: int = W, height: int = H) -> np.ndarray:
    """(H, W, 3) uint8: red grows left to right, green top to bottom, blue constant."""
    x = np.linspace(0, 255, width, dtype=np.float64)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float64)[:, None]
    r = np.broadcast_to(x, (height, width))
    g = np.broadcast_to(y, (height, width))
    b = np.full((height, width), 96.0)
    return np.stack([r, g, b], axis=2).round().astype(np.uint8)


def marker_rgb(width: int = W, height: int = H, block: int = 24) -> np.ndarray:
    """A dark frame with a bright white block in its top-left corner (orientation marker)."""
    img = np.full((height, width, 3), 16, dtype=np.uint8)
    img[:block, :block] = 240
    return img


def bright_quadrant(pixels: np.ndarray) -> str:
    """Which quadrant (``tl``, ``tr``, ``bl``, ``br``) of an image is brightest."""
    h, w = pixels.shape[:2]
    grey = pixels.astype(np.float64).mean(axis=2)
    quads = {
        "tl": grey[: h // 2, : w // 2].mean(),
        "tr": grey[: h // 2, w // 2 :].mean(),
        "bl": grey[h // 2 :, : w // 2].mean(),
        "br": grey[h // 2 :, w // 2 :].mean(),
    }
    return max(quads, key=quads.get)


# --------------------------------------------------------------------------- images


def write_image(
    folder: Path, fmt: str, name: str | None = None, pixels: np.ndarray | None = None, **save_kwargs
) -> Path:
    """Save ``pixels`` (default: a gradient) with Pillow as ``fmt`` (JPEG, PNG, WEBP, BMP, TIFF)."""
    pixels = gradient_rgb() if pixels is None else pixels
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "BMP": "bmp", "TIFF": "tiff", "GIF": "gif"}[fmt]
    path = Path(folder) / (name or f"image.{ext}")
    if fmt == "JPEG":
        save_kwargs.setdefault("quality", 95)
    if fmt == "WEBP":
        save_kwargs.setdefault("lossless", True)
    Image.fromarray(pixels, "RGB").save(path, fmt, **save_kwargs)
    return path


def write_jpeg(
    folder: Path, name: str = "image.jpg", orientation: int | None = None, pixels: np.ndarray | None = None
) -> Path:
    """A JPEG, optionally with an EXIF orientation tag (6 = stored image must be turned 90 deg clockwise)."""
    kwargs = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        kwargs["exif"] = exif.tobytes()
    return write_image(folder, "JPEG", name, pixels, **kwargs)


def write_gif(folder: Path, name: str = "anim.gif") -> tuple[Path, list[np.ndarray]]:
    """A two-frame GIF: frame 0 pure red, frame 1 pure blue. Returns the path and the frames."""
    red = np.zeros((H, W, 3), np.uint8)
    red[..., 0] = 255
    blue = np.zeros((H, W, 3), np.uint8)
    blue[..., 2] = 255
    frames = [Image.fromarray(red), Image.fromarray(blue)]
    path = Path(folder) / name
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return path, [red, blue]


def write_png16(folder: Path, name: str = "deep.png") -> tuple[Path, np.ndarray]:
    """A 16-bit greyscale PNG whose values span 1000..60000 (most of them above 255).

    Returns the path and the stored 16-bit values.
    """
    ramp = np.linspace(1000, 60000, W, dtype=np.float64)[None, :]
    values = np.broadcast_to(ramp, (H, W)).round().astype(np.uint16)
    path = Path(folder) / name
    Image.fromarray(values).save(path, "PNG")  # uint16 array -> mode I;16
    return path, values


def png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk with its length and CRC."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_header_bytes(width: int, height: int, idat: bytes = b"") -> bytes:
    """A PNG signature, a valid IHDR declaring ``width`` x ``height`` 8-bit RGB, an optional IDAT, IEND."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
    if idat:
        out += png_chunk(b"IDAT", idat)
    return out + png_chunk(b"IEND", b"")


def png_bomb_bytes(side: int = 100_000) -> bytes:
    """A PNG whose header claims ``side`` x ``side`` pixels and whose IDAT holds a few compressed bytes."""
    return png_header_bytes(side, side, zlib.compress(b"\x00" * 64))


# --------------------------------------------------------------------------- audio


def tone(
    seconds: float = 1.0, rate: int = 16000, channels: int = 1, freq: float = TONE_HZ, amplitude: float = 0.5
) -> np.ndarray:
    """(n, channels) float32 sine; channel c has amplitude ``amplitude / (c + 1)``."""
    n = int(round(seconds * rate))
    t = np.arange(n, dtype=np.float64) / rate
    base = np.sin(2 * np.pi * freq * t)
    cols = [amplitude / (c + 1) * base for c in range(channels)]
    return np.stack(cols, axis=1).astype(np.float32)


def write_wav(
    folder: Path,
    name: str = "tone.wav",
    seconds: float = 1.0,
    rate: int = 16000,
    channels: int = 1,
    subtype: str = "PCM_16",
    samples: np.ndarray | None = None,
) -> Path:
    """A WAV (``PCM_16`` or ``FLOAT``) of a 440 Hz tone, or of ``samples`` ((n, channels) float)."""
    data = tone(seconds, rate, channels) if samples is None else samples
    path = Path(folder) / name
    sf.write(path, data, rate, subtype=subtype, format="WAV")
    return path


def write_flac(
    folder: Path, name: str = "tone.flac", seconds: float = 1.0, rate: int = 16000, channels: int = 1
) -> Path:
    path = Path(folder) / name
    sf.write(path, tone(seconds, rate, channels), rate, subtype="PCM_16", format="FLAC")
    return path


def wav_header_bytes(seconds: float, rate: int = 16000, channels: int = 1, payload: int = 64) -> bytes:
    """A 16-bit PCM RIFF/WAVE whose data chunk declares ``seconds`` of audio but holds ``payload`` bytes."""
    block = 2 * channels
    data_size = min(int(seconds * rate) * block, 0xFFFFFFFF - 36)
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block, block, 16)
    riff_size = min(36 + data_size, 0xFFFFFFFF)
    return (
        b"RIFF"
        + struct.pack("<I", riff_size)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", data_size)
        + bytes(payload)
    )


def _add_audio_stream(container: av.container.OutputContainer, codec: str, rate: int, channels: int):
    layout = "mono" if channels == 1 else "stereo"
    stream = container.add_stream(codec, rate=rate, layout=layout)
    stream.codec_context.format = stream.codec_context.codec.audio_formats[0].name
    if codec == "vorbis":
        stream.codec_context.options = {"strict": "experimental"}
    return stream


def _encode_audio_frames(container: av.container.OutputContainer, stream, samples: np.ndarray) -> None:
    """Encode (n, channels) float samples into ``stream`` and mux them, then flush."""
    fmt = stream.codec_context.format.name
    layout = stream.codec_context.layout.name
    rate = stream.codec_context.sample_rate
    planar = fmt.endswith("p")
    base = fmt.rstrip("p")
    if base == "s16":
        pcm = np.clip(samples * 32767, -32768, 32767).astype(np.int16)
    elif base == "s32":
        pcm = np.clip(samples.astype(np.float64) * 2147483647, -2147483648, 2147483647).astype(np.int32)
    else:
        pcm = samples.astype(np.float32)
    frame_size = stream.codec_context.frame_size or 1024
    pts = 0
    for start in range(0, len(pcm), frame_size):
        chunk = pcm[start : start + frame_size]
        arr = np.ascontiguousarray(chunk.T) if planar else np.ascontiguousarray(chunk.reshape(1, -1))
        frame = av.AudioFrame.from_ndarray(arr, format=fmt, layout=layout)
        frame.sample_rate = rate
        frame.pts = pts
        frame.time_base = Fraction(1, rate)
        pts += len(chunk)
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode(None):
        container.mux(packet)


def _encode_audio(container: av.container.OutputContainer, codec: str, rate: int, channels: int, samples: np.ndarray):
    stream = _add_audio_stream(container, codec, rate, channels)
    _encode_audio_frames(container, stream, samples)
    return stream


#: format name -> (PyAV container format, codec, native rate, extension)
AUDIO_CODECS = {
    "mp3": ("mp3", "libmp3lame", 44100, "mp3"),
    "m4a": ("ipod", "aac", 44100, "m4a"),
    "ogg_vorbis": ("ogg", "vorbis", 44100, "ogg"),
    "ogg_opus": ("ogg", "libopus", 48000, "opus"),
    "flac_av": ("flac", "flac", 44100, "flac"),
}


def write_av_audio(folder: Path, kind: str, name: str | None = None, seconds: float = 1.0, channels: int = 1) -> Path:
    """An audio-only file encoded by PyAV: mp3, m4a (AAC), ogg_vorbis, ogg_opus or flac_av."""
    container_fmt, codec, rate, ext = AUDIO_CODECS[kind]
    if codec == "vorbis":
        channels = 2  # FFmpeg's native Vorbis encoder only writes stereo
    path = Path(folder) / (name or f"{kind}.{ext}")
    samples = tone(seconds, rate, channels)
    with av.open(str(path), mode="w", format=container_fmt) as container:
        _encode_audio(container, codec, rate, channels, samples)
    return path


def write_mp3(folder: Path, name: str = "tone.mp3", seconds: float = 1.0, channels: int = 1) -> Path:
    return write_av_audio(folder, "mp3", name, seconds, channels)


# --------------------------------------------------------------------------- video

#: extension -> (PyAV container format, video codec, pixel format)
VIDEO_FORMATS = {
    "mp4": ("mp4", "libx264", "yuv420p"),
    "mov": ("mov", "libx264", "yuv420p"),
    "mkv": ("matroska", "libx264", "yuv420p"),
    "webm": ("webm", "libvpx-vp9", "yuv420p"),
    "avi": ("avi", "mpeg4", "yuv420p"),
}


def moving_frame(i: int, n: int, width: int = W, height: int = H) -> np.ndarray:
    """Frame ``i`` of ``n``: a gradient with a bright bar that moves left to right."""
    img = gradient_rgb(width, height) // 2
    x = int(i * (width - 8) / max(n - 1, 1))
    img[:, x : x + 8] = 250
    return img


def write_video(
    folder: Path,
    ext: str = "mp4",
    name: str | None = None,
    seconds: float = 2.0,
    fps: int = 10,
    width: int = W,
    height: int = H,
    audio: bool = False,
    rotation: int | None = None,
    frames: list[np.ndarray] | None = None,
    gop: int | None = None,
    audio_samples: np.ndarray | None = None,
) -> Path:
    """A short video: ``seconds * fps`` frames (or ``frames``), optional AAC (or Vorbis/Opus) audio track.

    ``rotation``: counter-clockwise degrees written to the display matrix (``set_display_rotation``).
    ``audio_samples``: ``(n, 2)`` float samples at the track's rate (44.1 kHz AAC, 48 kHz Opus)
    instead of the default tone; implies ``audio``.
    """
    audio = audio or audio_samples is not None
    container_fmt, codec, pix_fmt = VIDEO_FORMATS[ext]
    path = Path(folder) / (name or f"clip.{ext}")
    n = len(frames) if frames is not None else int(round(seconds * fps))
    with av.open(str(path), mode="w", format=container_fmt) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        audio_stream = None
        if audio:
            audio_codec = {"webm": "libopus", "avi": "libmp3lame"}.get(ext, "aac")
            audio_rate = 48000 if audio_codec == "libopus" else 44100
            audio_stream = _add_audio_stream(container, audio_codec, audio_rate, 2)
        if gop:
            stream.codec_context.gop_size = gop
        if codec == "libx264":
            stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        if codec == "libvpx-vp9":
            stream.options = {"deadline": "realtime", "cpu-used": "8"}
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for i in range(n):
            pixels = frames[i] if frames is not None else moving_frame(i, n, width, height)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
        if audio_stream is not None:
            rate = audio_stream.codec_context.sample_rate
            samples = audio_samples if audio_samples is not None else tone(n / fps, rate, 2)
            _encode_audio_frames(container, audio_stream, samples)
    return path


def write_vfr_video(folder: Path, name: str = "vfr.mp4") -> tuple[Path, list[float]]:
    """A variable-frame-rate MP4: frames at irregular times (fine 1/90000 time base) over 2 s.

    Frames come 1/30 s apart for the first half second, then 0.3 s apart, then
    1/15 s apart. Returns the path and the frame times in seconds.
    """
    times = [i / 30 for i in range(15)] + [0.5 + 0.3 * i for i in range(1, 4)] + [1.5 + i / 15 for i in range(8)]
    tb = Fraction(1, 90000)
    path = Path(folder) / name
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264")
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        stream.codec_context.time_base = tb
        stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        for i, t in enumerate(times):
            frame = av.VideoFrame.from_ndarray(moving_frame(i, len(times)), format="rgb24")
            frame.pts = int(round(t / tb))
            frame.time_base = tb
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path, times


def _top_level_boxes(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, offset, size) of each top-level ISO-BMFF box."""
    boxes, off = [], 0
    while off + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[off : off + 8])
        if size < 8:
            break
        boxes.append((kind, off, size))
        off += size
    return boxes


def write_frameless_mp4(folder: Path, name: str = "frameless.mp4") -> Path:
    """An MP4 whose moov declares an H.264 video track but whose mdat holds no frame data.

    A valid clip is written with ``movflags=faststart`` (moov before mdat) and
    cut right after the mdat box header: the header is whole, the frames are gone.
    (FFmpeg's MP4 muxer drops a track with zero packets, so "a stream with
    no encoded frame" has to be made this way.)
    """
    path = Path(folder) / name
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        for i in range(5):
            for packet in stream.encode(av.VideoFrame.from_ndarray(moving_frame(i, 5), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    data = path.read_bytes()
    boxes = {kind: (off, size) for kind, off, size in _top_level_boxes(data)}
    assert boxes[b"moov"][0] < boxes[b"mdat"][0], "faststart did not move moov before mdat"
    path.write_bytes(data[: boxes[b"mdat"][0] + 8])
    return path


def mkv_header_only(data: bytes) -> bytes:
    """A Matroska/WebM file cut before its first Cluster: EBML header, Segment info, Tracks, no frame."""
    cut = data.find(b"\x1f\x43\xb6\x75")
    if cut < 0:
        raise ValueError("no Cluster element found")
    return data[:cut]


def write_audio_only_mp4(folder: Path, name: str = "voice.mp4", seconds: float = 1.0) -> Path:
    """An MP4 container (``isom`` brand, sniffed as video) holding only an AAC track."""
    path = Path(folder) / name
    with av.open(str(path), mode="w", format="mp4") as container:
        _encode_audio(container, "aac", 44100, 1, tone(seconds, 44100, 1))
    return path


def write_audio_with_cover_art(folder: Path, name: str = "song.mp4", seconds: float = 1.0) -> Path:
    """An MP4 holding an AAC track and a PNG album cover (a video stream flagged ``attached_pic``)."""
    path = Path(folder) / name
    with av.open(str(path), mode="w", format="mp4") as container:
        audio = _add_audio_stream(container, "aac", 44100, 1)
        cover = container.add_stream("png", rate=1)
        cover.width, cover.height, cover.pix_fmt = 64, 64, "rgb24"
        cover.disposition = av.stream.Disposition.attached_pic
        frame = av.VideoFrame.from_ndarray(gradient_rgb(64, 64), format="rgb24")
        for packet in [*cover.encode(frame), *cover.encode(None)]:
            container.mux(packet)
        _encode_audio_frames(container, audio, tone(seconds, 44100, 1))
    return path


# --------------------------------------------------------------------------- the catalogue


def build_catalogue(folder: Path) -> dict[str, Path]:
    """Write one file of every format the intake tests know; return name -> path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {
        "jpeg": write_jpeg(folder),
        "jpeg_exif6": write_jpeg(folder, "rotated.jpg", orientation=6, pixels=marker_rgb()),
        "png": write_image(folder, "PNG"),
        "webp": write_image(folder, "WEBP"),
        "bmp": write_image(folder, "BMP"),
        "tiff": write_image(folder, "TIFF"),
        "gif": write_gif(folder)[0],
        "png16": write_png16(folder)[0],
        "wav16": write_wav(folder, "tone16.wav"),
        "wav_float": write_wav(folder, "tonef.wav", subtype="FLOAT"),
        "wav_stereo": write_wav(folder, "stereo.wav", channels=2, rate=22050),
        "flac": write_flac(folder),
        "ogg_vorbis": write_av_audio(folder, "ogg_vorbis"),
        "ogg_opus": write_av_audio(folder, "ogg_opus"),
        "mp3": write_av_audio(folder, "mp3"),
        "m4a": write_av_audio(folder, "m4a"),
        "mp4": write_video(folder, "mp4"),
        "mp4_audio": write_video(folder, "mp4", name="clip_av.mp4", audio=True),
        "mov": write_video(folder, "mov"),
        "mkv": write_video(folder, "mkv"),
        "webm": write_video(folder, "webm", seconds=1.0),
        "avi": write_video(folder, "avi"),
        "rotated_mp4": write_video(
            folder, "mp4", name="rot90.mp4", seconds=0.5, rotation=90, frames=[marker_rgb()] * 5
        ),
        "vfr_mp4": write_vfr_video(folder)[0],
        "audio_only_mp4": write_audio_only_mp4(folder),
    }
    return out


#: Expected (kind, format) from sniffing each catalogue entry's bytes.
SNIFF_EXPECTED: dict[str, tuple[str, str]] = {
    "jpeg": ("image", "jpeg"),
    "jpeg_exif6": ("image", "jpeg"),
    "png": ("image", "png"),
    "webp": ("image", "webp"),
    "bmp": ("image", "bmp"),
    "tiff": ("image", "tiff"),
    "gif": ("image", "gif"),
    "png16": ("image", "png"),
    "wav16": ("audio", "wav"),
    "wav_float": ("audio", "wav"),
    "wav_stereo": ("audio", "wav"),
    "flac": ("audio", "flac"),
    "ogg_vorbis": ("audio", "ogg"),
    "ogg_opus": ("audio", "ogg"),
    "mp3": ("audio", "mp3"),
    "m4a": ("audio", "m4a"),
    "mp4": ("video", "mp4"),
    "mp4_audio": ("video", "mp4"),
    "mov": ("video", "mov"),
    "mkv": ("video", "mkv"),
    "webm": ("video", "webm"),
    "avi": ("video", "avi"),
    "rotated_mp4": ("video", "mp4"),
    "vfr_mp4": ("video", "mp4"),
    "audio_only_mp4": ("video", "mp4"),  # the sniffer says video; probe resolves it to audio
}

IMAGE_KEYS = ("jpeg", "jpeg_exif6", "png", "webp", "bmp", "tiff", "gif", "png16")
AUDIO_KEYS = ("wav16", "wav_float", "wav_stereo", "flac", "ogg_vorbis", "ogg_opus", "mp3", "m4a")
VIDEO_KEYS = ("mp4", "mp4_audio", "mov", "mkv", "webm", "avi", "rotated_mp4", "vfr_mp4")
