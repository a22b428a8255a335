"""Start-up progress moves while a blocking step runs, paced by its last duration."""
from __future__ import annotations

import time

from core.base import startup


def test_ticking_moves_during_a_blocking_call_and_remembers_its_time(app_home):
    seen = []
    with startup.ticking(lambda f, m: seen.append(f), 0.1, 0.5, "build", "Building"):
        time.sleep(0.6)  # stands for a call that reports nothing (importing TensorFlow)
    fractions = [f for f in seen]
    assert fractions[0] == 0.1 and len(fractions) >= 4
    assert fractions == sorted(fractions) and 0.1 < fractions[-1] < 0.5
    assert abs(startup._expected("build") - 0.6) < 0.3  # this computer's own time, next start
