"""``python main.py inspect MODEL``: a model as the blocks its family is known for.

MODEL is a backbone name (built with random weights, so it works offline), a
model bundle, or a Keras model file (.keras, Keras 2 .h5 such as Teachable
Machine's). Text lists each block with its kind, parameters, MACs and
output shape; ``--format json`` prints one document (see core.learn.architecture);
``--svg FILE`` also draws the block diagram.
"""
from __future__ import annotations

import json
from pathlib import Path

from cli import EXIT_OK, SetupError, StderrProgress
from core.base import faults


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "inspect", help="show a model's blocks (stem, residual, inception, ...) with shapes")
    parser.add_argument("model", metavar="MODEL",
                        help="a backbone name, a bundle folder or a .keras/.h5 file")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--layers", action="store_true",
                        help="list each block's layers too (text and JSON)")
    parser.add_argument("--svg", type=Path, metavar="FILE", help="also write the diagram as SVG")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.learn.architecture import inspect
    from core.models.backbones import UnknownBackbone
    from core.runtime.bundle import BundleError

    try:
        arch = inspect(args.model, StderrProgress(quiet=args.format == "json"))
    except (UnknownBackbone, BundleError) as exc:
        raise SetupError(str(exc)) from None
    if args.svg:
        write_svg(arch, args.svg)
    if args.format == "json":
        print(json.dumps(arch.to_json(layers=args.layers)))
    else:
        print(to_text(arch, args.layers))
    return EXIT_OK


def write_svg(arch, path: Path) -> None:
    from core.base.paths import atomic_write_text
    from core.learn.layout import layout, to_svg

    try:
        atomic_write_text(path, to_svg(arch, layout(arch)))
    except OSError as exc:
        raise SetupError(faults.sentence(exc)) from None


def to_text(arch, layers: bool = False) -> str:
    from core.learn.layout import count_text, shape_text, totals_text

    lines = [arch.name, totals_text(arch), "",
             f"{'block':<28} {'kind':<18} {'params':>9} {'MACs':>8} {'output':<14} inputs"]
    for b in arch.blocks:
        skip = "  (skip: identity)" if b.skip == [] else \
            f"  (skip: {', '.join(b.skip)})" if b.skip else ""
        lines.append(f"{b.name:<28} {b.kind:<18} {count_text(b.params):>9} "
                     f"{count_text(b.macs):>8} {shape_text(b.output_shape):<14} "
                     f"{', '.join(b.inputs)}{skip}")
        for layer in b.layers if layers else ():
            lines.append(f"    {layer.name:<34} {layer.type_text:<28} "
                         f"{count_text(layer.params):>8} {shape_text(layer.output_shape)}")
    return "\n".join(lines)
