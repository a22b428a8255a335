"""``python main.py models``: every backbone with its numbers and weights status."""
from __future__ import annotations

import json

from core.models import backbones, weights
from core.runtime.speeds import measured_speeds


def register(subparsers) -> None:
    parser = subparsers.add_parser("models", help="list every backbone and its weights status")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(func=run)


def describe(spec, speeds: dict) -> dict:
    """One backbone as the models table and JSON show it."""
    return {
        "name": spec.name, "family": spec.family, "input_size": spec.input_size,
        "params": spec.params, "imagenet_top1": spec.top1, "gmacs": spec.gmacs,
        "size_mb": round(spec.size_mb, 1), "weights": weights.status(spec),
        "images_per_second": speeds.get(spec.name), "use_case": spec.use_case,
    }


def run(args) -> int:
    speeds = measured_speeds()
    rows = [describe(spec, speeds) for spec in backbones.all_backbones()]
    if args.format == "json":
        print(json.dumps(rows, indent=1))
        return 0
    print(f"{'backbone':<18} {'family':<14} {'input':>5} {'params':>7} {'top-1':>6} "
          f"{'GMACs':>6} {'MB':>6} {'img/s':>6} {'weights':<12} when to use it")
    for r in rows:
        top1 = f"{r['imagenet_top1']:.1f}" if r["imagenet_top1"] else "—"
        speed = f"{r['images_per_second']:.0f}" if r["images_per_second"] else "—"
        print(f"{r['name']:<18} {r['family']:<14} {r['input_size']:>5} "
              f"{r['params'] / 1e6:>6.1f}M {top1:>6} {r['gmacs']:>6.2f} {r['size_mb']:>6.1f} "
              f"{speed:>6} {r['weights']:<12} {r['use_case']}")
    return 0
