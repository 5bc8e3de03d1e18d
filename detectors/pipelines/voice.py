"""The voice detector: prepared speech to window and file scores.

The same functions score a file in serving and a validation or test file in
training and evaluation, so the numbers in the model card are the numbers
of the service.

Aggregation: a file's logit is the mean of its highest-scoring quarter of
speech windows (at least one). A cloned voice spliced into a real call makes
a few windows fake, and the plain mean would dilute them; the maximum alone
would make every long real call look suspicious through one noisy window.
The calibration is fitted on these file-level logits.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from numpy.typing import NDArray

from ..calibration import Calibration
from ..report import ModelInfo, ReportWarning, SpeechSegment
from ..speech import PreparedSpeech, Window, fit_length, plan_windows, prepare_speech
from ..weights import WeightInfo, resolve_model

#: A window is scored when at least this share of it is active audio.
MIN_SPEECH_FRACTION = 0.2
#: Under this much active audio in the whole file, the result carries a warning.
SHORT_SPEECH_S = 1.0


def aggregate_logits(logits: NDArray[np.float64]) -> float:
    """File logit from window logits: mean of the top quarter (at least one window)."""
    ordered = np.sort(np.asarray(logits, dtype=np.float64))[::-1]
    k = max(1, math.ceil(len(ordered) / 4))
    return float(ordered[:k].mean())


@dataclass(frozen=True)
class VoiceResult:
    """Scores of one waveform.

    Attributes:
        segments: every window, in original-audio seconds; non-speech windows unscored.
        window_logits: raw logits of the scored windows, in order.
        file_logit: aggregate of the window logits; None without speech.
        file_score: calibrated P(synthetic voice); None without speech.
        speech_s: seconds of active audio.
        warnings: no speech, little speech.
        seconds: time spent per stage.
    """

    segments: list[SpeechSegment]
    window_logits: NDArray[np.float64]
    file_logit: float | None
    file_score: float | None
    speech_s: float
    warnings: list[ReportWarning] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


class VoiceDetector:
    """A loaded voice model with its calibration and windowing.

    Args:
        model: a registered voice model in eval mode (exposes ``cfg`` and ``forward_windows``).
        info: its weight folder's description.
    """

    def __init__(
        self, model: torch.nn.Module, info: WeightInfo | None = None, calibration: Calibration | None = None
    ) -> None:
        self.model = model.eval()
        self.info = info
        self.calibration = calibration or (info.calibration if info else Calibration())
        cfg = model.cfg
        self.sample_rate = cfg.frontend.sample_rate
        self.window = int(round(cfg.window_s * self.sample_rate))
        self.hop = int(round(cfg.hop_s * self.sample_rate))

    @classmethod
    def load(cls, name_or_path: str | None = None) -> VoiceDetector:
        """The shipped default, a shipped ``arch.tag``, or a weight folder."""
        model, info = resolve_model(name_or_path, "voice")
        return cls(model, info)

    @property
    def model_info(self) -> ModelInfo | None:
        if self.info is None:
            return None
        return self.info.model_info()

    def window_logits(self, samples: NDArray[np.float32], windows: list[Window]) -> NDArray[np.float64]:
        """Logits of windows of one prepared waveform (one trunk pass when the audio is long enough)."""
        if not windows:
            return np.zeros(0)
        with torch.inference_mode():
            if samples.size < self.window:
                batch = torch.from_numpy(fit_length(samples, self.window)).unsqueeze(0)
                logits = self.model(batch).repeat(len(windows))
            else:
                logits = self.model.forward_windows(
                    torch.from_numpy(np.ascontiguousarray(samples)), [w.start for w in windows], self.window
                )
        return logits.double().numpy()

    def score_prepared(self, prepared: PreparedSpeech) -> VoiceResult:
        """Score prepared speech (see :func:`fakeguard.detectors.speech.prepare_speech`)."""
        t0 = time.perf_counter()
        windows = plan_windows(prepared.samples.size, self.window, self.hop)
        limit = max(prepared.samples.size, 1)
        active = [prepared.regions.active_fraction(w.start, min(w.end, limit)) >= MIN_SPEECH_FRACTION for w in windows]
        scored = [w for w, a in zip(windows, active) if a]
        logits = self.window_logits(prepared.samples, scored) if prepared.has_speech else np.zeros(0)
        probs = self.calibration.apply(logits) if logits.size else logits
        segments, it = [], iter(probs.tolist())
        offset, sr = prepared.offset_s, prepared.sample_rate
        for w, a in zip(windows, active):
            end = min(w.end, prepared.samples.size) if prepared.samples.size else w.end
            speech = a and prepared.has_speech
            segments.append(
                SpeechSegment(
                    start_s=round(offset + w.start / sr, 3),
                    end_s=round(offset + end / sr, 3),
                    speech=speech,
                    score=next(it) if speech else None,
                )
            )
        speech_s = prepared.regions.total_s
        warnings = []
        file_logit = file_score = None
        if logits.size:
            file_logit = aggregate_logits(logits)
            file_score = float(self.calibration.apply([file_logit])[0])
            if speech_s < SHORT_SPEECH_S:
                warnings.append(
                    ReportWarning("short_audio", f"only {speech_s:.1f} s of speech: the score is less reliable")
                )
        else:
            warnings.append(ReportWarning("no_speech", "no speech found: the voice detector scored nothing"))
        return VoiceResult(
            segments, logits, file_logit, file_score, speech_s, warnings, {"classify_voice": time.perf_counter() - t0}
        )

    def score_waveform(self, samples: NDArray[np.float32], sample_rate: int) -> VoiceResult:
        """Score a mono waveform at the model's rate (as :func:`load_audio` returns it)."""
        if sample_rate != self.sample_rate:
            raise ValueError(f"the voice model expects {self.sample_rate} Hz audio, got {sample_rate} Hz")
        t0 = time.perf_counter()
        prepared = prepare_speech(samples, sample_rate)
        t1 = time.perf_counter()
        result = self.score_prepared(prepared)
        result.seconds["vad_normalize"] = t1 - t0
        return result
