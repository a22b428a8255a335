"""Start-up progress moves while a blocking step runs, paced by its last duration."""
from __future__ import annotations

import time

from core.base import startup
from core.runtime.loading import load_predictor


def test_ticking_moves_during_a_blocking_call_and_remembers_its_time(app_home):
    seen = []
    with startup.ticking(lambda f, m: seen.append(f), 0.1, 0.5, "build", "Building"):
        time.sleep(0.6)  # stands for a call that reports nothing (importing TensorFlow)
    fractions = [f for f in seen]
    assert fractions[0] == 0.1 and len(fractions) >= 4
    assert fractions == sorted(fractions) and 0.1 < fractions[-1] < 0.5
    assert abs(startup._expected("build") - 0.6) < 0.3  # this computer's own time, next start


def test_loading_a_model_through_tensorflow_reports_progress_all_the_way(app_home,
                                                                         monkeypatch):
    # As when no LiteRT file is there yet: the path that builds the model.
    monkeypatch.setattr("core.runtime.loading.instant_predictor", lambda model: None)
    seen = []
    predictor = load_predictor("EfficientNetLite0", lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions[-1] == 1.0 and predictor.class_names[0]
    assert all(b >= a for a, b in zip(fractions, fractions[1:]))  # never backwards
    assert len({round(f, 2) for f in fractions}) >= 5  # not stuck at one value
