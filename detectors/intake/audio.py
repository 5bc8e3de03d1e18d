"""Audio decoding: any supported file, or a video's audio track, to mono float32 at a chosen rate.

PyAV decodes (FFmpeg's decoders for PCM, FLAC, MP3, AAC, Vorbis and Opus) and
resamples with libswresample in the same pass, so a long 48 kHz stereo track is
never held in memory at its native rate. This is the only place in fakeguard
where audio is decoded: training, evaluation and serving all call
:func:`load_audio`, so they see the same samples.
"""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np

from ..errors import CorruptMedia, MediaError, UnsupportedMedia
from ._av import check_duration, decode_error, decoder_context, open_container, stream_duration, stream_infos
from .info import DecodedAudio, MediaInfo
from .limits import IntakeLimits
from .sniff import MediaKind, Sniffed, sniff
from .source import Deadline, MediaSource, check_size

#: A stream that decodes to less than this share of its declared length is truncated.
TRUNCATION_TOLERANCE = 0.9
#: Declared lengths under this many seconds of slack are not called truncated
#: (encoder padding and priming samples make short files a little off).
TRUNCATION_SLACK_S = 0.25
#: No real recording is sampled faster (DXD is 352.8 kHz, the fastest PCM rates
#: 768 kHz); a header claiming more is damaged, and resampling from it to 16 kHz
#: costs seconds per packet, so a small file could hold a worker until the timeout.
MAX_SAMPLE_RATE = 768_000


def load_audio(
    src: MediaSource, sample_rate: int = 16000, limits: IntakeLimits | None = None, *, sniffed: Sniffed | None = None
) -> DecodedAudio:
    """Decode the first audio stream of ``src`` to mono float32.

    Args:
        src: an audio file, or a video whose audio track is wanted.
        sample_rate: output rate in Hz (16 kHz is what the voice models use).
        limits: intake limits; the declared duration is checked before decoding
            and the decoded length while decoding.
        sniffed: the sniffer's answer when the caller already has it.

    Returns:
        The samples; channels are averaged to mono by the resampler.

    Raises:
        UnsupportedMedia: not audio or video, or a container with no audio stream.
        CorruptMedia: unreadable, truncated, no samples, or NaN/inf samples.
        MediaTooLarge: over ``max_bytes`` or ``max_duration_s``.
        MediaTimeout: decoding ran past ``decode_timeout_s``.
    """
    limits = limits or IntakeLimits()
    sniffed = sniffed or sniff(src)
    if sniffed.kind is MediaKind.IMAGE:
        raise UnsupportedMedia(src.name, f"expected audio or video, the bytes are an image ({sniffed.format})")
    check_size(src, limits)
    wav_declared = _check_wav_header(src, sniffed, limits)
    deadline = Deadline(src.name, limits.decode_timeout_s)
    with open_container(src, sniffed.format) as container:
        if not container.streams.audio:
            raise UnsupportedMedia(src.name, f"{sniffed.format} file has no audio stream")
        stream = container.streams.audio[0]
        ctx = decoder_context(src, stream, f"{sniffed.format} audio")
        # A WAV header's own data size is the truth FFmpeg hides (it clamps to the file),
        # so truncation of a WAV is judged against it.
        declared = wav_declared or stream_duration(stream, container)
        check_duration(src, declared, limits)
        native_rate = int(ctx.sample_rate or 0)
        if native_rate > MAX_SAMPLE_RATE:
            raise CorruptMedia(
                src.name,
                f"the header declares a sample rate of {native_rate} Hz, "
                f"over the {MAX_SAMPLE_RATE} Hz of any real recording",
            )
        layout = ctx.layout
        native_channels = len(layout.channels) if layout is not None else 0
        # Resample only (packed float, the input's own layout) and average the
        # channels here: libswresample's down-mix to mono sums the channels at
        # -3 dB, which is not an average and overshoots [-1, 1] on full-scale stereo.
        # (Packed, not planar: PyAV reads planes past the eighth out of bounds.)
        resampler = _BlockResampler(sample_rate)
        max_samples = int(limits.max_duration_s * sample_rate) + sample_rate
        chunks: list[np.ndarray] = []
        n_samples = 0
        damaged = 0
        try:
            for packet in container.demux(stream):
                deadline.check()
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError:
                    damaged += 1  # one damaged packet: skip it as players do, and say so
                    continue
                for frame in frames:
                    for chunk in resampler.push(frame):
                        chunks.append(chunk)
                        n_samples += len(chunk)
                if n_samples > max_samples:
                    check_duration(src, n_samples / sample_rate, limits)
            chunks += resampler.finish()
        except MediaError:
            raise
        except Exception as exc:
            raise decode_error(src, f"{sniffed.format} audio", exc) from exc
    samples = np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, np.float32)
    return _checked(src, sniffed, samples, sample_rate, declared, native_rate, native_channels, damaged)


