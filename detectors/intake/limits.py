"""Limits that every decoder enforces before and while it decodes.

They are what stands between an upload and a decompression bomb, a ten-hour
WAV header or a video that never ends. The defaults suit a public service on a
small machine; the CLI, the service and the scanner let the user change them
(and ``IntakeLimits.from_env`` reads ``FAKEGUARD_MAX_*`` variables).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class IntakeLimits:
    """Resource limits for one input file.

    Attributes:
        max_bytes: file size; checked before anything is read.
        max_pixels: width x height of an image or a video frame, checked from
            the header before pixels are decoded (50 MP by default: a 8K photo
            passes, a PNG that claims 100000x100000 does not).
        max_duration_s: audio or video length, from the header where the
            container declares it, else counted while decoding.
        max_frames: frames a video sampler may return.
        decode_timeout_s: wall-clock budget for decoding one file.
    """

    max_bytes: int = 1 << 30
    max_pixels: int = 50_000_000
    max_duration_s: float = 3 * 3600.0
    max_frames: int = 20_000
    decode_timeout_s: float = 300.0

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) <= 0:
                raise ValueError(f"IntakeLimits.{f.name} must be positive, got {getattr(self, f.name)!r}")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> IntakeLimits:
        """Defaults overridden by ``FAKEGUARD_MAX_BYTES``, ``FAKEGUARD_MAX_PIXELS``,
        ``FAKEGUARD_MAX_DURATION_S``, ``FAKEGUARD_MAX_FRAMES`` and ``FAKEGUARD_DECODE_TIMEOUT_S``."""
        env = os.environ if environ is None else environ
        names = {
            "max_bytes": "FAKEGUARD_MAX_BYTES",
            "max_pixels": "FAKEGUARD_MAX_PIXELS",
            "max_duration_s": "FAKEGUARD_MAX_DURATION_S",
            "max_frames": "FAKEGUARD_MAX_FRAMES",
            "decode_timeout_s": "FAKEGUARD_DECODE_TIMEOUT_S",
        }
        limits = cls()
        for field_name, var in names.items():
            if var in env:
                kind = type(getattr(limits, field_name))
                try:
                    value = kind(float(env[var])) if kind is int else kind(env[var])
                except ValueError as exc:
                    raise ValueError(f"{var}={env[var]!r} is not a number") from exc
                limits = replace(limits, **{field_name: value})
        return limits
