"""LFCC-LCNN: a light CNN with max-feature-map activations on LFCC features.

Follows the LFCC-LCNN countermeasure of Wang & Yamagishi, "A comparative
study on recent neural spoofing countermeasures for synthetic speech
detection" (Interspeech 2021), itself after Lavrentyeva et al., "STC
antispoofing systems for the ASVspoof2019 challenge" (Interspeech 2019).
Differences, each for the CPU service: a channel-width multiplier (the
shipped variant is narrower), and mean+std pooling over time in place of the
two BLSTM layers, so a window's cost is one pass of convolutions.

Input is a batch of 16 kHz waveform windows ``(B, N)``; output one logit per
window, where ``sigmoid(logit)`` is the uncalibrated probability of spoof.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F

from .frontends import LFCC, LFCCConfig
from .registry import register_model

#: Extra audio on each side of a chunk in :meth:`VoiceLCNN.forward_windows`: more than the trunk's
#: receptive field, so that a window's frames do not depend on where its chunk starts or ends.
CHUNK_MARGIN_S = 2.0


@dataclass(frozen=True)
class VoiceLCNNConfig:
    """Everything needed to rebuild the model and to feed it (saved as config.json).

    Attributes:
        frontend: LFCC settings (sample rate, STFT, filters).
        width: channel multiplier of the LCNN trunk (1.0 = the published channel counts).
        dropout: before the classifier.
        window_s, hop_s: how serving cuts a file into windows; training crops ``window_s``.
        head: ``linear`` (a logit trained with binary cross-entropy) or ``ocsoftmax``
            (one-class softmax, Zhang et al., IEEE SPL 2021: real speech is pulled
            within a cosine margin of a learned direction, fakes pushed beyond another,
            so that unseen attacks, which resemble no training fake, still fall outside
            the compact real class).
        oc_alpha, oc_margins: the one-class scale and the (real, fake) cosine margins.
    """

    frontend: LFCCConfig = field(default_factory=LFCCConfig)
    width: float = 1.0
    dropout: float = 0.5
    window_s: float = 4.0
    hop_s: float = 2.0
    head: str = "linear"
    oc_alpha: float = 20.0
    oc_margins: tuple[float, float] = (0.9, 0.2)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> VoiceLCNNConfig:
        """Build from flat or nested kwargs; unknown keys fail loudly."""
        known = {f.name for f in fields(cls)}
        unknown = set(kwargs) - known
        if unknown:
            raise TypeError(f"unknown VoiceLCNNConfig fields: {sorted(unknown)}")
        frontend = kwargs.pop("frontend", None)
        if isinstance(frontend, dict):
            frontend = LFCCConfig(**frontend)
        return cls(frontend=frontend or LFCCConfig(), **kwargs)


class MaxFeatureMap(nn.Module):
    """Max-feature-map: split the channels in two halves and keep the element-wise max."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a, b = x.chunk(2, dim=1)
        return torch.maximum(a, b)


