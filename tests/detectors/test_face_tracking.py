"""Linking face boxes across sampled video frames into tracks (``detectors/faces/track.py``)."""

from __future__ import annotations

import math

import pytest

from fakeguard.detectors.faces.track import FaceTracker, TrackerConfig, box_iou, link_cost


def _shift(box, dx=0.0, dy=0.0):
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def _square(cx, cy, side):
    half = side / 2
    return (cx - half, cy - half, cx + half, cy + half)


# --------------------------------------------------------------------------- box_iou and link_cost


def test_box_iou_of_identical_boxes_is_one():
    assert box_iou((10, 20, 110, 220), (10, 20, 110, 220)) == 1.0


@pytest.mark.parametrize("other", [(20, 0, 30, 10), (0, 20, 10, 30), (10, 0, 20, 10), (10, 10, 20, 20)])
def test_box_iou_of_disjoint_or_touching_boxes_is_zero(other):
    assert box_iou((0, 0, 10, 10), other) == 0.0


def test_box_iou_known_partial_overlaps():
    # Half a box to the side: intersection 50, union 150.
    assert box_iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(1 / 3)
    # A quarter to the corner: intersection 25, union 175.
    assert box_iou((0, 0, 10, 10), (5, 5, 15, 15)) == pytest.approx(1 / 7)
    # One box inside the other: intersection 4, union 100.
    assert box_iou((0, 0, 10, 10), (2, 2, 4, 4)) == pytest.approx(0.04)
    # Symmetric.
    assert box_iou((5, 5, 15, 15), (0, 0, 10, 10)) == pytest.approx(1 / 7)


def test_box_iou_of_empty_boxes_is_zero_not_a_division_error():
    assert box_iou((0, 0, 0, 0), (0, 0, 0, 0)) == 0.0


def test_link_cost_values():
    config = TrackerConfig()
    a = (0.0, 0.0, 10.0, 10.0)
    assert link_cost(a, a, config) == pytest.approx(0.0)
    assert link_cost(a, (5.0, 0.0, 15.0, 10.0), config) == pytest.approx(1 - 1 / 3)
    # No overlap: 1 + the centre distance in face widths (here 1.0 widths exactly, still allowed).
    assert link_cost(a, (10.0, 0.0, 20.0, 10.0), config) == pytest.approx(2.0)
    # Beyond max_center_shift (1.2 widths) or beyond max_size_ratio (width 10 -> 17): impossible.
    assert math.isinf(link_cost(a, (12.0, 0.0, 22.0, 10.0), config))
    assert math.isinf(link_cost(a, (0.0, 0.0, 17.0, 17.0), config))
    # A size change within the ratio (10 -> 15) links.
    assert math.isfinite(link_cost(a, (0.0, 0.0, 15.0, 15.0), config))


# --------------------------------------------------------------------------- FaceTracker


def test_a_box_moving_a_little_each_step_keeps_one_track():
    tracker = FaceTracker()
    box = (100.0, 80.0, 200.0, 180.0)
    ids = []
    for step in range(10):
        ids += tracker.update(float(step), [_shift(box, dx=12 * step, dy=-5 * step)])
    assert ids == [1] * 10
    assert len(tracker.tracks) == 1
    track = tracker.tracks[0]
    assert track.track_id == 1
    assert track.detections == list(range(10))
    assert track.last_box == _shift(box, dx=108, dy=-45)
    assert track.last_time_s == 9.0


def test_an_empty_frame_returns_no_ids_and_keeps_the_track():
    tracker = FaceTracker()
    assert tracker.update(0.0, [(0, 0, 100, 100)]) == [1]
    assert tracker.update(1.0, []) == []
    assert tracker.update(2.0, [(10, 0, 110, 100)]) == [1]
    assert tracker.tracks[0].detections == [0, 1]


