"""``fakeguard train voice|image`` and ``fakeguard eval voice|image``."""

from __future__ import annotations

import json
import logging

import click

log = logging.getLogger(__name__)

_SET_HELP = "Override a config value, e.g. --set epochs=3 --set data.split_seed=1 (repeatable)."


def _recipe(task: str):
    """The config class, default config path, train and evaluate functions of a task."""
    if task == "voice":
        from fakeguard.detectors.training import voice as recipe

        return recipe.VoiceTrainConfig, recipe.default_config_path, recipe.train_voice, recipe.evaluate_voice
    from fakeguard.detectors.training import face as recipe

    return recipe.FaceTrainConfig, recipe.default_config_path, recipe.train_face, recipe.evaluate_face


def _load(task: str, config_path: str | None, overrides: tuple[str, ...]):
    """The run's config; a bad key or value is a usage error (exit code 2) naming it."""
    from fakeguard.detectors.training.config import load_config

    config_cls, default_path, _, _ = _recipe(task)
    try:
        return load_config(config_cls, config_path or default_path(), overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _config_options(default: str):
    """``--config`` and ``--set``, shared by training and evaluation (which rebuilds the run's split)."""

    def decorate(func):
        func = click.option("--set", "overrides", multiple=True, help=_SET_HELP)(func)
        return click.option(
            "--config",
            "config_path",
            type=click.Path(exists=True, dir_okay=False),
            default=None,
            help=f"YAML config (default: the shipped model's, detectors/configs/{default}).",
        )(func)

    return decorate


_OUT_OPTION = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write metrics.json, scores.csv and det_roc.png here.",
)


@click.group("train")
def train_group() -> None:
    """Train a detector from a config (YAML) and the shared or your own data."""


@click.group("eval")
def eval_group() -> None:
    """Evaluate trained weights on a data split."""


def _train(task: str, config_path: str | None, overrides: tuple[str, ...], no_resume: bool) -> None:
    cfg = _load(task, config_path, overrides)
    results = _recipe(task)[2](cfg, resume=not no_resume)
    summary = {"out_dir": cfg.out_dir, "test": results["test"]["overall"]}
    for extra in ("holdout", "real_fakes"):
        if extra in results:
            summary[extra] = results[extra]["overall"]
    click.echo(json.dumps(summary, indent=2))


def _evaluate(task: str, weights, config_path, overrides, split_name, out_dir) -> None:
    cfg = _load(task, config_path, overrides)
    metrics = _recipe(task)[3](weights, cfg, split_name, out_dir)
    click.echo(json.dumps(metrics["overall"], indent=2))


@train_group.command("voice")
@_config_options("voice_lcnn_small.yaml")
@click.option("--no-resume", is_flag=True, help="Start again even if the run folder has a checkpoint.")
def train_voice_command(config_path: str | None, overrides: tuple[str, ...], no_resume: bool) -> None:
    """Train the voice anti-spoofing model; resumes from the run folder's last checkpoint."""
    _train("voice", config_path, overrides, no_resume)


@train_group.command("image")
@_config_options("face_effnet_lite0.yaml")
@click.option("--no-resume", is_flag=True, help="Start again even if the run folder has a checkpoint.")
def train_image_command(config_path: str | None, overrides: tuple[str, ...], no_resume: bool) -> None:
    """Train the face-forgery model on pseudo-fakes of real photos; resumes from the last checkpoint."""
    _train("image", config_path, overrides, no_resume)


@eval_group.command("voice")
@click.argument("weights", type=click.Path(exists=True, file_okay=False))
@_config_options("voice_lcnn_small.yaml")
@click.option("--split", "split_name", default="test", show_default=True, help="Which split to evaluate.")
@_OUT_OPTION
def eval_voice_command(
    weights: str, config_path: str | None, overrides: tuple[str, ...], split_name: str, out_dir: str | None
) -> None:
    """Evaluate a voice weight folder on a split of the configured data (EER, AUC, ECE per generator)."""
    _evaluate("voice", weights, config_path, overrides, split_name, out_dir)


@eval_group.command("image")
@click.argument("weights", type=click.Path(exists=True, file_okay=False))
@_config_options("face_effnet_lite0.yaml")
@click.option(
    "--split",
    "split_name",
    default="test",
    show_default=True,
    type=click.Choice(["val", "test", "holdout", "real_fakes"]),
    help="Faces and pseudo-fakes of val/test/holdout sources, or the real face swaps and GAN faces (image level).",
)
@_OUT_OPTION
def eval_image_command(
    weights: str, config_path: str | None, overrides: tuple[str, ...], split_name: str, out_dir: str | None
) -> None:
    """Evaluate a face weight folder (AUC, EER, ECE per source and per manipulation kind)."""
    _evaluate("image", weights, config_path, overrides, split_name, out_dir)