class _BlockResampler:
    """libswresample fed about a second of audio at a time instead of every decoded frame.

    Resampling is chunk-invariant (the output is bit-identical whatever the
    input chunking; ``tests/detectors/test_intake_audio.py`` checks it), and one
    call per second instead of one per 1152-sample MP3 frame halves the time of
    decoding a long MP3. Frames are kept as they came, so that any block the
    library refuses to assemble is resampled frame by frame instead.
    """

    def __init__(self, rate: int, block_s: float = 1.0) -> None:
        self._resampler = av.AudioResampler(format="flt", rate=rate)
        self._frames: list[av.AudioFrame] = []
        self._key: tuple[str, str, int] | None = None
        self._pending = 0
        self._pts = 0
        self._block_s = block_s

    def push(self, frame: av.AudioFrame) -> list[np.ndarray]:
        """Queue a decoded frame; returns the mono chunks that became ready."""
        key = (frame.format.name, frame.layout.name, frame.sample_rate)
        out = self._flush() if key != self._key else []
        self._key = key
        self._frames.append(frame)
        self._pending += frame.samples
        if self._pending >= self._block_s * frame.sample_rate:
            out += self._flush()
        return out

    def finish(self) -> list[np.ndarray]:
        """Everything still queued, and the resampler's tail."""
        return self._flush() + [_mono(o) for o in self._resampler.resample(None)]

    def _flush(self) -> list[np.ndarray]:
        frames, self._frames, self._pending = self._frames, [], 0
        if not frames:
            return []
        fmt, layout, rate = self._key
        # Planar formats over eight channels go frame by frame: PyAV reads planes
        # past the eighth out of bounds when it builds such a frame from an array.
        if len(frames) > 1 and not (frames[0].format.is_planar and len(frames[0].layout.channels) > 8):
            try:
                block = np.concatenate([f.to_ndarray() for f in frames], axis=1)
                joined = av.AudioFrame.from_ndarray(np.ascontiguousarray(block), format=fmt, layout=layout)
                joined.sample_rate, joined.pts, joined.time_base = rate, self._pts, Fraction(1, rate)
                self._pts += joined.samples
                return [_mono(o) for o in self._resampler.resample(joined)]
            except (ValueError, TypeError, av.error.FFmpegError):
                pass  # an unusual layout or format: fall back to the frames themselves
        out = []
        for frame in frames:
            frame.pts, frame.time_base = self._pts, Fraction(1, rate)
            self._pts += frame.samples
            out += [_mono(o) for o in self._resampler.resample(frame)]
        return out


def _mono(frame: av.AudioFrame) -> np.ndarray:
    """A packed float frame's channels averaged to one (n,) float32 array."""
    interleaved = frame.to_ndarray().reshape(-1)  # (1, n * channels) for packed formats
    channels = max(len(frame.layout.channels), 1)
    if channels == 1:
        return interleaved
    return interleaved.reshape(-1, channels).mean(axis=1, dtype=np.float32)


