"""``python main.py compare DATA_DIR --backbones A,B,C``: which backbone suits these images.

Every backbone trains on the same stratified split with the same settings
(core.compare.comparison); the table, CSV or JSON lists one row per backbone. JSON is a
list of ``{"backbone", "val_accuracy", "macro_f1", "params", "size_mb",
"latency_ms", "train_seconds", "error"}``. Exit 0 when every backbone has a
result, 1 when some could not run (their ``error`` says why), 2 on usage errors.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from cli import EXIT_OK, EXIT_SOME_FAILED, SetupError, StderrProgress
from core.base import faults
from core.base.jobs import throttled
from core.teach.train_config import COMPARE_HEAD_EPOCHS, default_of


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare", help="train several backbones on the same images and compare them",
        description="Train each backbone on DATA_DIR (one sub-folder per class, or a "
                    "project folder) on the same split, then compare accuracy, size and "
                    "speed.")
    parser.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    parser.add_argument("--backbones", required=True, metavar="A,B,C",
                        help="registry names, comma-separated (python main.py models)")
    parser.add_argument("--epochs", type=int, default=COMPARE_HEAD_EPOCHS,
                        help="epochs for pretrained backbones' heads (from-scratch "
                             "backbones use their own, as train does)")
    parser.add_argument("--val-split", type=float, default=default_of("val_split"))
    parser.add_argument("--seed", type=int, default=default_of("seed"))
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--output", type=Path, metavar="FILE",
                        help="write the table/CSV/JSON here instead of stdout")
    parser.add_argument("--plot", type=Path, metavar="FILE.png",
                        help="also draw accuracy against latency as a PNG")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.compare import comparison as compare
    from core.teach.dataset import ProjectError

    names = [n.strip() for n in args.backbones.split(",") if n.strip()]
    if args.epochs < 1:
        raise SetupError("--epochs must be positive")
    if not 0 < args.val_split < 1:
        raise SetupError("--val-split must be above 0 and below 1 (the comparison "
                         "needs validation images)")
    for target in (args.output, args.plot):
        if target is not None:
            faults.check_writable(target.parent)
    config = config_from(args)
    try:
        result = compare.compare(args.data_dir, names, config,
                                 throttled(StderrProgress(), 0.005))
    except (compare.CompareError, ProjectError) as exc:
        raise SetupError(str(exc)) from None
    _write(args, result.rows)
    if args.plot is not None:
        from core.compare.plot import write_png

        write_png(args.plot, result.rows)
    if args.format != "table" or args.output is not None:  # the table has its notes
        for row in result.rows:
            if row.error:
                print(f"{row.backbone}: {row.error}", file=sys.stderr)
    return EXIT_OK if all(r.ok for r in result.rows) else EXIT_SOME_FAILED


def config_from(args):
    """The comparison's settings: core's defaults (the wizard's Compare starts
    from the same :class:`core.compare.comparison.CompareConfig`) with what was
    given on the command line instead."""
    from core.compare.comparison import CompareConfig

    return CompareConfig(epochs=args.epochs, val_split=args.val_split, seed=args.seed)


def _write(args, rows) -> None:
    from core.base import paths
    from core.compare import comparison as compare

    if args.format == "json":
        text = json.dumps([r.summary() for r in rows]) + "\n"
    elif args.format == "csv":
        text = compare.to_csv(rows)
    else:
        text = table(rows)
    if args.output is None:
        sys.stdout.write(text)
    else:
        with faults.writing(args.output):
            paths.atomic_write_text(args.output, text)


def table(rows) -> str:
    """A plain-text table, one line per backbone."""
    head = ("backbone", "accuracy", "macro F1", "params", "MB", "int8 MB", "ms/image",
            "train s", "worst class")
    lines = [head]
    for r in rows:
        if r.error:
            lines.append((r.backbone, "-", "-", "-", "-", "-", "-", "-", "-"))
            continue
        lines.append((r.backbone, _pct(r.val_accuracy), _num(r.macro_f1, "{:.3f}"),
                      _num(r.params, "{:,}"), _num(r.size_mb, "{:.1f}"),
                      _num(r.size_int8_mb, "{:.1f}"), _num(r.latency_ms, "{:.2f}"),
                      _num(r.train_seconds, "{:.1f}"), r.worst_class or "-"))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(head))]
    text = "\n".join("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip()
                     for line in lines)
    notes = [f"{r.backbone}: {r.error}" for r in rows if r.error]
    return text + "\n" + "".join(n + "\n" for n in notes)


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)
