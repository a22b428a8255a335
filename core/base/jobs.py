"""The progress/cancel protocol every long job uses.

A long job is a plain function that takes ``progress(fraction, message)`` and
``should_stop()``. It reports ``fraction`` in [0, 1] and raises
:class:`Cancelled` as soon as it notices ``should_stop()`` is true. Tests call
jobs with plain functions; gui/ wraps them in workers that emit signals.
"""
from __future__ import annotations

from typing import Callable

Progress = Callable[[float, str], None]
ShouldStop = Callable[[], bool]


class Cancelled(Exception):
    """The user asked a job to stop; whatever it had written is left valid."""


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that ignores everything."""


def never_stop() -> bool:
    return False


def check_stop(should_stop: ShouldStop) -> None:
    """Raise :class:`Cancelled` if the job was asked to stop."""
    if should_stop():
        raise Cancelled()


def sub_progress(progress: Progress, start: float, end: float) -> Progress:
    """Map a sub-step's 0..1 onto ``start..end`` of the parent's bar."""

    def report(fraction: float, message: str) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        progress(start + (end - start) * fraction, message)

    return report


def throttled(progress: Progress, step: float = 0.01) -> Progress:
    """Only pass on progress that moved visibly (``step``) or finished."""
    last = [-1.0]

    def report(fraction: float, message: str) -> None:
        if fraction >= 1.0 or fraction - last[0] >= step or fraction < last[0]:
            last[0] = fraction
            progress(fraction, message)

    return report


def duration(seconds: float) -> str:
    """``seconds`` as a person reads them: "4.2 s" under ten, "42 s", "3 min 05 s".

    The one way the app words a time taken or a time left.
    """
    if seconds < 10:
        return f"{max(0.0, seconds):.1f} s"
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
