"""One lesson run with several seeds in turn, and the spread of its numbers.

A small run can mislead: one seed's split and initial weights may favour a
variant by chance. :func:`run_seeds` runs the lesson once per seed; the result
is the first seed's (its chart and variants) with every seed's final numbers
in ``seeds`` and a verdict over all of them (core.learn.lessons.verdict
.across_seeds): it agrees only when every seed agrees.
"""
from __future__ import annotations

from dataclasses import replace

from core.base.jobs import Progress, ShouldStop, never_stop, no_progress, sub_progress
from core.learn.lessons import verdict
from core.learn.lessons.catalog import LessonResult, LessonSettings, run_lesson
from core.learn.lessons.runner import Partial, no_partial

NUMBERS = ("train_error", "val_accuracy")  # the final numbers kept for every seed


def run_seeds(key: str, settings: LessonSettings, seeds: list[int],
              progress: Progress = no_progress, should_stop: ShouldStop = never_stop,
              on_partial: Partial = no_partial) -> LessonResult:
    """Run lesson ``key`` once per seed; only the first seed's partials reach
    ``on_partial`` (the chart shows one run). Raises what run_lesson raises."""
    runs = []
    for i, seed in enumerate(seeds):
        share = sub_progress(_seed_named(progress, seed, len(seeds)), i / len(seeds),
                             (i + 1) / len(seeds))
        runs.append(run_lesson(key, replace(settings, seed=seed), share, should_stop,
                               on_partial if i == 0 else no_partial))
    return combine(runs)


def _seed_named(progress: Progress, seed: int, count: int) -> Progress:
    if count == 1:
        return progress
    return lambda fraction, message: progress(fraction, f"seed {seed}: {message}")


def combine(runs: list[LessonResult]) -> LessonResult:
    """The first run with every run's final numbers and one verdict over all."""
    first = runs[0]
    if len(runs) == 1:
        return first
    found = verdict.across_seeds({r.seed: verdict.Verdict(r.outcome, r.verdict) for r in runs})
    return replace(first, verdict=found.sentence, outcome=found.outcome, agrees=found.agrees,
                   seconds=round(sum(r.seconds for r in runs), 1),
                   seeds=[seed_numbers(r) for r in runs])


def seed_numbers(result: LessonResult) -> dict:
    """``{"seed", "outcome", "verdict", "variants": {name: {train_error, val_accuracy}}}``."""
    return {"seed": result.seed, "outcome": result.outcome, "verdict": result.verdict,
            "variants": {v.name: {number: final(v, number) for number in NUMBERS}
                         for v in result.variants}}


def spread(result: LessonResult) -> dict[str, dict[str, dict[str, float]]]:
    """``{variant: {number: {"mean", "min", "max"}}}`` over the seeds; {} for one seed."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for run in result.seeds:
        for name, numbers in run["variants"].items():
            for number, value in numbers.items():
                if value is not None:
                    out.setdefault(name, {}).setdefault(number, []).append(value)
    return {name: {number: {"mean": sum(values) / len(values), "min": min(values),
                            "max": max(values)} for number, values in numbers.items()}
            for name, numbers in out.items()}


def to_json(result: LessonResult) -> dict:
    """The lesson's JSON document; with several seeds also ``seeds`` and ``spread``."""
    document = result.to_json()
    if result.seeds:
        document["spread"] = spread(result)
    return document


def final(variant, number: str) -> float | None:
    """A variant's final ``number`` (one of NUMBERS) of its own run."""
    if number == "train_error":
        return variant.train_error[-1] if variant.train_error else None
    return variant.val_accuracy


def number_text(result: LessonResult | None, variant, number: str) -> str:
    """``variant``'s final ``number`` as a percentage; over the seeds of
    ``result`` (None while it runs) "mean (min-max)"; "-" when there is none."""
    over = spread(result).get(variant.name, {}).get(number) if result else None
    if over:
        return f"{over['mean']:.1%} ({over['min']:.1%}-{over['max']:.1%})"
    value = final(variant, number)
    return "-" if value is None else f"{value:.1%}"


def seeds_text(result: LessonResult) -> str:
    """"seed 0", or "seeds 0, 1, 2" for a run over several."""
    if not result.seeds:
        return f"seed {result.seed}"
    return "seeds " + ", ".join(str(run["seed"]) for run in result.seeds)
