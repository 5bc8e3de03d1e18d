"""fakeguard.detectors: everything from decoded media to a calibrated score.

Media intake (``intake``), the report schema (``report``), and, as they land,
face and speech extraction, the networks, inference pipelines, training and
evaluation.
"""

from __future__ import annotations

__all__ = ["__version__"]

try:
    from importlib.metadata import version as _version

    __version__ = _version("fakeguard")
except Exception:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"
