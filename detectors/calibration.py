"""Turning raw logits into probabilities that mean what they say.

A detector's sigmoid output is not a probability: networks trained with
cross-entropy on a small set are usually over-confident. Calibration fits a
one- or two-parameter map on a held-out validation split so that, among
inputs scored 0.8, about 80% are fake:

* ``temperature``: ``p = sigmoid(logit / T)`` (Guo et al., ICML 2017); keeps
  0.5 where it was.
* ``platt``: ``p = sigmoid(a * logit + b)`` (Platt, 1999); can also move the
  decision point, which matters when the validation class balance differs
  from training.

Both are fitted by minimising the negative log-likelihood with SciPy.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize


@dataclass(frozen=True)
class Calibration:
    """``p = sigmoid(scale * logit + bias)``; ``method`` records how it was fitted.

    The identity (scale 1, bias 0) is what an uncalibrated model uses.
    """

    method: str = "identity"
    scale: float = 1.0
    bias: float = 0.0

    def apply(self, logits: ArrayLike) -> NDArray[np.float64]:
        z = self.scale * np.asarray(logits, dtype=np.float64) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Calibration:
        return cls(**data) if data else cls()


def _nll(z: np.ndarray, y: np.ndarray) -> float:
    # log(1 + exp(-z)) for y=1, log(1 + exp(z)) for y=0, computed stably.
    return float(np.mean(np.logaddexp(0.0, np.where(y == 1, -z, z))))


def fit_calibration(logits: ArrayLike, labels: ArrayLike, method: str = "platt") -> Calibration:
    """Fit a calibration on validation logits.

    Args:
        logits: raw model outputs (positive = fake).
        labels: 1 = fake.
        method: ``platt`` or ``temperature``.

    Raises:
        ValueError: unknown method, or a single class (nothing to calibrate on).
    """
    x = np.asarray(logits, dtype=np.float64).reshape(-1)
    y = np.asarray(labels, dtype=np.int64).reshape(-1)
    if x.size != y.size or x.size == 0:
        raise ValueError("logits and labels must be non-empty and of equal length")
    if y.min() == y.max():
        raise ValueError("calibration needs both classes in the validation set")
    if method == "temperature":
        res = minimize(lambda p: _nll(x * np.exp(p[0]), y), x0=[0.0], method="L-BFGS-B")
        return Calibration("temperature", float(np.exp(res.x[0])), 0.0)
    if method == "platt":
        res = minimize(lambda p: _nll(x * p[0] + p[1], y), x0=[1.0, 0.0], method="L-BFGS-B")
        return Calibration("platt", float(res.x[0]), float(res.x[1]))
    raise ValueError(f"unknown calibration method {method!r} (use 'platt' or 'temperature')")
