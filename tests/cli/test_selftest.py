"""The self-test's training step fails a head that learned nothing."""
from __future__ import annotations

import pytest

from cli.selftest import check_above_chance


def test_a_chance_level_accuracy_fails_the_training_step():
    with pytest.raises(AssertionError, match="no better than chance"):
        check_above_chance(1 / 3, 3)  # 2 of 6 right on 3 classes: guessing
    with pytest.raises(AssertionError, match="none"):
        check_above_chance(None, 3)
    assert check_above_chance(0.5, 3) == "0.50"
