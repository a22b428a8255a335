"""``python main.py classify PATH...``: top-k labels per image, any model."""
from __future__ import annotations

import sys
from pathlib import Path

from cli import EXIT_OK, EXIT_SOME_FAILED, SetupError, StderrProgress
from cli.engine_options import add_engine_options
from core.base import faults, paths
from core.images.decode import find_images
from core.models.backbones import DEFAULT_BACKBONE, UnknownBackbone
from core.models.errors import WeightsCorrupt, WeightsMissing
from core.runtime.bundle import BundleError


def register(subparsers) -> None:
    parser = subparsers.add_parser("classify", help="classify image files and folders")
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="image files or folders (recursed)")
    parser.add_argument("--model", default=DEFAULT_BACKBONE,
                        help="a backbone name (see `models`) or a trained model bundle folder")
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=None,
                        help="below this top score the label is 'unknown' (a bundle has its own)")
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
    parser.add_argument("--output", type=Path,
                        help="write the results to this file instead of stdout")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="images per model call (default: the fastest measured here)")
    parser.add_argument("--speed", choices=("float", "int8"), default="float",
                        help="int8: faster on a CPU; how often it agrees with float on its "
                             "calibration images is printed first")
    parser.add_argument("--calibration-images", metavar="FOLDER", type=Path,
                        help="calibrate int8 on these images (a model's project images); "
                             "default: the sample photos shipped with the app")
    add_engine_options(parser, "runs the job on Ray Data", "model copies")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.classify.folder import best_batch_size, classify_files, to_csv, to_json

    _check_paths_exist(args.paths)  # a typo is told at once, before TensorFlow loads
    files = find_images(args.paths)
    if not files:
        raise SetupError("no images found in " + ", ".join(args.paths))
    if args.output:
        faults.check_writable(args.output.parent)  # before classifying, not after
    if args.engine == "ray":
        results = _on_ray(args, files)
    else:
        predictor = _load(args.model)
        print(f"Input rule: {predictor.input_rule.describe()}.", file=sys.stderr)
        if args.speed == "int8":
            predictor = _int8(predictor, args.calibration_images)
        threshold = args.threshold if args.threshold is not None else predictor.threshold
        batch_size = args.batch_size or best_batch_size(predictor)
        results = classify_files(predictor, files, args.top_k, threshold, batch_size,
                                 progress=StderrProgress())
    render = {"json": to_json, "csv": to_csv, "table": to_table}[args.format]
    text = render(results)
    if args.output:
        paths.atomic_write_text(args.output, text)
        print(f"wrote {len(results)} results to {args.output}", file=sys.stderr)
    else:
        print(text)
    failed = sum(1 for r in results if r.error)
    if failed:
        print(f"{failed} of {len(results)} files could not be classified", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def _check_paths_exist(names) -> None:
    missing = [name for name in names if not Path(name).exists()]
    if missing:
        raise SetupError("no such file or folder: " + ", ".join(map(str, missing)))


def _int8(predictor, folder: Path | None):
    from core.classify.int8 import Int8Unavailable, int8_predictor, int8_version

    calibration = find_images([folder]) if folder else None
    if folder and not calibration:
        raise SetupError(f"no images found in {folder} to calibrate int8 on")
    try:
        version = int8_version(predictor, calibration, progress=StderrProgress())
    except Int8Unavailable as exc:
        raise SetupError(str(exc)) from None
    print(f"{version.describe()}.", file=sys.stderr)
    return int8_predictor(predictor, version)


def _on_ray(args, files):
    from core.classify import ray_engine

    if args.speed != "float":
        raise SetupError("--speed int8 runs in-process only; leave out --engine ray for it")

    _load_here_first(args.model)
    try:
        return ray_engine.classify_files(
            args.model, files, args.top_k, args.threshold, args.batch_size,
            address=args.ray_address, workers=args.ray_workers, progress=StderrProgress())
    except ray_engine.RayUnavailable as exc:
        raise SetupError(str(exc)) from None


def _load_here_first(model: str) -> None:
    """Refuse an unknown backbone or a path holding no model before any Ray worker starts."""
    from core.runtime.model_ref import resolve

    try:
        resolve(model)
    except (UnknownBackbone, BundleError) as exc:
        raise SetupError(str(exc)) from None


def _load(model: str):
    from core.runtime.loading import load_predictor

    try:
        return load_predictor(model, StderrProgress())
    except WeightsMissing as exc:
        from cli.weights import with_hint
        raise with_hint(exc, model) from None
    except (WeightsCorrupt, UnknownBackbone, BundleError) as exc:
        raise SetupError(str(exc)) from None


def to_table(results) -> str:
    lines = []
    for r in results:
        if r.error:
            lines.append(f"{r.path}\n    error: {r.error}")
            continue
        lines.append(str(r.path))
        lines += [f"    {p.score:6.1%}  {p.label}" for p in r.predictions]
    return "\n".join(lines)
