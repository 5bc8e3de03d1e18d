"""Speech extraction: voice activity, loudness, trimming and windows.

The single path from decoded audio to model input windows, shared by
training (``fakeguard.datasets.torch_data``), evaluation and serving
(``fakeguard.detectors.pipelines.audio``).
"""

from __future__ import annotations

from .preprocess import PreparedSpeech, prepare_speech
from .vad import SpeechRegions, detect_speech
from .windows import Window, fit_length, plan_windows

__all__ = ["PreparedSpeech", "SpeechRegions", "Window", "detect_speech", "fit_length", "plan_windows", "prepare_speech"]
