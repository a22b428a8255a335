"""Learn > Lessons driven like a user: run a lesson at minimal settings, watch the chart
fill and the verdict appear; Stop keeps the variants that finished."""
from __future__ import annotations

import pytest

from core.learn.lessons.catalog import LESSONS, LessonSettings

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
    assert page.save_button.isEnabled()


def test_a_saved_lesson_reopens_with_its_chart_table_and_verdict(page, tmp_path):
    from core.learn.lessons import results as saved
    from core.learn.lessons.catalog import LessonResult
    from core.learn.lessons.runner import VariantResult

    variants = [VariantResult(name, 8, name.startswith("resnet"), 1000, 5000, 1.0,
                              [0.5, 0.2], [0.6, 0.3], 0.7) for name in ("plain-8", "resnet-8")]
    result = LessonResult("residual", "claim", "citation", "Too close to call: numbers.",
                          "too close to call", False, 12.0, 1, True, "built-in digits", variants)
    saved.save(result, tmp_path / "residual.json")
    select(page, "depthwise")
    page.show_saved(saved.load(tmp_path / "residual.json"))
    assert page.lesson().key == "residual"
    assert page.chart.points("resnet-8 validation") == [(1, 0.6), (2, 0.3)]
    assert page.table.rowCount() == 2
    assert page.verdict.text().startswith("Too close to call: numbers.")
    assert saved.to_csv(result).splitlines()[1] == '"plain-8 training",1,0.500000'


def test_a_saved_run_of_several_seeds_shows_their_spread(page, tmp_path):
    from core.learn.lessons import results as saved
    from core.learn.lessons.catalog import LessonResult
    from core.learn.lessons.runner import VariantResult
    from core.learn.lessons.seeds import combine

    def run(seed, accuracy):
        return LessonResult("depthwise", "claim", "citation", "Agrees.", "agrees", True, 2.0,
                            seed, True, "built-in digits",
                            [VariantResult("standard", 5, False, 10, 20, 1.0, [0.2], [0.3],
                                           accuracy)])

    saved.save(combine([run(0, 0.7), run(1, 0.9)]), tmp_path / "two.json")
    page.show_saved(saved.load(tmp_path / "two.json"))
    assert page.table.item(0, 6).text() == "80.0% (70.0%-90.0%)"
    assert page.verdict.text().startswith("Agrees on all 2 seeds")
    assert page.verdict.text().endswith("seeds 0, 1)")
    assert page.seeds(LessonSettings(seed=4)) == [4]
    page.runs.setValue(3)
    assert page.seeds(LessonSettings(seed=4)) == [4, 5, 6]


def test_the_data_button_names_the_lesson_s_built_in_set(page):
    select(page, "pretrained")
    assert page.data_button.text() == "built-in Fashion-MNIST"
    select(page, "residual")
    assert page.data_button.text() == "built-in digits"


@pytest.mark.slow  # end to end, seconds: the full suite runs it
def test_stop_keeps_the_finished_variants_and_gives_no_verdict(page, qtbot):
    select(page, "bottleneck")
    worker = page.run(LessonSettings(epochs=30, limit=120))
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=240000)  # first variant done
    with qtbot.waitSignal(worker.cancelled, timeout=120000):
        page.job.cancel()
    assert page.table.rowCount() == 1
    assert page.verdict.text().startswith("Stopped")
    qtbot.waitUntil(page.run_button.isEnabled)


def test_choosing_another_lesson_drops_the_running_one(page, qtbot):
    select(page, "depthwise")
    worker = page.run(LessonSettings(epochs=30, limit=120))
    select(page, "residual")
    assert not page.job.isVisible() and page.run_button.isEnabled()
    qtbot.waitUntil(worker.isFinished, timeout=120000)
    qtbot.wait(100)  # anything it still sent would be delivered now
    assert page.table.rowCount() == 0 and not page.chart.series
    assert page.verdict.text().startswith("Press Run")
