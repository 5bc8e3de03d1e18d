"""probe(): what a file is, for every format, and a typed error naming the file when it cannot be read."""

from __future__ import annotations

import hashlib
import json

import media_factory as mf
import pytest

from fakeguard.detectors.errors import CorruptMedia, MediaError, MediaTooLarge, UnsupportedMedia
from fakeguard.detectors.intake import IntakeLimits, MediaKind, as_source, identify, load_audio, probe, sample_frames

IMAGES = {
    # key: (format, width, height)
    "jpeg": ("jpeg", mf.W, mf.H),
    "jpeg_exif6": ("jpeg", mf.H, mf.W),
    "png": ("png", mf.W, mf.H),
    "webp": ("webp", mf.W, mf.H),
    "bmp": ("bmp", mf.W, mf.H),
    "tiff": ("tiff", mf.W, mf.H),
    "gif": ("gif", mf.W, mf.H),
    "png16": ("png", mf.W, mf.H),
}

AUDIO = {
    # key: (format, codec prefix, seconds, sample rate, channels)
    "wav16": ("wav", "pcm_s16le", 1.0, 16000, 1),
    "wav_float": ("wav", "pcm_f32le", 1.0, 16000, 1),
    "wav_stereo": ("wav", "pcm_s16le", 1.0, 22050, 2),
    "flac": ("flac", "flac", 1.0, 16000, 1),
    "ogg_vorbis": ("ogg", "vorbis", 1.0, 44100, 2),
    "ogg_opus": ("ogg", "opus", 1.0, 48000, 1),
    "mp3": ("mp3", "mp3", 1.0, 44100, 1),
    "m4a": ("m4a", "aac", 1.0, 44100, 1),
    "audio_only_mp4": ("mp4", "aac", 1.0, 44100, 1),
}

VIDEOS = {
    # key: (format, codec, width, height, seconds, stream types)
    "mp4": ("mp4", "h264", mf.W, mf.H, 2.0, ["video"]),
    "mp4_audio": ("mp4", "h264", mf.W, mf.H, 2.0, ["video", "audio"]),
    "mov": ("mov", "h264", mf.W, mf.H, 2.0, ["video"]),
    "mkv": ("mkv", "h264", mf.W, mf.H, 2.0, ["video"]),
    "webm": ("webm", "vp9", mf.W, mf.H, 1.0, ["video"]),
    "avi": ("avi", "mpeg4", mf.W, mf.H, 2.0, ["video"]),
    "rotated_mp4": ("mp4", "h264", mf.H, mf.W, 0.5, ["video"]),
    "vfr_mp4": ("mp4", "h264", mf.W, mf.H, 2.0, ["video"]),
}


def _common(info, path):
    data = path.read_bytes()
    assert info.file == str(path)
    assert info.size_bytes == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.mime
    json.dumps(info.to_dict())  # JSON-ready


@pytest.mark.parametrize("key", sorted(IMAGES))
def test_probe_images(key, catalogue):
    fmt, width, height = IMAGES[key]
    info = probe(catalogue[key])
    _common(info, catalogue[key])
    assert (info.kind, info.format, info.width, info.height) == (MediaKind.IMAGE, fmt, width, height)
    assert info.duration_s is None and info.sample_rate is None
    assert len(info.streams) == 1
    stream = info.streams[0]
    assert (stream.type, stream.codec, stream.width, stream.height) == ("image", fmt, width, height)
    assert info.to_dict()["kind"] == "image"


@pytest.mark.parametrize("key", sorted(AUDIO))
def test_probe_audio(key, catalogue):
    fmt, codec, seconds, rate, channels = AUDIO[key]
    info = probe(catalogue[key])
    _common(info, catalogue[key])
    assert (info.kind, info.format) == (MediaKind.AUDIO, fmt)
    assert (info.sample_rate, info.channels) == (rate, channels)
    assert info.width is None and info.height is None
    # AAC decodes up to one 1024-sample frame of padding past the written end.
    slack = 1024 / rate if codec == "aac" else 0.0
    assert seconds * 0.99 <= info.duration_s <= seconds * 1.01 + slack
    audio = [s for s in info.streams if s.type == "audio"]
    assert len(audio) == 1 and audio[0].codec.startswith(codec)
    assert (audio[0].sample_rate, audio[0].channels) == (rate, channels)
    assert info.has_audio and not info.has_video


