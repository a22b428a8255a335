"""``python main.py evaluate BUNDLE DATA_DIR``: how good a trained model is.

DATA_DIR is one sub-folder per class (or a project folder); its classes are
matched to the bundle's by name. Prints accuracy, per-class precision,
recall and F1, the confusion matrix and the most confident mistakes, or with
``--format json`` one JSON document. Exit 1 when some images could not be
used (unreadable, or a class the model does not know).
"""
from __future__ import annotations

import json
from pathlib import Path

from cli import EXIT_OK, EXIT_SOME_FAILED, SetupError, StderrProgress

SHOWN_MISTAKES = 10


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="score a trained model bundle on labelled images")
    parser.add_argument("bundle", type=Path, metavar="BUNDLE")
    parser.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.runtime.bundle import BundleError, read_meta
    from core.runtime.loading import load_predictor
    from core.teach.dataset import ProjectError, load_folder
    from core.teach.evaluation import evaluate_model

    try:
        meta = read_meta(args.bundle)
        items, _ = load_folder(args.data_dir)
    except (BundleError, ProjectError) as exc:
        raise SetupError(str(exc)) from None
    known = set(meta["class_names"])
    if not any(c in known for _, c in items):
        raise SetupError(f"none of {args.data_dir}'s classes are classes of {args.bundle.name} "
                         f"({', '.join(meta['class_names'])})")
    progress = StderrProgress()
    try:
        predictor = load_predictor(str(args.bundle), progress)
    except BundleError as exc:
        raise SetupError(str(exc)) from None
    result = evaluate_model(predictor.predict, items, predictor.class_names,
                            predictor.input_size, args.batch_size, progress)
    if args.format == "json":
        print(json.dumps({"bundle": str(args.bundle), **result.to_dict()}))
    else:
        print(to_text(result))
    return EXIT_SOME_FAILED if result.skipped else EXIT_OK


def to_text(result) -> str:
    """Accuracy, a per-class table, the confusion matrix and the worst mistakes."""
    width = max(len(n) for n in result.class_names)
    lines = [f"accuracy {result.accuracy:.1%} on {result.count} images", "",
             f"{'class':<{width}}  precision  recall     F1  images"]
    lines += [f"{c.name:<{width}}  {c.precision:9.1%}  {c.recall:6.1%}  {c.f1:5.2f}  {c.support:6d}"
              for c in result.classes]
    lines += ["", "confusion (rows: true class, columns: predicted, in the order above)"]
    lines += [f"{name:<{width}}  " + " ".join(f"{n:4d}" for n in row)
              for name, row in zip(result.class_names, result.confusion)]
    mistakes = result.misclassified[:SHOWN_MISTAKES]
    if mistakes:
        lines += ["", "most confident mistakes"]
        lines += [f"{m.score:6.1%}  {m.predicted} (is {m.true})  {m.path}" for m in mistakes]
    for path, reason in result.skipped:
        lines.append(f"skipped {path}: {reason}")
    return "\n".join(lines)
