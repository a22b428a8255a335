"""A job replaced by a newer one never reaches a view, however late it ends."""
from __future__ import annotations

import threading

from core.base.jobs import check_stop
from gui.workers import JobSlot, JobWorker


def _count_to(n, on_step, progress, should_stop, release: threading.Event):
    """Reports steps after ``release`` is set, ignoring should_stop (like a
    conversion that cannot be interrupted), then returns ``n``."""
    release.wait(30)
    for i in range(n):
        on_step(i)
        progress((i + 1) / n, f"step {i}")
    return n


def test_a_replaced_job_emits_nothing(qtbot):
    slot = JobSlot()
    heard = []
    release_old = threading.Event()
    old = JobWorker(_count_to, 5, partial_kw="on_step", release=release_old)
    for name in ("partial", "progressed", "succeeded", "failed", "cancelled", "ended"):
        getattr(old, name).connect(lambda *a, name=name: heard.append(("old", name)))
    slot.start(old)
    new = JobWorker(_count_to, 3, partial_kw="on_step", release=threading.Event())
    new._kwargs["release"].set()
    results = []
    new.succeeded.connect(results.append)
    with qtbot.waitSignal(new.ended, timeout=10000):
        slot.start(new)
    release_old.set()  # the old job ends after its replacement, with results
    assert slot.wait(10000)
    qtbot.wait(50)  # let any queued signal of the old job arrive
    assert results == [3]
    assert heard == []
    assert old.is_retired() and slot.worker is new


def _wait_then_check(release: threading.Event, progress, should_stop):
    release.wait(30)
    check_stop(should_stop)


def test_a_cancelled_job_still_reports(qtbot):
    """Cancel (the user's Stop) is not supersession: the job says it stopped."""
    slot = JobSlot()
    release = threading.Event()
    worker = JobWorker(_wait_then_check, release)
    slot.start(worker)
    with qtbot.waitSignal(worker.cancelled, timeout=10000):
        slot.cancel()
        release.set()
    assert slot.wait(10000)


def test_superseded_slow_load_never_becomes_current(qtbot, monkeypatch, default_predictor):
    """A slow first load (think ResNet50 converting) replaced by a quick one
    finishes later, yet the quick one stays the current model. (The default
    predictor fixture has already cached the LiteRT file, so both loads are real
    but quick.)"""
    import gui.model_state as model_state
    from gui.model_state import ModelState

    real_load = model_state._load
    slow_ref, quick_ref = "EfficientNetLite0", "efficientnet-lite0"  # the same model, two names
    quick_done = threading.Event()
    made: dict = {}

    def load(ref, progress, should_stop):
        if ref == slow_ref:  # keeps going after it is told to stop, and ends last
            quick_done.wait(300)
            made["slow"] = real_load(ref, progress, lambda: False)
            return made["slow"]
        try:
            made["quick"] = real_load(ref, progress, should_stop)
        finally:
            quick_done.set()
        return made["quick"]

    monkeypatch.setattr(model_state, "_load", load)
    models = ModelState()
    changed, failed = [], []
    models.changed.connect(changed.append)
    models.failed.connect(failed.append)
    models.load(slow_ref)
    models.load(quick_ref)
    qtbot.waitUntil(lambda: bool(changed or failed), timeout=300000)
    assert not failed
    assert models._slot.wait(300000)  # the slow load has finished too
    qtbot.wait(100)  # and anything it emitted has had its chance to arrive
    assert made["slow"] is not None and made["slow"] is not made["quick"]
    assert changed == [made["quick"]]
    assert models.predictor is made["quick"] and models.ref == quick_ref