@pytest.mark.parametrize("key", sorted(VIDEOS))
def test_probe_video(key, catalogue):
    fmt, codec, width, height, seconds, types = VIDEOS[key]
    info = probe(catalogue[key])
    _common(info, catalogue[key])
    assert (info.kind, info.format, info.width, info.height) == (MediaKind.VIDEO, fmt, width, height)
    assert info.duration_s == pytest.approx(seconds, abs=0.05)
    assert [s.type for s in info.streams] == types
    video = info.streams[0]
    assert video.codec == codec
    assert (video.width, video.height) == (width, height)
    if key != "vfr_mp4":
        assert info.frame_rate == pytest.approx(10.0, rel=0.01)
    assert info.has_video
    if "audio" in types:
        assert (info.sample_rate, info.channels) == (44100, 2)
        assert info.streams[1].codec == "aac"
    else:
        assert info.sample_rate is None and not info.has_audio


def test_probe_without_verify_reads_only_headers(catalogue):
    info = probe(catalogue["wav16"], verify=False)
    assert (info.kind, info.duration_s, info.sample_rate) == (MediaKind.AUDIO, 1.0, 16000)
    info = probe(catalogue["rotated_mp4"], verify=False)
    # Without decoding a frame the display size is the coded size.
    assert (info.width, info.height) == (mf.W, mf.H)


def test_probe_bytes_uses_the_given_name(catalogue_bytes):
    info = probe(catalogue_bytes["png"], name="upload.png")
    assert info.file == "upload.png" and info.kind is MediaKind.IMAGE
    assert probe(catalogue_bytes["png"]).file == "<bytes>"
    with pytest.raises(UnsupportedMedia) as err:
        probe(b"not media at all" * 4, name="upload.bin")
    assert err.value.file == "upload.bin"
    assert str(err.value).startswith("upload.bin: ")
    assert err.value.to_dict() == {
        "file": "upload.bin",
        "error": "unsupported",
        "type": "UnsupportedMedia",
        "reason": err.value.reason,
    }


def test_probe_path_with_a_name_override(catalogue):
    info = probe(catalogue["mp3"], name="voicemail.mp3")
    assert info.file == "voicemail.mp3"


def test_identify_resolves_containers_by_their_streams(catalogue):
    _, sniffed = identify(catalogue["audio_only_mp4"])
    assert (sniffed.kind, sniffed.format, sniffed.container) == (MediaKind.AUDIO, "mp4", True)
    _, sniffed = identify(catalogue["mp4_audio"])
    assert sniffed.kind is MediaKind.VIDEO
    _, sniffed = identify(catalogue["ogg_opus"])
    assert sniffed.kind is MediaKind.AUDIO


def test_album_cover_does_not_make_audio_a_video(tmp_path):
    """Cover art is a video stream flagged attached_pic; PyAV's flag prints as a number on 3.11+."""
    path = mf.write_audio_with_cover_art(tmp_path)
    _, sniffed = identify(path)
    assert sniffed.kind is MediaKind.AUDIO
    info = probe(path)
    assert (info.kind, info.format, info.sample_rate) == (MediaKind.AUDIO, "mp4", 44100)
    assert sorted(s.type for s in info.streams) == ["audio", "video"]
    assert info.duration_s == pytest.approx(1.0, abs=0.03)


