"""Start-up progress on the real default model (the ticking itself: tests/unit/test_startup.py)."""
from __future__ import annotations

from core.runtime.loading import load_model


def test_loading_the_default_model_reports_progress_all_the_way(app_home):
    seen = []
    predictor = load_model("EfficientNetLite0", lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions[-1] == 1.0 and predictor.class_names[0]
    assert all(b >= a for a, b in zip(fractions, fractions[1:]))  # never backwards
    assert len({round(f, 2) for f in fractions}) >= 5  # not stuck at one value
