"""``fakeguard train voice`` and ``fakeguard eval voice``."""

from __future__ import annotations

import json
import logging

import click

log = logging.getLogger(__name__)

_SET_HELP = "Override a config value, e.g. --set epochs=3 --set data.holdout_family=formant (repeatable)."


def _load(config_path: str | None, overrides: tuple[str, ...]):
    """The run's config; a bad key or value is a usage error (exit code 2) naming it."""
    from fakeguard.detectors.training.config import load_config
    from fakeguard.detectors.training.voice import VoiceTrainConfig, default_config_path

    try:
        return load_config(VoiceTrainConfig, config_path or default_config_path(), overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _config_options(func):
    """``--config`` and ``--set``, shared by training and evaluation (which rebuilds the run's split)."""
    func = click.option("--set", "overrides", multiple=True, help=_SET_HELP)(func)
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="YAML config (default: the shipped model's, detectors/configs/voice_lcnn_small.yaml).",
    )(func)


@click.group("train")
def train_group() -> None:
    """Train a detector from a config (YAML) and the shared or your own data."""


@click.group("eval")
def eval_group() -> None:
    """Evaluate trained weights on a data split."""


@train_group.command("voice")
@_config_options
@click.option("--no-resume", is_flag=True, help="Start again even if the run folder has a checkpoint.")
def train_voice_command(config_path: str | None, overrides: tuple[str, ...], no_resume: bool) -> None:
    """Train the voice anti-spoofing model; resumes from the run folder's last checkpoint."""
    from fakeguard.detectors.training.voice import train_voice

    cfg = _load(config_path, overrides)
    results = train_voice(cfg, resume=not no_resume)
    click.echo(
        json.dumps(
            {
                "out_dir": cfg.out_dir,
                "test": results["test"]["overall"],
                "holdout": results.get("holdout", {}).get("overall"),
            },
            indent=2,
        )
    )


@eval_group.command("voice")
@click.argument("weights", type=click.Path(exists=True, file_okay=False))
@_config_options
@click.option("--split", "split_name", default="test", show_default=True, help="Which split to evaluate.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write metrics.json, scores.csv and det_roc.png here.",
)
def eval_voice_command(
    weights: str, config_path: str | None, overrides: tuple[str, ...], split_name: str, out_dir: str | None
) -> None:
    """Evaluate a voice weight folder on a split of the configured data (EER, AUC, ECE per generator)."""
    from fakeguard.detectors.training.voice import evaluate_voice

    cfg = _load(config_path, overrides)
    metrics = evaluate_voice(weights, cfg, split_name, out_dir)
    click.echo(json.dumps(metrics["overall"], indent=2))