def test_wav_with_an_unknown_codec_is_unsupported_not_a_crash(catalogue_bytes):
    data = bytearray(catalogue_bytes["wav16"])
    assert data[20:22] == b"\x01\x00"  # WAVE_FORMAT_PCM
    data[20:22] = b"\x34\x12"  # a format tag FFmpeg has no decoder for
    with pytest.raises(UnsupportedMedia, match="codec") as err:
        probe(bytes(data), name="odd.wav")
    assert err.value.file == "odd.wav"
    with pytest.raises(UnsupportedMedia, match="codec"):
        load_audio(as_source(bytes(data), name="odd.wav"))
    info = probe(bytes(data), name="odd.wav", verify=False)
    assert (info.kind, info.streams[0].codec, info.sample_rate) == (MediaKind.AUDIO, "unknown", None)


def test_video_with_an_unknown_codec_is_unsupported_not_a_crash(catalogue_bytes):
    data = catalogue_bytes["mkv"].replace(b"V_MPEG4/ISO/AVC", b"V_MPEG4/ISO/XYZ")
    assert data != catalogue_bytes["mkv"]
    with pytest.raises(UnsupportedMedia, match="codec"):
        probe(data, name="odd.mkv")
    with pytest.raises(UnsupportedMedia, match="codec"):
        list(sample_frames(as_source(data, name="odd.mkv")))
    info = probe(data, name="odd.mkv", verify=False)
    assert (info.kind, info.streams[0].codec, info.width) == (MediaKind.VIDEO, "unknown", None)


def test_zero_length_file_is_corrupt(tmp_path):
    path = tmp_path / "zero.mp4"
    path.write_bytes(b"")
    with pytest.raises(CorruptMedia, match="empty") as err:
        probe(path)
    assert err.value.file == str(path) and err.value.code == "corrupt"


def test_max_bytes_is_checked_first(catalogue):
    size = catalogue["mp4"].stat().st_size
    with pytest.raises(MediaTooLarge) as err:
        probe(catalogue["mp4"], IntakeLimits(max_bytes=size - 1))
    assert err.value.to_dict() == {
        "file": str(catalogue["mp4"]),
        "error": "too_large",
        "type": "MediaTooLarge",
        "reason": err.value.reason,
        "limit": "max_bytes",
        "value": size,
        "maximum": size - 1,
    }


def test_max_duration_through_probe(catalogue):
    with pytest.raises(MediaTooLarge) as err:
        probe(catalogue["flac"], IntakeLimits(max_duration_s=0.25))
    assert err.value.limit == "max_duration_s"


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data:UserWarning")
@pytest.mark.parametrize("key", sorted(mf.SNIFF_EXPECTED))
@pytest.mark.parametrize("cut", ["half", "20"])
def test_truncated_files_probe_or_fail_typed_naming_the_file(key, cut, catalogue_bytes):
    data = catalogue_bytes[key]
    part = data[: len(data) // 2] if cut == "half" else data[:20]
    name = f"upload-{key}-{cut}.bin"
    try:
        info = probe(part, name=name)
    except MediaError as exc:
        assert type(exc) in (CorruptMedia, UnsupportedMedia)
        assert exc.file == name and str(exc).startswith(f"{name}: ")
        assert exc.reason
    else:
        # Only a container whose header is whole can be described from half a file.
        assert cut == "half"
        assert info.file == name and info.size_bytes == len(part)


def test_limits_validation_and_environment():
    with pytest.raises(ValueError, match="max_pixels"):
        IntakeLimits(max_pixels=0)
    with pytest.raises(ValueError, match="decode_timeout_s"):
        IntakeLimits(decode_timeout_s=-1)
    limits = IntakeLimits.from_env(
        {"FAKEGUARD_MAX_BYTES": "1e6", "FAKEGUARD_MAX_DURATION_S": "90.5", "FAKEGUARD_MAX_FRAMES": "12"}
    )
    assert (limits.max_bytes, limits.max_duration_s, limits.max_frames) == (1_000_000, 90.5, 12)
    assert isinstance(limits.max_bytes, int)
    assert limits.max_pixels == IntakeLimits().max_pixels
    with pytest.raises(ValueError, match="FAKEGUARD_MAX_PIXELS"):
        IntakeLimits.from_env({"FAKEGUARD_MAX_PIXELS": "lots"})
