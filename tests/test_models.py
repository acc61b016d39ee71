"""edgeaudio.models.Detector: smoothing, threshold, patience, refractory period, per class."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from edgeaudio import _models
from edgeaudio.models import Detection, Detector


def one_class(values):
    """Posteriors of a 2-class model whose class 1 follows ``values``."""
    v = np.asarray(values, np.float64)
    return np.stack([1 - v, v], axis=1)


def fired(det, values):
    return [d.frame for d in det.process(one_class(values)) if d.class_index == 1]


def test_the_core_is_the_cython_extension():
    assert _models.__file__.endswith((".so", ".pyd")), _models.__file__


def test_threshold_is_inclusive_and_fires_once_per_crossing_with_refractory():
    det = Detector(2, threshold=0.5, refractory=100, ignore=[0])
    assert fired(det, [0.49, 0.5, 0.9, 0.9]) == [1]


def test_without_refractory_every_frame_above_fires():
    det = Detector(2, threshold=0.5, ignore=[0])
    assert fired(det, [0.2, 0.6, 0.7, 0.1, 0.8]) == [1, 2, 4]


def test_patience_needs_k_consecutive_frames_and_a_dip_restarts_the_count():
    det = Detector(2, threshold=0.5, patience=3, refractory=100, ignore=[0])
    #              0    1    2    3    4    5    6
    assert fired(det, [0.9, 0.9, 0.1, 0.9, 0.9, 0.9, 0.9]) == [5]


def test_refractory_frames_neither_fire_nor_count_towards_patience():
    det = Detector(2, threshold=0.5, patience=2, refractory=3, ignore=[0])
    # fires at 1; frames 2-4 are refractory; 5 and 6 rebuild patience -> fires at 6
    assert fired(det, [0.9] * 10) == [1, 6]


def test_moving_average_over_n_frames_with_a_short_start():
    det = Detector(2, threshold=0.99, smoothing=4, ignore=[0])
    seen = []
    for v in [1.0, 0.0, 1.0, 1.0, 1.0, 1.0]:
        det.process(one_class([v]))
        seen.append(det.smoothed[1])
    np.testing.assert_allclose(seen, [1.0, 0.5, 2 / 3, 0.75, 0.75, 1.0])


def test_smoothing_suppresses_a_single_frame_spike():
    spike = [0.0] * 5 + [1.0] + [0.0] * 5
    assert fired(Detector(2, threshold=0.5, ignore=[0]), spike) == [5]
    assert fired(Detector(2, threshold=0.5, smoothing=3, ignore=[0]), spike) == []


def test_per_class_thresholds_and_independent_state():
    labels = ["silence", "yes", "no"]
    det = Detector(labels, threshold={"yes": 0.8, "no": 0.3}, patience=1, refractory=2, ignore=["silence"])
    p = np.array([[0.1, 0.6, 0.3], [0.0, 0.85, 0.15], [0.0, 0.5, 0.5], [0.0, 0.9, 0.1]])
    got = [(d.frame, d.label) for d in det.process(p)]
    # "no" fires at 0 (0.3 >= 0.3), is refractory at 1-2; "yes" fires at 1, is refractory at 2-3
    assert got == [(0, "no"), (1, "yes")]
    assert all(isinstance(d, Detection) for d in det.process(p[:1]))


def test_ignored_classes_never_fire():
    det = Detector(["silence", "unknown", "go"], threshold=0.1, ignore=["silence", "unknown"])
    p = np.tile([0.4, 0.4, 0.2], (5, 1))
    assert [d.label for d in det.process(p)] == ["go"] * 5


def test_reset_forgets_history_runs_and_frame_count():
    det = Detector(2, threshold=0.5, patience=2, smoothing=2, ignore=[0])
    det.process(one_class([0.9]))
    det.reset()
    assert det.frames_seen == 0
    assert fired(det, [0.9, 0.9]) == [1]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=60), st.integers(1, 7), st.integers(1, 5),
       st.integers(0, 6), st.integers(1, 9))
# found under emulated arm64: a running sum rounded (1.0 + 0.9999999999999999) - 1.0 up to a 0.5 mean
@example(values=[1.0, 0.9999999999999999, 0.0], smoothing=2, patience=1, refractory=0, chunk=1)
def test_chunked_processing_equals_frame_by_frame(values, smoothing, patience, refractory, chunk):
    a = Detector(2, threshold=0.5, smoothing=smoothing, patience=patience, refractory=refractory, ignore=[0])
    b = Detector(2, threshold=0.5, smoothing=smoothing, patience=patience, refractory=refractory, ignore=[0])
    p = one_class(values)
    whole = [d.frame for d in a.process(p)]
    parts = []
    for i in range(0, len(p), chunk):
        parts += [d.frame for d in b.process(p[i:i + chunk])]
    assert whole == parts
    # a reference in plain Python, straight from the documented rules
    ref, run, cool, hist = [], 0, 0, []
    for t, v in enumerate(values):
        hist = (hist + [v])[-smoothing:]
        s = sum(hist) / len(hist)
        if cool > 0:
            cool, run = cool - 1, 0
            continue
        run = run + 1 if s >= 0.5 else 0
        if run >= patience:
            ref.append(t)
            run, cool = 0, refractory
    assert whole == ref


def test_from_manifest_entry_converts_refractory_seconds_to_frames():
    entry = {"labels": ["silence", "unknown", "yes"], "stride_ms": 100,
             "detector": {"threshold": 0.7, "smoothing_frames": 3, "patience": 2, "refractory_s": 1.0}}
    det = Detector.from_manifest(entry)
    assert (det.smoothing, det.patience, det.refractory) == (3, 2, 10)
    assert det.ignored == {0, 1}


@pytest.mark.parametrize("kwargs, match", [
    ({"smoothing": 0}, "smoothing"), ({"patience": 0}, "patience"), ({"refractory": -1}, "refractory"),
    ({"threshold": 1.5}, "threshold"), ({"threshold": [0.5, 0.5, 0.5]}, "threshold"),
    ({"ignore": ["nope"]}, "ignore"), ({"threshold": {"nope": 0.5}}, "threshold"),
])
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Detector(["a", "b"], **kwargs)


def test_bad_posteriors_are_refused():
    det = Detector(3)
    with pytest.raises(ValueError, match="shape"):
        det.process(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="NaN"):
        det.process(np.array([0.1, np.nan, 0.2]))
    assert det.frames_seen == 0
