"""Every registered model: builds, gives finite outputs of the right shape, round-trips through a weight folder."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from fakeguard.detectors.calibration import Calibration
from fakeguard.detectors.models import create_model, list_models, model_task
from fakeguard.detectors.models.frontends import LFCC, LFCCConfig, linear_filterbank
from fakeguard.detectors.weights import load_weight_folder, save_weight_folder


@pytest.mark.parametrize("name", list_models(task="voice"))
def test_voice_model_forward(name):
    torch.manual_seed(0)
    model = create_model(name).eval()
    window = int(model.cfg.window_s * model.cfg.frontend.sample_rate)
    with torch.inference_mode():
        out = model(torch.randn(3, window) * 0.1)
    assert out.shape == (3,)
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("name", list_models(task="voice"))
def test_forward_windows_matches_single_windows_in_the_middle(name):
    torch.manual_seed(0)
    model = create_model(name).eval()
    sr = model.cfg.frontend.sample_rate
    wave = torch.randn(12 * sr) * 0.1
    window = int(model.cfg.window_s * sr)
    starts = [0, 4 * sr, 8 * sr]
    with torch.inference_mode():
        shared = model.forward_windows(wave, starts, window)
        alone = torch.stack([model(wave[s : s + window][None])[0] for s in starts])
    # Only the windows' edges see different context; the pooled scores stay close.
    assert shared.shape == (3,)
    assert torch.allclose(shared, alone, atol=0.15 * alone.abs().max().item() + 0.05)


def test_unknown_model_and_unknown_config_key_fail_loudly():
    with pytest.raises(RuntimeError, match="Unknown model"):
        create_model("voice_nope")
    with pytest.raises(TypeError, match="unknown"):
        create_model("voice_lcnn_small", window_seconds=3)
    assert model_task("voice_lcnn_small.some_tag") == "voice"


def test_create_model_ignores_none_overrides():
    assert create_model("voice_lcnn_small", width=None).cfg.width == 0.5


def test_weight_folder_round_trip(tmp_path):
    torch.manual_seed(0)
    model = create_model("voice_lcnn_small").eval()
    cal = Calibration("platt", 0.7, 0.1)
    save_weight_folder(
        model,
        tmp_path / "w",
        arch="voice_lcnn_small",
        tag="test",
        model_args=model.cfg.to_dict(),
        calibration=cal,
        version="t1",
    )
    loaded, info = load_weight_folder(tmp_path / "w")
    x = torch.randn(2, int(model.cfg.window_s * 16000)) * 0.1
    with torch.inference_mode():
        assert torch.allclose(model(x), loaded(x))
    assert info.calibration == cal and info.name == "voice_lcnn_small.test" and len(info.sha256) == 64
    with pytest.raises(FileNotFoundError):
        load_weight_folder(tmp_path / "missing")


def test_lfcc_shapes_and_filterbank():
    fb = linear_filterbank(60, 512, 16000)
    assert fb.shape == (60, 257) and np.all(fb >= 0) and np.all(fb.max(axis=1) > 0.5)
    lfcc = LFCC(LFCCConfig())
    out = lfcc(torch.randn(2, 16000))
    assert out.shape == (2, 60, lfcc.n_frames(16000))
    assert torch.isfinite(out).all()


def test_ocsoftmax_head_scores_and_loss_follow_the_margins():
    torch.manual_seed(0)
    model = create_model("voice_lcnn_small", head="ocsoftmax").eval()
    alpha = model.cfg.oc_alpha
    cos = torch.tensor([0.95, 0.95, 0.1, 0.1])
    logits = -alpha * cos  # what the head outputs for these cosines
    real, fake = torch.tensor([0.0]), torch.tensor([1.0])
    # A real window near the real direction costs little; a fake one there costs a lot, and vice versa.
    assert model.loss(logits[:1], real) < 0.5 < model.loss(logits[1:2], fake)
    assert model.loss(logits[2:3], fake) < 0.5 < model.loss(logits[3:4], real)
    with torch.inference_mode():
        out = model(torch.randn(2, int(model.cfg.window_s * 16000)) * 0.1)
    assert torch.all(out.abs() <= alpha + 1e-4)  # logits are -alpha * cosine
    with pytest.raises(ValueError, match="head"):
        create_model("voice_lcnn_small", head="softmax2")


def test_voice_windows_in_chunks_equal_one_pass():
    """Long audio goes through the trunk in chunks (bounded memory) with exactly the single pass's logits."""
    from fakeguard.detectors.models import create_model

    torch.manual_seed(0)
    model = create_model("voice_lcnn_small").eval()
    wave = torch.randn(16000 * 40) * 0.1
    length = 64000
    starts = list(range(0, wave.numel() - length, 32000))
    with torch.inference_mode():
        single = model.forward_windows(wave, starts, length, chunk_s=1e9)
        chunked = model.forward_windows(wave, starts, length, chunk_s=10.0)
    assert single.shape == (len(starts),)
    assert torch.allclose(single, chunked, atol=1e-5), (single - chunked).abs().max()