class MaxPool2x2(nn.Module):
    """``MaxPool2x2()`` (floor mode) written as strided maxima.

    Same output, but about five times faster than PyTorch's CPU max-pool
    kernel on these small-channel maps, which dominated the trunk's time.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = x.shape[2] // 2 * 2, x.shape[3] // 2 * 2
        top = torch.maximum(x[:, :, 0:h:2, 0:w:2], x[:, :, 0:h:2, 1:w:2])
        bottom = torch.maximum(x[:, :, 1:h:2, 0:w:2], x[:, :, 1:h:2, 1:w:2])
        return torch.maximum(top, bottom)


def _conv_mfm(c_in: int, c_out: int, kernel: int) -> nn.Sequential:
    """Convolution to ``2 * c_out`` channels followed by MFM down to ``c_out``."""
    return nn.Sequential(nn.Conv2d(c_in, 2 * c_out, kernel, padding=kernel // 2), MaxFeatureMap())


class VoiceLCNN(nn.Module):
    """LFCC front-end, LCNN trunk, mean+std pooling over time, one logit."""

    def __init__(self, cfg: VoiceLCNNConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.frontend = LFCC(cfg.frontend)

        def ch(n: int) -> int:
            return max(4, int(round(n * cfg.width)))

        c32, c48, c64 = ch(32), ch(48), ch(64)
        self.trunk = nn.Sequential(
            _conv_mfm(1, c32, 5),
            MaxPool2x2(),
            _conv_mfm(c32, c32, 1),
            nn.BatchNorm2d(c32),
            _conv_mfm(c32, c48, 3),
            MaxPool2x2(),
            nn.BatchNorm2d(c48),
            _conv_mfm(c48, c48, 1),
            nn.BatchNorm2d(c48),
            _conv_mfm(c48, c64, 3),
            MaxPool2x2(),
            _conv_mfm(c64, c64, 1),
            nn.BatchNorm2d(c64),
            _conv_mfm(c64, c32, 3),
            nn.BatchNorm2d(c32),
            _conv_mfm(c32, c32, 1),
            nn.BatchNorm2d(c32),
            _conv_mfm(c32, c32, 3),
            MaxPool2x2(),
        )
        freq_out = cfg.frontend.n_features // 16
        self.embed_dim = 2 * c32 * freq_out
        self.dropout = nn.Dropout(cfg.dropout)
        if cfg.head not in ("linear", "ocsoftmax"):
            raise ValueError(f"unknown head {cfg.head!r} (use 'linear' or 'ocsoftmax')")
        self.head = nn.Linear(self.embed_dim, 1, bias=cfg.head == "linear")

    #: Trunk output frames per input frame: four 2x2 poolings.
    time_stride = 16

    def feature_map(self, wave: torch.Tensor) -> torch.Tensor:
        """Waveform ``(B, N)`` -> trunk output ``(B, C*F', T')`` with ``T' = T // 16`` frames.

        channels_last makes PyTorch's CPU convolutions about twice as fast here.
        """
        feats = self.frontend(wave).unsqueeze(1).contiguous(memory_format=torch.channels_last)
        return self.trunk(feats).flatten(1, 2)

    def pool(self, fmap: torch.Tensor) -> torch.Tensor:
        """Trunk output ``(B, D, T')`` -> embedding ``(B, 2 * D)``: mean and std over time."""
        return torch.cat([fmap.mean(dim=2), fmap.std(dim=2)], dim=1)

    def classify(self, embedding: torch.Tensor) -> torch.Tensor:
        """Embedding -> logits ``(B,)`` (positive = spoof)."""
        embedding = self.dropout(embedding)
        if self.cfg.head == "ocsoftmax":
            # logit = -alpha * cos(embedding, w): high similarity to the real direction means real.
            cos = F.linear(F.normalize(embedding, dim=1), F.normalize(self.head.weight, dim=1)).squeeze(1)
            return -self.cfg.oc_alpha * cos
        return self.head(embedding).squeeze(1)

    def loss(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """The training loss for this head (labels: 1 = fake)."""
        if self.cfg.head == "ocsoftmax":
            cos = -logits / self.cfg.oc_alpha
            m_real, m_fake = self.cfg.oc_margins
            # Real: penalise cos below m_real; fake: penalise cos above m_fake.
            margin = torch.where(labels > 0.5, cos - m_fake, m_real - cos)
            return F.softplus(self.cfg.oc_alpha * margin).mean()
        return F.binary_cross_entropy_with_logits(logits, labels)

    def forward(self, wave: torch.Tensor) -> torch.Tensor:
        """Waveform windows ``(B, N)`` -> logits ``(B,)`` (positive = spoof)."""
        return self.classify(self.pool(self.feature_map(wave)))

    def forward_windows(
        self, wave: torch.Tensor, starts: list[int], length: int, chunk_s: float = 60.0
    ) -> torch.Tensor:
        """Logits for many windows of one long waveform, sharing one pass of the trunk.

        The trunk is convolutional, so it runs once over the audio and each
        window pools its own slice of the output; overlapping windows cost
        nothing extra. Only the window edges differ from scoring each window
        alone (they see real neighbouring audio instead of padding).

        Audio longer than ``chunk_s`` runs in chunks of about that length, each
        with :data:`CHUNK_MARGIN_S` of extra audio on both sides and starting
        on a multiple of the trunk's stride, so every window sees exactly the
        frames a single pass would give it while memory stays bounded: one pass
        over 10 minutes peaked at 0.9 GB above the model's baseline.

        Args:
            wave: ``(N,)`` waveform of the whole file.
            starts: window start offsets in samples, ascending.
            length: window length in samples.
            chunk_s: longest audio given to the trunk at once.

        Returns:
            ``(len(starts),)`` logits.
        """
        hop = self.cfg.frontend.hop_length * self.time_stride
        rate = self.cfg.frontend.sample_rate
        margin = math.ceil(CHUNK_MARGIN_S * rate / hop) * hop
        span = max(int(chunk_s * rate), length)
        groups: list[list[int]] = []
        for start in starts:
            if groups and start + length - groups[-1][0] <= span:
                groups[-1].append(start)
            else:
                groups.append([start])
        if len(groups) == 1:
            return self._pool_windows(wave, 0, starts, length)
        logits = []
        for group in groups:
            first = max(0, (group[0] - margin) // hop * hop)  # on the stride grid of a single pass
            last = min(wave.shape[0], group[-1] + length + margin)
            logits.append(self._pool_windows(wave[first:last], first, group, length))
        return torch.cat(logits)

    def _pool_windows(self, wave: torch.Tensor, offset: int, starts: list[int], length: int) -> torch.Tensor:
        """Run the trunk over ``wave`` (which begins at sample ``offset`` of the file) and pool each window."""
        fmap = self.feature_map(wave.unsqueeze(0))[0]  # (D, T')
        hop = self.cfg.frontend.hop_length * self.time_stride
        slices = []
        for start in starts:
            a = (start - offset) // hop
            b = max(a + 2, min(fmap.shape[1], (start - offset + length) // hop))
            slices.append(self.pool(fmap[None, :, a:b]))
        return self.classify(torch.cat(slices, dim=0))


def _create(**kwargs: Any) -> VoiceLCNN:
    return VoiceLCNN(VoiceLCNNConfig.from_kwargs(**kwargs))


@register_model("voice")
def voice_lcnn(**kwargs: Any) -> VoiceLCNN:
    """LFCC-LCNN with the published channel counts (about 0.3 GMAC per 4 s window)."""
    return _create(**{"width": 1.0, **kwargs})


@register_model("voice")
def voice_lcnn_small(**kwargs: Any) -> VoiceLCNN:
    """LFCC-LCNN at half width: a quarter of the compute, for the CPU service."""
    return _create(**{"width": 0.5, **kwargs})
