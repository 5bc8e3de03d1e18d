"""Face detection, landmark alignment and the one crop: on drawn faces and exact geometry."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from fakeguard.detectors.faces import DetectorConfig, FaceDetector, crop_face, template_landmarks
from fakeguard.detectors.faces.crop import similarity_matrix
from fakeguard.detectors.faces.extract import extract_faces

pytest.importorskip("dlib")


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


def test_drawn_face_is_found_with_landmarks_on_the_eyes(factory, detector):
    image = factory.cartoon_face(400)
    faces = detector.detect(image)
    assert len(faces) == 1
    face = faces[0]
    x0, y0, x1, y1 = face.box
    assert 100 < x0 < 200 < x1 < 300 and 100 < y0 < 200 < y1 < 360
    # Drawn eyes are at (200 +- 34, 192): the eye landmarks must be near them, image-right eye first.
    right_eye = face.landmarks[0:2].mean(axis=0)
    left_eye = face.landmarks[2:4].mean(axis=0)
    assert right_eye[0] > left_eye[0]
    assert np.allclose(right_eye, (234, 192), atol=12)
    assert np.allclose(left_eye, (166, 192), atol=12)
    assert face.eye_distance == pytest.approx(68, abs=12)


def test_blank_image_has_no_face(detector):
    assert detector.detect(np.full((240, 320, 3), 128, np.uint8)) == []


def test_large_image_is_detected_at_reduced_scale_and_reported_in_full_coordinates(factory, detector):
    face = factory.cartoon_face(400)
    canvas = np.full((1600, 2400, 3), 100, np.uint8)
    big = cv2.resize(face, (1000, 1000))  # the face is 2.5x larger: eyes near (1090, 480)
    canvas[100:1100, 600:1600] = big
    faces = detector.detect(canvas)
    assert len(faces) == 1
    right_eye = faces[0].landmarks[0:2].mean(axis=0)
    assert np.allclose(right_eye, (600 + 234 * 2.5, 100 + 192 * 2.5), atol=30)


def test_small_tight_crop_is_padded_and_found(factory, detector):
    face = factory.cartoon_face(400)[120:340, 100:300]  # tight around the head, 200 px
    small = cv2.resize(face, (100, 110), interpolation=cv2.INTER_AREA)
    assert len(detector.detect(small)) == 1


def test_faces_below_the_minimum_size_are_dropped(factory):
    image = factory.cartoon_face(400)
    assert FaceDetector(DetectorConfig(min_eye_distance=200)).detect(image) == []


def test_detector_rejects_non_rgb_input(detector):
    with pytest.raises(ValueError, match="uint8 RGB"):
        detector.detect(np.zeros((10, 10), np.uint8))


def test_similarity_matrix_recovers_a_known_transform():
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 100, size=(5, 2))
    angle, scale, shift = 0.3, 1.7, np.array([12.0, -4.0])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = scale * src @ rot.T + shift
    matrix = similarity_matrix(src, dst)
    assert np.allclose(matrix[:, :2], scale * rot, atol=1e-9)
    assert np.allclose(matrix[:, 2], shift, atol=1e-9)


def test_similarity_matrix_never_reflects():
    src = np.array([[0.0, 0], [1, 0], [0, 1]])
    mirrored = src * [-1, 1]
    assert np.linalg.det(similarity_matrix(src, mirrored)[:, :2]) > 0


@pytest.mark.parametrize(("size", "margin"), [(224, 1.3), (260, 1.3), (128, 2.0)])
def test_crop_puts_landmarks_on_the_template_whatever_the_pose(size, margin):
    template = template_landmarks(size, margin)
    # A face at 3x scale, rotated 20 degrees, somewhere in a large image.
    angle = np.deg2rad(20)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    landmarks = (3.0 * (template - size / 2) @ rot.T + (500, 400)).astype(np.float32)
    image = np.random.default_rng(1).integers(0, 255, size=(900, 1100, 3), dtype=np.uint8)
    crop = crop_face(image, landmarks, size, margin)
    assert crop.image.shape == (size, size, 3) and crop.image.dtype == np.uint8
    assert np.allclose(crop.landmarks, template, atol=1e-3)
    back = crop.landmarks @ crop.inverse[:, :2].T + crop.inverse[:, 2]
    assert np.allclose(back, landmarks, atol=1e-2)


def test_crop_outside_the_image_is_black():
    template = template_landmarks(224, 1.3)
    landmarks = template - 150  # the face is mostly off the top-left corner
    image = np.full((300, 300, 3), 200, np.uint8)
    crop = crop_face(image, landmarks)
    assert crop.image[:100, :100].max() == 0 and crop.image[-1, -1].min() == 200


def test_crop_rejects_wrong_landmark_shape():
    with pytest.raises(ValueError, match="landmarks"):
        crop_face(np.zeros((10, 10, 3), np.uint8), np.zeros((68, 2)))


def test_extract_faces_crops_each_face_for_the_model(factory, detector):
    image = np.concatenate([factory.cartoon_face(400, seed=1), factory.cartoon_face(400, skin=(160, 120, 100))], 1)
    faces = extract_faces(image, detector, 224, 1.3)
    assert len(faces) == 2
    for f in faces:
        assert f.crop.image.shape == (224, 224, 3)
        assert np.allclose(f.crop.landmarks[[0, 1, 2, 3]].mean(0), template_landmarks()[[0, 1, 2, 3]].mean(0), atol=6)
