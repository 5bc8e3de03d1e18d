"""Grad-CAM evidence maps for face crops (Selvaraju et al., ICCV 2017).

Why hand-written and not the ``grad-cam`` package: for a single-logit model it
is a dozen lines (the gradient of the logit with respect to the last
convolutional map, averaged per channel, weighs the channels), while the
package pulls in ttach, scikit-learn extras and its own OpenCV pin, and wraps
models with hooks that do not suit a served model shared between threads.

The map shows where the evidence for "fake" lies in the crop: for blended
faces it should light up the blending boundary and the inner face, not the
background; a map that highlights the background is a sign of a shortcut.
"""

from __future__ import annotations

import base64

import cv2
import numpy as np
import torch


def grad_cam(model: torch.nn.Module, batch: torch.Tensor) -> np.ndarray:
    """Evidence maps ``(B, S, S)`` in [0, 1] for the "fake" logit of each crop.

    Args:
        model: a face model with ``feature_map`` and ``classify``
            (:class:`~fakeguard.detectors.models.face_effnet.FaceForgeryNet`).
        batch: its normalised input ``(B, 3, S, S)``.
    """
    size = batch.shape[-1]
    with torch.enable_grad():
        fmap = model.feature_map(batch).detach().requires_grad_(True)
        logits = model.classify(fmap)
        (grads,) = torch.autograd.grad(logits.sum(), fmap)
    weights = grads.mean(dim=(2, 3), keepdim=True)
    cam = torch.relu((weights * fmap).sum(dim=1, keepdim=True)).detach()
    cam = torch.nn.functional.interpolate(cam, size=(size, size), mode="bilinear", align_corners=False)[:, 0]
    peak = cam.flatten(1).amax(dim=1).clamp_min(1e-8).view(-1, 1, 1)
    return (cam / peak).numpy()


def overlay_png(crop: np.ndarray, heatmap: np.ndarray, alpha: float = 0.45) -> bytes:
    """A PNG of the crop with the heatmap laid over it in the JET colour map."""
    colours = cv2.applyColorMap(np.uint8(np.clip(heatmap, 0, 1) * 255), cv2.COLORMAP_JET)[..., ::-1]
    mixed = (crop.astype(np.float32) * (1 - alpha) + colours.astype(np.float32) * alpha).astype(np.uint8)
    ok, encoded = cv2.imencode(".png", mixed[..., ::-1])
    if not ok:  # pragma: no cover - OpenCV fails to encode only on invalid arrays
        raise RuntimeError("PNG encoding failed")
    return encoded.tobytes()


def overlay_base64(crop: np.ndarray, heatmap: np.ndarray) -> str:
    """:func:`overlay_png` as base64 text, as the report carries it."""
    return base64.b64encode(overlay_png(crop, heatmap)).decode("ascii")
