"""Learn > Lessons driven like a user: run a lesson at minimal settings, watch the chart
fill and the verdict appear; Stop keeps the variants that finished."""
from __future__ import annotations

import pytest

from core.learn.lessons import LESSONS, LessonSettings

TINY = LessonSettings(epochs=1, limit=120)


@pytest.fixture
def page(qtbot):
    from gui.learn.lessons_page import LessonsPage

    page = LessonsPage()
    qtbot.addWidget(page)
    page.resize(1100, 720)
    page.show()
    yield page
    page.shutdown()


def select(page, key: str) -> None:
    page.lessons.setCurrentRow([lesson.key for lesson in LESSONS].index(key))


def test_every_lesson_shows_its_claim_and_citation(page):
    for row, lesson in enumerate(LESSONS):
        page.lessons.setCurrentRow(row)
        assert lesson.claim in page.claim.text()
        assert page.citation.text() == lesson.citation
        assert "min" in page.estimate.text()


def test_a_run_draws_curves_fills_the_table_and_says_a_verdict(page, qtbot):
    select(page, "depthwise")
    worker = page.run(TINY)
    assert not page.run_button.isEnabled() and page.job.isVisible()
    with qtbot.waitSignal(worker.succeeded, timeout=240000) as done:
        pass
    assert page.chart.points("standard training") and page.chart.points(
        "depthwise-separable validation")
    assert page.table.rowCount() == 2
    assert page.verdict.text().startswith(done.args[0].verdict)
    qtbot.waitUntil(page.run_button.isEnabled)


def test_stop_keeps_the_finished_variants_and_gives_no_verdict(page, qtbot):
    select(page, "bottleneck")
    worker = page.run(LessonSettings(epochs=30, limit=120))
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=240000)  # first variant done
    with qtbot.waitSignal(worker.cancelled, timeout=120000):
        page.job.cancel()
    assert page.table.rowCount() == 1
    assert page.verdict.text().startswith("Stopped")
    qtbot.waitUntil(page.run_button.isEnabled)
