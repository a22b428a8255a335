"""``python main.py lesson NAME``: run a paper's key experiment here and say if it agrees.

NAME is residual, bottleneck, depthwise or pretrained (see docs/LESSONS.md).
Text prints the claim, a table of the variants and the verdict; ``--format
json`` (or ``--json``) prints one document: ``{"lesson", "claim", "citation",
"verdict", "outcome", "agrees", "seconds", "seed", "quick", "data", "variants":
[{"name", "depth", "shortcut", "params", "macs", "latency_ms", "train_error",
"val_error", "val_accuracy", ...}]}``; with ``--seeds 0,1,2`` the variants
are the first seed's, ``seeds`` holds every seed's final numbers and verdict,
``spread`` their mean, min and max per variant, and the verdict agrees only
when every seed agrees. Exit 0 when the lesson ran, whatever it
found; 2 on a usage error.
"""
from __future__ import annotations

import json
from pathlib import Path

from cli import EXIT_OK, SetupError, StderrProgress

LESSON_NAMES = ("residual", "bottleneck", "depthwise", "pretrained")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "lesson", help="run a paper's key experiment (skip connections, 1x1 bottlenecks, "
                       "depthwise-separable convolutions, pretrained features)")
    parser.add_argument("name", choices=LESSON_NAMES, metavar="NAME",
                        help=f"one of {', '.join(LESSON_NAMES)}")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="quick", action="store_true", default=True,
                      help="the few-minute version (the default)")
    size.add_argument("--full", dest="quick", action="store_false",
                      help="the version closer to the paper (longer)")
    parser.add_argument("--epochs", type=int, help="epochs per variant (default: the lesson's)")
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument("--seed", type=int, default=0)
    seeds.add_argument("--seeds", type=seed_list, metavar="S,S,...",
                       help="run once per seed (e.g. 0,1,2) and show the spread")
    parser.add_argument("--data", type=Path, metavar="DIR",
                        help="your images, one sub-folder per class (default: the lesson's "
                             "built-in set)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--json", dest="format", action="store_const", const="json",
                        help="the same as --format json")
    parser.add_argument("--output", type=Path, metavar="FILE", help="also write the JSON here")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.learn.lessons.catalog import LessonSettings, get
    from core.learn.lessons.data import LessonDataError
    from core.learn.lessons.seeds import run_seeds, to_json

    if args.epochs is not None and args.epochs < 1:
        raise SetupError("--epochs must be 1 or more")
    settings = LessonSettings(quick=args.quick, epochs=args.epochs, seed=args.seed,
                              data=str(args.data) if args.data else None)
    try:
        result = run_seeds(args.name, settings, args.seeds or [args.seed],
                           StderrProgress(quiet=args.format == "json"))
    except LessonDataError as exc:
        raise SetupError(str(exc)) from None
    document = to_json(result)
    if args.output:
        write_json(document, args.output)
    if args.format == "json":
        print(json.dumps(document))
    else:
        print(to_text(get(args.name), result))
    return EXIT_OK


def seed_list(text: str) -> list[int]:
    """``"0,1,2"`` -> [0, 1, 2]; argparse reports a ValueError as a usage error."""
    seeds = [int(part) for part in text.split(",") if part.strip()]
    if not seeds or len(set(seeds)) != len(seeds):
        raise ValueError(text)
    return seeds


def write_json(document: dict, path: Path) -> None:
    from core.base.paths import atomic_write_text

    try:
        atomic_write_text(path, json.dumps(document, indent=1))
    except OSError as exc:
        raise SetupError(f"could not write {path} ({exc.strerror or exc})") from None


def to_text(lesson, result) -> str:
    from core.learn.layout import count_text
    from core.learn.lessons.seeds import number_text, seeds_text

    wide = 22 if result.seeds else 9  # "mean (min-max)" over several seeds
    lines = [lesson.title, "", lesson.claim, f"({lesson.citation})", "",
             f"Data: {result.data}; {seeds_text(result)}; "
             f"{'quick' if result.quick else 'full'} version; {result.seconds:.0f} s", "",
             f"{'variant':<38} {'depth':>5} {'params':>8} {'MACs':>8} {'ms/32':>7} "
             f"{'train err':>{wide}} {'val acc':>{wide}}"]
    for v in result.variants:
        latency = f"{v.latency_ms:.1f}" if v.latency_ms is not None else "-"
        lines.append(f"{v.name:<38} {v.depth:>5} {count_text(v.params):>8} "
                     f"{count_text(v.macs):>8} {latency:>7} "
                     f"{number_text(result, v, 'train_error'):>{wide}} "
                     f"{number_text(result, v, 'val_accuracy'):>{wide}}")
    lines += ["", f"Verdict ({result.outcome}): {result.verdict}"]
    return "\n".join(lines)