def test_two_faces_keep_their_ids_when_the_input_order_is_swapped():
    tracker = FaceTracker()
    left, right = (50.0, 100.0, 150.0, 200.0), (450.0, 100.0, 550.0, 200.0)
    assert tracker.update(0.0, [left, right]) == [1, 2]
    # Next frame: both moved a little, given in the opposite order.
    left1, right1 = _shift(left, 10, 3), _shift(right, -8, 2)
    assert tracker.update(1.0, [right1, left1]) == [2, 1]
    # And back again.
    left2, right2 = _shift(left1, 10, 0), _shift(right1, -8, 0)
    assert tracker.update(2.0, [left2, right2]) == [1, 2]
    by_id = {t.track_id: t for t in tracker.tracks}
    assert by_id[1].last_box == left2 and by_id[2].last_box == right2
    # Flat order of all boxes given: 0 left, 1 right, 2 right1, 3 left1, 4 left2, 5 right2.
    assert by_id[1].detections == [0, 3, 4]
    assert by_id[2].detections == [1, 2, 5]


def test_assignment_links_as_many_faces_as_possible_not_greedily():
    # Track 1 at x=0, track 2 at x=150 (both 100 px wide). New box p at x=50, q at x=-60.
    # Track 1's best is p (IoU 1/3) but q is also possible (IoU 0.25); track 2 can only reach p
    # (touching, 1.0 widths away). Greedy would give p to track 1 and lose track 2; the
    # optimal assignment gives q to track 1 and p to track 2.
    tracker = FaceTracker()
    assert tracker.update(0.0, [(0, 0, 100, 100), (150, 0, 250, 100)]) == [1, 2]
    p, q = (50, 0, 150, 100), (-60, 0, 40, 100)
    assert tracker.update(1.0, [p, q]) == [2, 1]
    assert len(tracker.tracks) == 2


def test_a_jump_beyond_max_center_shift_starts_a_new_track():
    config = TrackerConfig(max_center_shift=1.0)
    tracker = FaceTracker(config)
    box = (100.0, 100.0, 200.0, 200.0)  # 100 px wide
    assert tracker.update(0.0, [box]) == [1]
    assert tracker.update(1.0, [_shift(box, dx=95)]) == [1]  # 0.95 widths: same face
    assert tracker.update(2.0, [_shift(box, dx=95 + 110)]) == [2]  # 1.1 widths: a cut
    assert tracker.update(3.0, [_shift(box, dx=95 + 110 + 20)]) == [2]
    assert [t.track_id for t in tracker.tracks] == [1, 2]
    assert tracker.tracks[0].detections == [0, 1]
    assert tracker.tracks[1].detections == [2, 3]


def test_a_diagonal_jump_is_measured_as_a_distance():
    tracker = FaceTracker(TrackerConfig(max_center_shift=1.0))
    box = (0.0, 0.0, 100.0, 100.0)
    tracker.update(0.0, [box])
    # 80 px right and 80 px down: each within a width, together 1.13 widths.
    assert tracker.update(1.0, [_shift(box, 80, 80)]) == [2]


def test_max_center_shift_is_configurable():
    box = (0.0, 0.0, 100.0, 100.0)
    loose = FaceTracker(TrackerConfig(max_center_shift=2.0))
    loose.update(0.0, [box])
    assert loose.update(1.0, [_shift(box, dx=150)]) == [1]
    strict = FaceTracker(TrackerConfig(max_center_shift=0.2))
    strict.update(0.0, [box])
    assert strict.update(1.0, [_shift(box, dx=30)]) == [2]


def test_a_size_change_beyond_max_size_ratio_starts_a_new_track():
    tracker = FaceTracker(TrackerConfig(max_size_ratio=1.6))
    assert tracker.update(0.0, [_square(300, 300, 100)]) == [1]
    assert tracker.update(1.0, [_square(300, 300, 150)]) == [1]  # x1.5: a zoom, same face
    assert tracker.update(2.0, [_square(300, 300, 250)]) == [2]  # x1.67: a cut to a close-up
    # Cut back to the wide shot: the 140 px face is compared with each open track's last box,
    # 150 px for track 1 (x1.07) and 250 px for track 2 (x1.79), so it is track 1 again.
    assert tracker.update(3.0, [_square(300, 300, 140)]) == [1]
    # Shrinking beyond the ratio is a cut as well.
    shrinking = FaceTracker(TrackerConfig(max_size_ratio=1.6))
    shrinking.update(0.0, [_square(300, 300, 250)])
    assert shrinking.update(1.0, [_square(300, 300, 160)]) == [1]  # /1.56
    assert shrinking.update(2.0, [_square(300, 300, 95)]) == [2]  # /1.68


