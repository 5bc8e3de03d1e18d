"""The GE2E speaker encoder (Wan et al., "Generalized End-to-End Loss for Speaker Verification", ICASSP 2018).

Which network and why: the only speaker encoder whose weights install from
PyPI with nothing fetched at run time is resemblyzer's (``pretrained.pt`` in
the ``resemblyzer`` wheel, Apache-2.0; ../shared/PRETRAINED.md). It is the
encoder of Corentin Jemine's Real-Time-Voice-Cloning, trained on LibriSpeech,
VoxCeleb 1 and 2 with the GE2E loss: 40 mel bands in, three LSTM layers of
256, a linear layer and a ReLU, a 256-d L2-normalised embedding out. The
YourTTS paper scores its clones' speaker similarity (SECS) with this very
encoder, which is what the watchlist needs: a cloned voice is meant to sound
like its target to it, so that a clone of a protected person matches that
person and the fusion can then ask whether the voice is synthetic
(``bench/identity_voice.py`` measures how often; docs/watchlist.md).

Why the network is rebuilt here instead of ``resemblyzer.VoiceEncoder``:
importing resemblyzer imports ``webrtcvad`` (a C extension that compiles from
source where no wheel exists) and ``librosa`` (about 3 s on first use in a
process), and its preprocessing is a second copy of what
:mod:`fakeguard.detectors.speech` already does (resampling, voice activity,
loudness). Only the weights file is read, with ``torch.load(weights_only=True)``
(no pickled code runs), and the package is located without being imported.
The mel front-end below reproduces resemblyzer's ``wav_to_mel_spectrogram``
(``tests/detectors/test_identity.py`` checks it against librosa).
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
from numpy.typing import NDArray

logger = logging.getLogger(__name__)

#: The package whose wheel carries the weights, and the file inside it.
WEIGHTS_PACKAGE = "resemblyzer"
WEIGHTS_FILE = "pretrained.pt"


class SpeakerEncoderMissing(RuntimeError):
    """The speaker encoder's weights are not installed (the ``resemblyzer`` package)."""


@dataclass(frozen=True)
class GE2EConfig:
    """resemblyzer's ``hparams.py``: the input the network was trained on.

    Attributes:
        sample_rate: Hz.
        n_fft: STFT size and window, 25 ms.
        hop_length: 10 ms.
        n_mels: mel bands (power, not log: the network was trained on raw mel power).
        partial_frames: frames per partial utterance (1.6 s); an utterance is
            embedded as the mean of its partials.
        hidden_size, embedding_size, num_layers: the LSTM and projection.
        target_dbfs: quiet audio is raised to this RMS level (never lowered), as in training.
    """

    sample_rate: int = 16000
    n_fft: int = 400
    hop_length: int = 160
    n_mels: int = 40
    partial_frames: int = 160
    hidden_size: int = 256
    embedding_size: int = 256
    num_layers: int = 3
    target_dbfs: float = -30.0


def _hz_to_mel(hz: NDArray[np.float64]) -> NDArray[np.float64]:
    """Slaney's mel scale (librosa's default, ``htk=False``): linear below 1 kHz, logarithmic above."""
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    hz = np.asarray(hz, dtype=np.float64)
    return np.where(hz >= min_log_hz, min_log_mel + np.log(np.maximum(hz, 1e-10) / min_log_hz) / logstep, hz / f_sp)


def _mel_to_hz(mel: NDArray[np.float64]) -> NDArray[np.float64]:
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= min_log_mel, min_log_hz * np.exp(logstep * (mel - min_log_mel)), f_sp * mel)


