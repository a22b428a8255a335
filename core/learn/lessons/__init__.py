"""Lessons you can run: each paper's claim, its smallest experiment here, a verdict.

``catalog.run_lesson(key, LessonSettings(...), progress, should_stop, on_partial)``
is the core job; ``catalog.LESSONS`` lists them (residual, bottleneck, depthwise,
pretrained) with their claim and citation; ``runner`` trains the variants;
``seeds.run_seeds`` runs a lesson once per seed and gives the spread. The
package itself imports nothing, so its modules can import each other's parts.
"""
