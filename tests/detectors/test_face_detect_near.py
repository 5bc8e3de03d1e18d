"""``FaceDetector.detect_near``: re-finding faces around known boxes, as the video tracker asks."""

from __future__ import annotations

import media_factory
import numpy as np
import pytest

from fakeguard.detectors.faces import FaceDetector, template_landmarks
from fakeguard.detectors.faces.extract import extract_faces
from fakeguard.detectors.faces.track import box_iou

pytest.importorskip("dlib")

FRAME_H, FRAME_W = 360, 640
FACE = 160


@pytest.fixture(scope="module")
def detector() -> FaceDetector:
    return FaceDetector()


@pytest.fixture(scope="module")
def face_pixels() -> np.ndarray:
    return media_factory.cartoon_face(FACE)


def _frame(face: np.ndarray, x: int, y: int, other: tuple[np.ndarray, int, int] | None = None) -> np.ndarray:
    frame = np.full((FRAME_H, FRAME_W, 3), 110, np.uint8)
    frame[y : y + face.shape[0], x : x + face.shape[1]] = face
    if other is not None:
        pixels, ox, oy = other
        frame[oy : oy + pixels.shape[0], ox : ox + pixels.shape[1]] = pixels
    return frame


def _centre(box):
    return np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])


@pytest.fixture(scope="module")
def moved(detector, face_pixels):
    """Frame 1 with the face at (200, 100), frame 2 with it 30 px right and 10 px down; full detections of both."""
    frame1, frame2 = _frame(face_pixels, 200, 100), _frame(face_pixels, 230, 110)
    (face1,) = detector.detect(frame1)
    (face2,) = detector.detect(frame2)
    return frame1, frame2, face1, face2


def test_full_detection_sees_the_move(moved):
    _, _, face1, face2 = moved
    assert _centre(face2.box) - _centre(face1.box) == pytest.approx([30, 10], abs=4)


def test_detect_near_finds_the_moved_face_where_detect_does(detector, moved):
    _, frame2, face1, face2 = moved
    near = detector.detect_near(frame2, [face1.box])
    assert len(near) == 1
    found = near[0]
    # The region is searched at another scale, so the HOG box may sit a few px off; the
    # landmarks (fitted on the full-resolution frame in both cases) agree closely.
    assert np.abs(np.subtract(found.box, face2.box)).max() <= 8
    assert _centre(found.box) == pytest.approx(_centre(face2.box), abs=6)  # under one HOG cell (8 px at 1.4x)
    assert box_iou(found.box, face2.box) > 0.75
    np.testing.assert_allclose(found.landmarks, face2.landmarks, atol=2.5)
    # Coordinates are in the whole frame, not the searched region: the eyes of the drawn face
    # sit at (230 + 80 -+ 13.6, 110 + 76.8) in frame 2.
    right_eye, left_eye = found.landmarks[0:2].mean(0), found.landmarks[2:4].mean(0)
    assert right_eye == pytest.approx([310 + 13.6, 186.8], abs=6)
    assert left_eye == pytest.approx([310 - 13.6, 186.8], abs=6)
    assert found.score > 0


def test_a_box_far_from_any_face_finds_nothing(detector, moved):
    _, frame2, face1, _ = moved
    width = face1.width
    far = (520.0, 20.0, 520.0 + width / 2, 20.0 + width / 2)  # top-right corner, away from the face
    assert detector.detect_near(frame2, [far]) == []


@pytest.mark.parametrize("box", [(-500.0, -500.0, -400.0, -400.0), (700.0, 10.0, 800.0, 110.0), (5.0, 5.0, 5.0, 5.0)])
def test_boxes_outside_the_frame_or_empty_find_nothing_and_do_not_fail(detector, moved, box):
    _, frame2, _, _ = moved
    assert detector.detect_near(frame2, [box]) == []


def test_no_boxes_find_nothing(detector, moved):
    assert detector.detect_near(moved[1], []) == []


def test_overlapping_search_boxes_report_one_face_once(detector, moved):
    _, frame2, face1, face2 = moved
    nudged = tuple(v + d for v, d in zip(face1.box, (12, 6, 12, 6)))
    boxes = [face1.box, nudged, face2.box]
    # Each region alone finds the face, so without de-duplication there would be three.
    assert [len(detector.detect_near(frame2, [b])) for b in boxes] == [1, 1, 1]
    near = detector.detect_near(frame2, boxes)
    assert len(near) == 1
    assert box_iou(near[0].box, face2.box) > 0.75


def test_two_faces_each_found_near_its_own_box(detector, face_pixels):
    other = media_factory.cartoon_face(FACE, skin=(160, 120, 100), seed=3)
    frame1 = _frame(face_pixels, 40, 100, (other, 440, 60))
    frame2 = _frame(face_pixels, 70, 110, (other, 420, 80))
    boxes1 = [f.box for f in detector.detect(frame1)]
    assert len(boxes1) == 2
    full2 = detector.detect(frame2)
    near2 = detector.detect_near(frame2, boxes1)
    assert len(near2) == 2
    for full in full2:
        assert max(box_iou(full.box, n.box) for n in near2) > 0.75
    # Only the region around the left face: the right face is not reported.
    left_box = min(boxes1, key=lambda b: b[0])
    (left_only,) = detector.detect_near(frame2, [left_box])
    assert _centre(left_only.box)[0] < FRAME_W / 2


def test_extract_faces_near_returns_model_sized_crops(detector, moved):
    _, frame2, face1, face2 = moved
    faces = extract_faces(frame2, detector, 224, 1.3, near=[face1.box])
    assert len(faces) == 1
    crop = faces[0].crop
    assert crop.image.shape == (224, 224, 3) and crop.image.dtype == np.uint8
    assert box_iou(faces[0].face.box, face2.box) > 0.75
    np.testing.assert_allclose(crop.landmarks[:4].mean(0), template_landmarks(224, 1.3)[:4].mean(0), atol=6)
    # Another model size, and a search far from the face gives no crop.
    (small,) = extract_faces(frame2, detector, 160, 1.3, near=[face1.box])
    assert small.crop.image.shape == (160, 160, 3)
    assert extract_faces(frame2, detector, 224, 1.3, near=[(520.0, 20.0, 560.0, 60.0)]) == []


def test_extract_faces_near_none_searches_the_whole_frame(detector, moved):
    _, frame2, _, face2 = moved
    (face,) = extract_faces(frame2, detector, 224, 1.3, near=None)
    assert face.face.box == face2.box
    # An empty list of boxes is not None: nothing is searched.
    assert extract_faces(frame2, detector, 224, 1.3, near=[]) == []