def mel_filterbank(sample_rate: int, n_fft: int, n_mels: int) -> NDArray[np.float32]:
    """``librosa.filters.mel(sr, n_fft, n_mels)`` with its defaults (Slaney scale and area norm).

    Returns:
        ``(n_mels, n_fft // 2 + 1)`` float32. Written out rather than called
        so that embedding a voice never imports librosa (see the module docstring).
    """
    fft_freqs = np.linspace(0, sample_rate / 2, n_fft // 2 + 1)
    mel_points = _mel_to_hz(np.linspace(_hz_to_mel(np.array(0.0)), _hz_to_mel(np.array(sample_rate / 2)), n_mels + 2))
    widths = np.diff(mel_points)
    ramps = mel_points[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_points[2 : n_mels + 2] - mel_points[:n_mels]))[:, None]
    return weights.astype(np.float32)


class GE2EEncoder(nn.Module):
    """Mel power frames ``(B, T, n_mels)`` -> L2-normalised speaker embeddings ``(B, embedding_size)``.

    The layer names are resemblyzer's, so its state dict loads with ``strict=True``
    (less the two GE2E loss scalars, which inference does not use).
    """

    def __init__(self, cfg: GE2EConfig | None = None) -> None:
        super().__init__()
        self.cfg = cfg = cfg or GE2EConfig()
        self.lstm = nn.LSTM(cfg.n_mels, cfg.hidden_size, cfg.num_layers, batch_first=True)
        self.linear = nn.Linear(cfg.hidden_size, cfg.embedding_size)
        self.relu = nn.ReLU()
        self.register_buffer("window", torch.hann_window(cfg.n_fft), persistent=False)
        self.register_buffer(
            "mel_basis", torch.from_numpy(mel_filterbank(cfg.sample_rate, cfg.n_fft, cfg.n_mels)), persistent=False
        )

    def mel_frames(self, wave: torch.Tensor) -> torch.Tensor:
        """Waveform ``(N,)`` float32 at ``sample_rate`` -> mel power ``(1 + N // hop_length, n_mels)``.

        A centred STFT with reflect padding: the settings of the librosa
        version the encoder was trained with (librosa 0.10 pads with zeros, which
        changes only the first and last two frames).
        """
        cfg = self.cfg
        spec = torch.stft(
            wave,
            n_fft=cfg.n_fft,
            hop_length=cfg.hop_length,
            window=self.window,
            center=True,
            pad_mode="reflect",
            return_complex=True,
        )
        power = spec.real.square() + spec.imag.square()  # (F, T)
        return (self.mel_basis @ power).T.contiguous()

    def forward(self, mels: torch.Tensor) -> torch.Tensor:
        _, (hidden, _) = self.lstm(mels)
        raw = self.relu(self.linear(hidden[-1]))
        return raw / torch.linalg.vector_norm(raw, dim=1, keepdim=True).clamp_min(1e-12)


def weights_path() -> Path:
    """Where ``resemblyzer``'s ``pretrained.pt`` is installed, found without importing the package.

    Raises:
        SpeakerEncoderMissing: the package is not installed, or its wheel lacks the file.
    """
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        path = Path(folder) / WEIGHTS_FILE
        if path.is_file():
            return path
    raise SpeakerEncoderMissing(
        f"the speaker encoder's weights ({WEIGHTS_PACKAGE}/{WEIGHTS_FILE}) are not installed: "
        f"`pip install --no-deps {WEIGHTS_PACKAGE}` provides them (only the weights file is used)"
    )


@lru_cache(maxsize=2)
def load_encoder(path: str | None = None) -> GE2EEncoder:
    """The pretrained encoder in eval mode, loaded once per process (and per weights file).

    Args:
        path: a GE2E checkpoint in resemblyzer's layout (``{"model_state": ...}``);
            default: the one inside the ``resemblyzer`` package.
    """
    file = Path(path) if path else weights_path()
    checkpoint = torch.load(file, map_location="cpu", weights_only=True)
    state = checkpoint.get("model_state", checkpoint)
    state = {k: v for k, v in state.items() if not k.startswith("similarity_")}
    model = GE2EEncoder()
    model.load_state_dict(state, strict=True)
    logger.debug("loaded the GE2E speaker encoder from %s", file)
    return model.eval()
