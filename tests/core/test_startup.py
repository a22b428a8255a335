"""Start-up progress on the real default model (the ticking itself: tests/unit/test_startup.py)."""
from __future__ import annotations

from core.runtime.loading import load_predictor


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
