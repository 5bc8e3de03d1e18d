"""Training and evaluation: configs as data, a resumable loop, and one module per task.

The Python entry points are the CLI's own (``fakeguard train voice|image``,
``fakeguard eval voice|image``), taking the same YAML configs and ``--set``
overrides::

    from fakeguard.detectors.training import evaluate_voice, train_voice

    run = train_voice("detectors/configs/voice_lcnn_small.yaml", epochs=2, out_dir="runs/try")
    run.test.overall["eer"], run.weights          # TrainResult
    evaluate_voice(run.weights, run.config, split="holdout").table("generator")
"""

from __future__ import annotations

from .face import FaceTrainConfig, evaluate_face, train_face
from .results import Evaluation, TrainResult
from .voice import VoiceTrainConfig, evaluate_voice, train_voice

__all__ = [
    "Evaluation",
    "FaceTrainConfig",
    "TrainResult",
    "VoiceTrainConfig",
    "evaluate_face",
    "evaluate_voice",
    "train_face",
    "train_voice",
]
