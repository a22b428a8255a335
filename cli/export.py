"""``python main.py export BUNDLE --to DIR --formats ...``: checked exports.

Each format is written, run on real images and compared with the Keras model
before it is reported as done (core/export.py). Exit 0 when every format
passed, 1 when some failed (the others are still written), 2 for a bad
bundle, format list or image folder. ``--format json`` prints one document:
``{"bundle", "to", "results": [{"format", "ok", "path", "error", "seconds",
"parity": {"images", "top1_agreement", "max_abs_diff", "tolerance",
"min_agreement", "close_call", "per_class"}}]}`` (core.export.exporter.Parity says what they
mean). BUNDLE may also be a Keras model file (.keras, Keras 2 .h5 such as Teachable
Machine's) with a labels.txt beside it.
"""
from __future__ import annotations

import json
import sys

from cli import EXIT_OK, EXIT_SOME_FAILED, SetupError, StderrProgress
from core.base import faults


def register(subparsers) -> None:
    from core.export.exporter import FORMATS

    parser = subparsers.add_parser(
        "export", help="export a model bundle to other formats, each checked against Keras")
    parser.add_argument("bundle", metavar="BUNDLE",
                        help="a trained model bundle folder, or a .keras / Keras 2 .h5 model "
                             "file with a labels.txt beside it")
    parser.add_argument("--to", required=True, metavar="DIR", help="folder to write the exports in")
    parser.add_argument("--formats", default="tflite", metavar="LIST",
                        help=f"comma-separated, from {','.join(FORMATS)} (default: tflite)")
    parser.add_argument("--images", nargs="+", metavar="PATH",
                        help="real images (files or folders) to check the exports on and to "
                             "calibrate tflite-int8 with; default: the bundled samples")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.export.exporter import ExportError, export_bundle, parse_formats
    from core.images.decode import find_images
    from core.runtime.bundle import BundleError

    try:
        formats = parse_formats(args.formats)
    except ValueError as exc:
        raise SetupError(str(exc)) from None
    image_paths = find_images(args.images) if args.images else None
    if args.images and not image_paths:
        raise SetupError(f"No images found in {', '.join(args.images)}.")
    try:
        with faults.writing(args.to):
            results = export_bundle(args.bundle, args.to, formats, image_paths,
                                    progress=StderrProgress())
    except (BundleError, ExportError) as exc:
        raise SetupError(str(exc)) from None
    print(render(args, results))
    failed = [r for r in results if not r.ok]
    if failed:
        print(f"{len(failed)} of {len(results)} exports failed", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def render(args, results) -> str:
    """The results as the JSON document or a table, one line per format."""
    if args.format == "json":
        return json.dumps({"bundle": str(args.bundle), "to": str(args.to),
                           "results": [r.to_dict() for r in results]}, indent=1)
    lines = []
    for r in results:
        if r.ok:
            p = r.parity
            lines.append(f"{r.format:<12} ok     {r.seconds:5.1f} s  top-1 agreement "
                         f"{p.top1_agreement:.0%}, max diff {p.max_abs_diff:.1e}  {r.path}")
        else:
            lines.append(f"{r.format:<12} FAILED {r.seconds:5.1f} s  {r.error}")
    return "\n".join(lines)
