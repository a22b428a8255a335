"""``python main.py weights status|download|import``: the ImageNet weights cache.

What the Models tab does, for a person at a terminal or an offline machine:

    python main.py weights status [NAME...] [--format json]
    python main.py weights download NAME          # needs internet; hash checked
    python main.py weights import NAME FILE       # checked by building the backbone

Exit 0 when done, 2 when a download fails (offline), a file does not fit the
backbone, or the name is unknown: each with one sentence on stderr.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from cli import EXIT_OK, SetupError, StderrProgress


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "weights", help="show, download or import backbones' ImageNet weights",
        description="The ImageNet weights each backbone needs: where they are, and getting them.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="which backbones' weights are here")
    status.add_argument("names", nargs="*", metavar="NAME", help="backbones (default: all)")
    status.add_argument("--format", choices=("table", "json"), default="table")
    download = actions.add_parser("download", help="download a backbone's weights (internet)")
    download.add_argument("name", metavar="NAME")
    imported = actions.add_parser("import", help="import a weights file you already have")
    imported.add_argument("name", metavar="NAME")
    imported.add_argument("file", type=Path, metavar="FILE")
    parser.set_defaults(func=run)


def hint(spec) -> str:
    """How the command line gets ``spec``'s weights (added to a missing-weights sentence)."""
    file = spec.top_weights.filename if spec.top_weights else "its weights file"
    return (f" On the command line: python main.py weights download {spec.name}, or "
            f"python main.py weights import {spec.name} {file}.")


def with_hint(exc: Exception, name: str) -> SetupError:
    """``exc``'s sentence, plus the commands that fetch ``name``'s weights."""
    from core.models.backbones import UnknownBackbone, get

    try:
        return SetupError(str(exc) + hint(get(name)))
    except UnknownBackbone:
        return SetupError(str(exc))


def run(args) -> int:
    return {"status": _status, "download": _download, "import": _import}[args.action](args)


def _spec(name: str):
    from core.models.backbones import UnknownBackbone, get

    try:
        return get(name)
    except UnknownBackbone as exc:
        raise SetupError(str(exc)) from None


def describe(spec) -> dict:
    """One backbone's weights: status and, per file, where it goes and whether it is there."""
    from core.models import weights

    files = [f for f in (spec.top_weights, spec.notop_weights) if f is not None]
    return {"name": spec.name, "status": weights.status(spec),
            "files": [{"file": f.filename, "path": str(f.local_path),
                       "present": f.local_path.is_file()} for f in files]}


def _status(args) -> int:
    from core.models.backbones import all_backbones

    specs = [_spec(n) for n in args.names] if args.names else list(all_backbones())
    rows = [describe(spec) for spec in specs]
    if args.format == "json":
        print(json.dumps(rows, indent=1))
        return EXIT_OK
    for row in rows:
        here = ", ".join(f"{f['file']} {'✓' if f['present'] else '✗'}" for f in row["files"])
        print(f"{row['name']:<18} {row['status']:<12} {here}")
    return EXIT_OK


def _download(args) -> int:
    from core.models.errors import WeightsCorrupt, WeightsMissing
    from core.models.fetch import download_for_backbone
    from core.models.weights import status

    spec = _spec(args.name)
    if status(spec) == "none":
        raise SetupError(f"{spec.name} has no pretrained weights to download; it is trained "
                         "from scratch (python main.py train --backbone "
                         f"{spec.name} ...).")
    if status(spec) == "bundled":
        print(f"{spec.name}'s weights come with the app; nothing to download.", file=sys.stderr)
        return EXIT_OK
    try:
        path = download_for_backbone(spec, StderrProgress())
    except (WeightsMissing, WeightsCorrupt) as exc:
        raise SetupError(str(exc)) from None
    print(f"{spec.name}'s weights are ready: {path}", file=sys.stderr)
    return EXIT_OK


def _import(args) -> int:
    from core.models.errors import WeightsCorrupt, WeightsMissing
    from core.models.fetch import import_for_backbone
    from core.models.weights import status

    spec = _spec(args.name)
    if status(spec) in ("none", "bundled"):
        why = "it is trained from scratch" if status(spec) == "none" else \
            "its weights come with the app"
        raise SetupError(f"{spec.name} takes no imported weights ({why}).")
    try:
        path = import_for_backbone(spec, args.file, StderrProgress())
    except (WeightsMissing, WeightsCorrupt) as exc:
        raise SetupError(str(exc)) from None
    print(f"{spec.name}'s weights are ready: {path}", file=sys.stderr)
    return EXIT_OK
