"""Speaker embeddings of speech: who is talking, not whether the voice is real.

An utterance is cut into partial utterances of 1.6 s, 1.3 per second (each
overlapping the next by half), each partial goes through the GE2E encoder
(:mod:`.ge2e`), and the utterance embedding is the mean of the partial
embeddings, L2-normalised: resemblyzer's ``embed_utterance``, which is how the
encoder was evaluated by its authors and how the YourTTS paper measured its
clones' speaker similarity.

Preprocessing follows resemblyzer's order, with the project's own voice
activity detector (:func:`fakeguard.detectors.speech.detect_speech`) in place
of webrtcvad: quiet audio is raised to -30 dBFS (loud audio is left alone),
then only the active regions are kept, joined end to end, so that pauses do
not fill partials with silence. The encoder reads mel *power*, not log-mel, so
the level matters and the gain rule is kept exactly as in training.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from numpy.typing import NDArray

from ..speech.vad import detect_speech
from .ge2e import GE2EConfig, GE2EEncoder, load_encoder

#: The name stored with every voice embedding; a watchlist only compares embeddings of the same model.
VOICE_MODEL = "ge2e_resemblyzer"
#: Partial utterances per second of speech, and the share of a last partial that must be real audio.
PARTIAL_RATE = 1.3
MIN_COVERAGE = 0.75
#: Less active audio than this gives no embedding: too little to say who speaks.
MIN_SPEECH_S = 0.5


@dataclass(frozen=True)
class VoiceEmbedding:
    """The speaker embedding of one stretch of audio.

    Attributes:
        vector: ``(256,)`` float32, unit length.
        partials: ``(k, 256)`` float32 embeddings of the 1.6 s partial utterances it averages.
        speech_s: seconds of active audio that were embedded.
    """

    vector: NDArray[np.float32] = field(repr=False)
    partials: NDArray[np.float32] = field(repr=False)
    speech_s: float


def raise_quiet(samples: NDArray[np.float32], target_dbfs: float) -> NDArray[np.float32]:
    """Scale audio whose RMS is under ``target_dbfs`` up to it; louder audio is returned unchanged.

    resemblyzer's ``normalize_volume(increase_only=True)``: the level the encoder saw in training.
    """
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if samples.size else 0.0
    if rms < 1e-8:
        return samples
    change_db = target_dbfs - 20 * np.log10(rms)
    if change_db <= 0:
        return samples
    return (samples * 10 ** (change_db / 20)).astype(np.float32)


def active_audio(samples: NDArray[np.float32], sample_rate: int) -> NDArray[np.float32]:
    """The active regions of ``samples`` joined end to end (empty when there is no activity)."""
    regions = detect_speech(samples, sample_rate)
    if not len(regions.intervals):
        return np.zeros(0, np.float32)
    return np.concatenate([samples[a:b] for a, b in regions.intervals]).astype(np.float32, copy=False)


def partial_starts(n_samples: int, cfg: GE2EConfig, rate: float = PARTIAL_RATE) -> list[int]:
    """First mel frame of each partial utterance of an ``n_samples`` waveform.

    resemblyzer's ``compute_partial_slices``: partials every ``1 / rate`` s
    covering the whole waveform, the last dropped when less than
    :data:`MIN_COVERAGE` of it is audio (unless it is the only one).
    """
    n_frames = int(np.ceil((n_samples + 1) / cfg.hop_length))
    step = int(np.round(cfg.sample_rate / rate / cfg.hop_length))
    if not 0 < step <= cfg.partial_frames:
        raise ValueError(f"partial rate {rate}/s gives a step of {step} frames")
    starts = list(range(0, max(1, n_frames - cfg.partial_frames + step + 1), step))
    last_start = starts[-1] * cfg.hop_length
    coverage = (n_samples - last_start) / (cfg.partial_frames * cfg.hop_length)
    if coverage < MIN_COVERAGE and len(starts) > 1:
        starts.pop()
    return starts


class VoiceEmbedder:
    """Speaker embeddings from mono 16 kHz audio with the pretrained GE2E encoder.

    Args:
        encoder: the network; default: resemblyzer's weights (:func:`.ge2e.load_encoder`),
            loaded on first use and shared by every embedder in the process.
    """

    model_name = VOICE_MODEL

    def __init__(self, encoder: GE2EEncoder | None = None) -> None:
        self._encoder = encoder

    @property
    def encoder(self) -> GE2EEncoder:
        if self._encoder is None:
            self._encoder = load_encoder()
        return self._encoder

    @property
    def sample_rate(self) -> int:
        return GE2EConfig().sample_rate

    @property
    def dim(self) -> int:
        return GE2EConfig().embedding_size

    def speech_seconds(self, samples: NDArray[np.float32], sample_rate: int) -> float:
        """Seconds of active audio that :meth:`embed` would embed (for messages about short clips)."""
        wave = raise_quiet(np.asarray(samples, dtype=np.float32), self.encoder.cfg.target_dbfs)
        return active_audio(wave, sample_rate).size / sample_rate

    def embed(
        self, samples: NDArray[np.float32], sample_rate: int, *, min_speech_s: float = MIN_SPEECH_S
    ) -> VoiceEmbedding | None:
        """The speaker embedding of a waveform, or None when it holds too little speech.

        Args:
            samples: mono float32 (as :func:`fakeguard.detectors.intake.load_audio` returns it).
            sample_rate: must be the encoder's 16 kHz (``load_audio(sample_rate=16000)``).
            min_speech_s: the least active audio that is embedded.
        """
        cfg = self.encoder.cfg
        if sample_rate != cfg.sample_rate:
            raise ValueError(f"the speaker encoder expects {cfg.sample_rate} Hz audio, got {sample_rate} Hz")
        wave = active_audio(raise_quiet(np.asarray(samples, dtype=np.float32), cfg.target_dbfs), sample_rate)
        speech_s = wave.size / sample_rate
        if speech_s < min_speech_s:
            return None
        starts = partial_starts(wave.size, cfg)
        end = (starts[-1] + cfg.partial_frames) * cfg.hop_length
        if end > wave.size:
            wave = np.pad(wave, (0, end - wave.size))
        with torch.inference_mode():
            mel = self.encoder.mel_frames(torch.from_numpy(np.ascontiguousarray(wave)))
            batch = torch.stack([mel[s : s + cfg.partial_frames] for s in starts])
            partials = self.encoder(batch).numpy().astype(np.float32)
        mean = partials.mean(axis=0)
        vector = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
        return VoiceEmbedding(vector=vector, partials=partials, speech_s=round(speech_s, 3))

    def embed_span(
        self,
        samples: NDArray[np.float32],
        sample_rate: int,
        start_s: float,
        end_s: float,
        *,
        min_speech_s: float = MIN_SPEECH_S,
    ) -> VoiceEmbedding | None:
        """The embedding of ``[start_s, end_s)`` of a waveform: one speech segment of a report."""
        a = max(0, int(round(start_s * sample_rate)))
        b = min(len(samples), int(round(end_s * sample_rate)))
        return self.embed(samples[a:b], sample_rate, min_speech_s=min_speech_s)
