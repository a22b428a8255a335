"""Lessons you can run: each paper's claim, its smallest experiment here, a verdict.

``run_lesson(key, LessonSettings(...), progress, should_stop, on_partial)`` is
the core job; ``LESSONS`` lists them (residual, bottleneck, depthwise,
pretrained) with their claim and citation.
"""
from core.learn.lessons.catalog import (
    LESSONS,
    Lesson,
    LessonResult,
    LessonSettings,
    get,
    lesson_keys,
    run_lesson,
)
from core.learn.lessons.runner import Point, VariantResult

__all__ = ["LESSONS", "Lesson", "LessonResult", "LessonSettings", "Point", "VariantResult",
           "get", "lesson_keys", "run_lesson"]
