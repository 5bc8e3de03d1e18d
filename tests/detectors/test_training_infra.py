"""Configs as data (unknown keys and bad types fail) and checkpoints that resume exactly."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from fakeguard.detectors.models import create_model
from fakeguard.detectors.training.checkpoint import load_checkpoint, save_checkpoint
from fakeguard.detectors.training.config import load_config, parse_overrides
from fakeguard.detectors.training.voice import VoiceTrainConfig, default_config_path


def test_shipped_config_loads_and_overrides_apply():
    cfg = load_config(
        VoiceTrainConfig, default_config_path(), ["epochs=3", "data.holdout_family=formant", "augment.snr_db=[1, 2]"]
    )
    assert cfg.epochs == 3 and cfg.data.holdout_family == "formant" and tuple(cfg.augment.snr_db) == (1.0, 2.0)


def test_unknown_keys_and_wrong_types_fail_with_the_key_named(tmp_path):
    with pytest.raises(ValueError, match="epoch"):
        load_config(VoiceTrainConfig, None, ["epoch=3"])
    with pytest.raises(ValueError, match="data.holdout"):
        load_config(VoiceTrainConfig, None, ["data.holdout=x"])
    with pytest.raises(ValueError, match="epochs"):
        load_config(VoiceTrainConfig, None, ["epochs=many"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n")
    with pytest.raises(ValueError, match="mapping"):
        load_config(VoiceTrainConfig, bad)
    with pytest.raises(ValueError):
        parse_overrides(["no_equals_sign"])


def _step(model, opt, seed):
    torch.manual_seed(seed)
    x = torch.randn(2, int(model.cfg.window_s * 16000)) * 0.1
    loss = torch.nn.functional.binary_cross_entropy_with_logits(model(x), torch.tensor([0.0, 1.0]))
    opt.zero_grad()
    loss.backward()
    opt.step()


def test_checkpoint_resume_continues_exactly(tmp_path):
    torch.manual_seed(0)
    model = create_model("voice_lcnn_small", width=0.25)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5)
    rng = np.random.default_rng(0)
    _step(model, opt, 1)
    sched.step()
    save_checkpoint(
        tmp_path / "c.safetensors", model=model, optimizer=opt, scheduler=sched, epoch=1, info={"note": "x"}, rng=rng
    )
    expected_draw = rng.random()
    _step(model, opt, 2)
    expected = {k: v.clone() for k, v in model.state_dict().items()}

    torch.manual_seed(123)
    model2 = create_model("voice_lcnn_small", width=0.25)
    opt2 = torch.optim.AdamW(model2.parameters(), lr=1e-3)
    sched2 = torch.optim.lr_scheduler.CosineAnnealingLR(opt2, T_max=5)
    rng2 = np.random.default_rng(99)
    epoch, info = load_checkpoint(tmp_path / "c.safetensors", model=model2, optimizer=opt2, scheduler=sched2, rng=rng2)
    assert epoch == 1 and info == {"note": "x"}
    assert rng2.random() == expected_draw
    assert sched2.last_epoch == sched.last_epoch
    _step(model2, opt2, 2)
    for key, value in model2.state_dict().items():
        assert torch.equal(value, expected[key]), key


def test_metrics_table_compares_each_source_with_its_own_reals_too():
    from fakeguard.detectors.calibration import Calibration
    from fakeguard.detectors.training.tables import metrics_table

    def row(source, label, logit):
        return {"source": source, "generator": f"{source}_gen", "family": "x", "label": label, "logit": logit}

    # Source a: fakes score above a's reals; source b: its reals score above everything.
    rows = [row("a", 0, 0.0), row("a", 0, 0.1), row("a", 1, 0.5), row("b", 0, 2.0), row("b", 1, 1.0)]
    table = metrics_table(rows, Calibration())
    assert table["per_source_paired"]["a"]["auc"] == 1.0
    assert table["per_source_paired"]["b"]["auc"] == 0.0
    assert table["per_source"]["a"]["auc"] == pytest.approx(2 / 3)  # all three reals: b's real outranks it


def test_face_card_names_both_stages_of_a_fine_tuned_model():
    from fakeguard.detectors.training.model_card import _face_origin

    origin, command = _face_origin({"model": "face_effnet_lite0"}, None)
    assert "ImageNet" in origin and command == "fakeguard train image --config detectors/configs/face_effnet_lite0.yaml"
    origin, command = _face_origin(
        {"model": "face_effnet_lite0", "init_from": "face_effnet_lite0.shared_v1"}, "face_effnet_lite0_video.yaml"
    )
    assert "fine-tuned from `face_effnet_lite0.shared_v1`" in origin
    stage_one, stage_two = command.splitlines()
    assert stage_one.startswith("fakeguard train image --config detectors/configs/face_effnet_lite0.yaml")
    assert stage_two.startswith("fakeguard train image --config detectors/configs/face_effnet_lite0_video.yaml")


def test_face_fine_tuning_starts_from_a_weight_folder_or_a_safetensors_file(tmp_path):
    import torch
    from safetensors.torch import save_file

    from fakeguard.detectors.calibration import Calibration
    from fakeguard.detectors.models import create_model
    from fakeguard.detectors.training.face import _initial_state
    from fakeguard.detectors.weights import save_weight_folder

    torch.manual_seed(3)
    model = create_model("face_effnet_lite0", input_size=64)
    folder = save_weight_folder(
        model, tmp_path / "w", arch="face_effnet_lite0", tag="t", model_args=model.cfg.to_dict(),
        calibration=Calibration(), version="t",
    )  # fmt: skip
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(tmp_path / "best.safetensors"))
    for source in (str(folder), str(tmp_path / "best.safetensors")):
        state = _initial_state(source)
        assert state.keys() == model.state_dict().keys()
        assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())


def test_val_from_train_grows_validation_and_keeps_the_test_set(tmp_path):
    from fakeguard.detectors.training.voice import VoiceDataConfig
    from fakeguard.detectors.training.voice_data import build_splits

    root = tmp_path / "data"
    for label in ("real", "fake"):
        for speaker in range(20):
            folder = root / label / f"spk{speaker:02d}"
            folder.mkdir(parents=True)
            for utt in range(3):
                (folder / f"u{utt}.wav").write_bytes(b"RIFF")  # readers list files, they never open them
    base = VoiceDataConfig(reader="folder", root=str(root), fractions={"train": 0.6, "val": 0.2, "test": 0.2})
    plain = build_splits(base)
    grown = build_splits(dataclasses.replace(base, val_from_train=0.5))
    assert [s.path for s in grown["test"]] == [s.path for s in plain["test"]]
    assert len(grown["val"]) > len(plain["val"]) and len(grown["train"]) < len(plain["train"])
    assert {s.path for s in grown["train"]} | {s.path for s in grown["val"]} == {
        s.path for s in plain["train"] + plain["val"]
    }
    groups = lambda part: {s.group for s in part}  # noqa: E731
    assert not groups(grown["train"]) & groups(grown["val"]), "a speaker never straddles train and validation"
    with pytest.raises(ValueError, match="val_from_train"):
        build_splits(dataclasses.replace(base, val_from_train=1.5))