#: Data-chunk sizes that streaming WAV writers put in a header when the length
#: is unknown (FFmpeg: 0xFFFFFFFF, SoX: 0x7FFFF000); they declare nothing.
_WAV_UNKNOWN_SIZES = {0, 0x7FFFF000, 0x7FFFFFFF, 0xFFFFFFFF}


def wav_declared_duration(src: MediaSource) -> float | None:
    """The length a RIFF/WAVE header declares (data-chunk size / byte rate), or None.

    FFmpeg ignores a data size that runs past the end of the file and estimates
    the length from the file size instead, so a header that claims ten hours
    over a few bytes of data would pass the duration limit unseen.
    """
    with src.open() as fh:
        riff = fh.read(12)
        if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
            return None
        byte_rate = 0
        for _ in range(64):  # chunks before "data": fmt, fact, LIST, bext...
            header = fh.read(8)
            if len(header) < 8:
                return None
            chunk_id, size = header[:4], int.from_bytes(header[4:], "little")
            if chunk_id == b"data":
                if not byte_rate or size in _WAV_UNKNOWN_SIZES:
                    return None
                return size / byte_rate
            if chunk_id == b"fmt ":
                body = fh.read(min(size, 16))
                if len(body) < 12:
                    return None
                byte_rate = int.from_bytes(body[8:12], "little")
                size -= len(body)
            fh.seek(size + (size & 1), 1)  # chunks are padded to an even size
    return None


def _check_wav_header(src: MediaSource, sniffed: Sniffed, limits: IntakeLimits) -> float | None:
    """The duration a WAV header declares (None for other formats), checked against the limit."""
    if sniffed.format != "wav":
        return None
    declared = wav_declared_duration(src)
    check_duration(src, declared, limits)
    return declared


def _checked(
    src: MediaSource,
    sniffed: Sniffed,
    samples: np.ndarray,
    sample_rate: int,
    declared: float | None,
    native_rate: int,
    native_channels: int,
    damaged: int,
) -> DecodedAudio:
    """Reject empty, non-finite or truncated results; collect warnings."""
    if samples.size == 0:
        raise CorruptMedia(src.name, f"{sniffed.format} file holds no decodable audio samples")
    bad = int(np.count_nonzero(~np.isfinite(samples)))
    if bad:
        raise CorruptMedia(src.name, f"{bad} of {samples.size} decoded samples are NaN or infinite")
    decoded = samples.size / sample_rate
    if declared and decoded < declared * TRUNCATION_TOLERANCE - TRUNCATION_SLACK_S:
        raise CorruptMedia(
            src.name, f"truncated: the header declares {declared:.2f} s but only {decoded:.2f} s could be decoded"
        )
    warnings = []
    if damaged:
        warnings.append(f"{damaged} damaged audio packet(s) skipped")
    return DecodedAudio(
        samples=samples,
        sample_rate=sample_rate,
        file=src.name,
        native_rate=native_rate,
        native_channels=native_channels,
        warnings=tuple(warnings),
    )


def probe_audio(src: MediaSource, sniffed: Sniffed, limits: IntakeLimits, *, verify: bool = True) -> MediaInfo:
    """Facts about an audio file; with ``verify`` the whole stream is decoded and its real length reported."""
    size = check_size(src, limits)
    _check_wav_header(src, sniffed, limits)
    with open_container(src, sniffed.format) as container:
        streams = stream_infos(container)
    audio = next((s for s in streams if s.type == "audio"), None)
    if audio is None:
        raise UnsupportedMedia(src.name, f"{sniffed.format} file has no audio stream")
    check_duration(src, audio.duration_s, limits)
    duration, warnings = audio.duration_s, ()
    if verify:
        decoded = load_audio(src, sample_rate=audio.sample_rate or 16000, limits=limits, sniffed=sniffed)
        duration, warnings = decoded.duration_s, decoded.warnings
    return MediaInfo.describe(
        src,
        sniffed,
        MediaKind.AUDIO,
        size,
        duration_s=duration,
        sample_rate=audio.sample_rate,
        channels=audio.channels,
        streams=streams,
        warnings=warnings,
    )
