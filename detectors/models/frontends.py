"""Acoustic front-ends as ``nn.Module``s, so that the features are part of the model.

Training, evaluation and serving all feed the same 16 kHz waveform windows to
the model; the spectral features are computed inside it from its saved
config, so there is no second copy of feature extraction to drift.

LFCC (linear-frequency cepstral coefficients) follow the ASVspoof 2019/2021
LFCC baselines (Sahidullah et al., Interspeech 2015; Wang & Yamagishi's
LFCC-LCNN): a linear rather than mel filterbank keeps the resolution at high
frequencies, where vocoders leave most of their artefacts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class LFCCConfig:
    """LFCC front-end settings (defaults: 20 ms Hann windows, 10 ms hop, 60 linear filters, 20 cepstra + deltas)."""

    sample_rate: int = 16000
    n_fft: int = 512
    win_length: int = 320
    hop_length: int = 160
    n_filters: int = 60
    n_ceps: int = 20
    with_deltas: bool = True
    pre_emphasis: float = 0.97
    cmvn: bool = False

    @property
    def n_features(self) -> int:
        return self.n_ceps * (3 if self.with_deltas else 1)


def linear_filterbank(n_filters: int, n_fft: int, sample_rate: int) -> np.ndarray:
    """Triangular filters spaced evenly in Hz from 0 to Nyquist, shape ``(n_filters, n_fft // 2 + 1)``.

    Written here because librosa only ships mel and constant-Q filterbanks;
    the construction is librosa's ``filters.mel`` with a linear frequency
    axis instead of the mel scale.
    """
    fft_freqs = np.linspace(0, sample_rate / 2, n_fft // 2 + 1)
    edges = np.linspace(0, sample_rate / 2, n_filters + 2)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (fft_freqs[None, :] - lower) / (centre - lower)
    falling = (upper - fft_freqs[None, :]) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling)).astype(np.float32)


def dct_matrix(n_in: int, n_out: int) -> np.ndarray:
    """Orthonormal DCT-II basis, shape ``(n_out, n_in)`` (scipy.fft.dct(norm='ortho') as a matrix)."""
    from scipy.fft import dct

    return dct(np.eye(n_in, dtype=np.float64), type=2, norm="ortho", axis=0)[:n_out].astype(np.float32)


class LFCC(nn.Module):
    """Waveform ``(B, N)`` float at ``sample_rate`` -> LFCC ``(B, n_features, T)``.

    ``T = 1 + N // hop_length`` (centred STFT).
    """

    def __init__(self, cfg: LFCCConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.register_buffer("window", torch.hann_window(cfg.win_length), persistent=False)
        self.register_buffer(
            "filters", torch.from_numpy(linear_filterbank(cfg.n_filters, cfg.n_fft, cfg.sample_rate)), persistent=False
        )
        self.register_buffer("dct", torch.from_numpy(dct_matrix(cfg.n_filters, cfg.n_ceps)), persistent=False)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        cfg = self.cfg
        if cfg.pre_emphasis:
            wave = torch.cat([wave[:, :1], wave[:, 1:] - cfg.pre_emphasis * wave[:, :-1]], dim=1)
        spec = torch.stft(
            wave,
            n_fft=cfg.n_fft,
            hop_length=cfg.hop_length,
            win_length=cfg.win_length,
            window=self.window,
            center=True,
            return_complex=True,
        )
        power = spec.real.square() + spec.imag.square()  # (B, F, T)
        energies = torch.matmul(self.filters, power)  # (B, n_filters, T)
        ceps = torch.matmul(self.dct, torch.log(energies + 1e-7))  # (B, n_ceps, T)
        if cfg.with_deltas:
            d1 = _delta(ceps)
            ceps = torch.cat([ceps, d1, _delta(d1)], dim=1)
        if cfg.cmvn:
            ceps = (ceps - ceps.mean(dim=2, keepdim=True)) / (ceps.std(dim=2, keepdim=True) + 1e-5)
        return ceps

    def n_frames(self, n_samples: int) -> int:
        return 1 + n_samples // self.cfg.hop_length


def _delta(x: torch.Tensor) -> torch.Tensor:
    """First-order regression deltas over time (width 2), edges replicated: ``(B, C, T)`` -> same shape."""
    padded = F.pad(x, (2, 2), mode="replicate")
    weights = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], dtype=x.dtype, device=x.device) / 10.0
    kernel = weights.view(1, 1, 5).repeat(x.shape[1], 1, 1)
    return F.conv1d(padded, kernel, groups=x.shape[1])


def seconds_to_frames(seconds: float, cfg: LFCCConfig) -> int:
    return int(math.floor(seconds * cfg.sample_rate / cfg.hop_length)) + 1
