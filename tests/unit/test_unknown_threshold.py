"""The "unknown" threshold a trained model keeps, chosen from validation scores."""
from __future__ import annotations

import numpy as np
import pytest

from core.teach import training


def test_threshold_rule_puts_most_errors_below_it():
    right = np.array([0.99, 0.97, 0.95, 0.9, 0.9, 0.88, 0.85, 0.8, 0.75, 0.7, 0.45])
    wrong = np.array([0.6, 0.5, 0.4, 0.35, 0.92])
    scores = np.concatenate([right, wrong])
    correct = np.array([True] * len(right) + [False] * len(wrong))
    threshold = training.choose_threshold(scores, correct)
    assert threshold == pytest.approx(0.7)
    assert (wrong < threshold).mean() == 0.8 and (right < threshold).mean() <= 0.1
    assert training.choose_threshold(right, np.ones(len(right), bool)) == 0.0