def test_within_max_gap_the_face_keeps_its_id_beyond_it_a_new_track_starts():
    config = TrackerConfig(max_gap_s=3.0)
    box = (100.0, 100.0, 200.0, 200.0)

    tracker = FaceTracker(config)
    tracker.update(0.0, [box])
    assert tracker.update(3.0, [box]) == [1]  # exactly max_gap_s: still open
    assert tracker.update(5.5, [box]) == [1]  # 2.5 s unseen

    tracker = FaceTracker(config)
    tracker.update(0.0, [box])
    assert tracker.update(3.5, [box]) == [2]  # 3.5 s unseen: closed
    assert tracker.update(4.0, [box]) == [2]
    assert [t.detections for t in tracker.tracks] == [[0], [1, 2]]


def test_open_tracks():
    tracker = FaceTracker(TrackerConfig(max_gap_s=2.0))
    a, b = (0.0, 0.0, 50.0, 50.0), (500.0, 0.0, 550.0, 50.0)
    assert tracker.open_tracks(0.0) == []
    tracker.update(0.0, [a, b])
    tracker.update(1.0, [a])  # b not seen since 0.0
    assert [t.track_id for t in tracker.open_tracks(1.0)] == [1, 2]
    assert [t.track_id for t in tracker.open_tracks(2.0)] == [1, 2]  # b unseen exactly 2.0 s
    assert [t.track_id for t in tracker.open_tracks(2.5)] == [1]
    assert [t.track_id for t in tracker.open_tracks(3.0)] == [1]
    assert tracker.open_tracks(3.01) == []
    # Closed tracks stay in .tracks; open_tracks returns the same objects.
    assert len(tracker.tracks) == 2
    assert tracker.open_tracks(1.0)[0] is tracker.tracks[0]


def test_detection_indices_line_up_with_the_flat_list_of_all_boxes():
    tracker = FaceTracker()
    face_a, face_b, face_c = (0.0, 0.0, 100.0, 100.0), (400.0, 0.0, 500.0, 100.0), (0.0, 300.0, 60.0, 360.0)
    frames = [
        (0.0, [face_a, face_b]),
        (1.0, []),
        (2.0, [_shift(face_b, 5), _shift(face_a, 5), face_c]),
        (3.0, [_shift(face_c, 2)]),
        (4.0, [_shift(face_a, 10), _shift(face_b, 10)]),
    ]
    flat_boxes, flat_ids = [], []
    for time_s, boxes in frames:
        ids = tracker.update(time_s, boxes)
        assert len(ids) == len(boxes)
        flat_boxes += boxes
        flat_ids += ids
    assert flat_ids == [1, 2, 2, 1, 3, 3, 1, 2]
    # Every index appears in exactly one track, and indexes the box that track was given.
    seen = sorted(i for t in tracker.tracks for i in t.detections)
    assert seen == list(range(len(flat_boxes)))
    for track in tracker.tracks:
        assert track.detections == sorted(track.detections)
        assert all(flat_ids[i] == track.track_id for i in track.detections)
        assert flat_boxes[track.detections[-1]] == track.last_box
    assert {t.track_id: t.detections for t in tracker.tracks} == {1: [0, 3, 6], 2: [1, 2, 7], 3: [4, 5]}


def test_two_new_boxes_cannot_share_one_track():
    tracker = FaceTracker()
    box = (0.0, 0.0, 100.0, 100.0)
    tracker.update(0.0, [box])
    # Two boxes that could both link to track 1: the closer one gets it, the other starts track 2.
    assert tracker.update(1.0, [_shift(box, 40), _shift(box, 5)]) == [2, 1]
