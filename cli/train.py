"""``python main.py train DATA_DIR --out BUNDLE``: fine-tune a backbone headless.

DATA_DIR is one sub-folder per class, or a project folder (with its
``project.json``). Progress goes to stderr; ``--format json`` prints one JSON
document on stdout. Exit 1 when some images could not be read (the model is
trained on the rest), 2 for setup problems.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from cli import EXIT_OK, EXIT_SOME_FAILED, SetupError, StderrProgress
from cli.engine_options import add_engine_options
from core.base import faults
from core.base.jobs import throttled
from core.models.backbones import DEFAULT_BACKBONE
from core.teach.train_config import SCRATCH_DEFAULTS, default_of, defaults_for


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "train", help="fine-tune a backbone on a folder of labelled images",
        description="Train a classifier on DATA_DIR (one sub-folder per class) and save a "
                    "model bundle.")
    parser.add_argument("data_dir", type=Path, metavar="DATA_DIR")
    parser.add_argument("--out", type=Path, required=True, metavar="BUNDLE",
                        help="the model bundle folder to write")
    parser.add_argument("--backbone", default=DEFAULT_BACKBONE)
    parser.add_argument("--weights", choices=("imagenet", "random"), default="imagenet",
                        help="'random' initialises the backbone randomly (to compare)")
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"default: {default_of('epochs')}, or "
                             f"{SCRATCH_DEFAULTS['epochs']} for a backbone trained from scratch")
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--learning-rate", type=float, default=None)
    parser.add_argument("--val-split", type=float, default=None)
    parser.add_argument("--augment", action="store_true",
                        help="random flips, rotations, zoom, contrast and brightness")
    parser.add_argument("--fine-tune-layers", type=int, default=None,
                        metavar="N",
                        help="then unfreeze the backbone's top N layers at a 10x lower rate")
    parser.add_argument("--fine-tune-epochs", type=int, default=None)
    parser.add_argument("--class-weights", action="store_true",
                        help="weigh classes by their inverse frequency (imbalanced data)")
    parser.add_argument("--patience", type=int, default=None,
                        help="stop after this many epochs without improvement (0: never)")
    parser.add_argument("--input-size", type=int, default=None,
                        help="image size in pixels (default: the backbone's)")
    parser.add_argument("--seed", type=int, default=None, help=f"default: {default_of('seed')}")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_engine_options(parser, "computes the embeddings on Ray Data, then trains the head here",
                       "backbone copies")
    parser.set_defaults(func=run)


def run(args) -> int:
    from core.models.backbones import UnknownBackbone, get
    from core.models.errors import WeightsCorrupt, WeightsMissing
    from core.runtime import bundle
    from core.teach import training
    from core.teach.dataset import ProjectError, load_folder

    faults.check_writable(args.out.parent)  # before minutes of training, not after
    try:
        spec = get(args.backbone)
        items, class_names = load_folder(args.data_dir)
    except (UnknownBackbone, ProjectError) as exc:
        raise SetupError(str(exc)) from None
    config = config_from(args, spec.name)
    _check_numbers(config)
    progress = throttled(StderrProgress(), 0.005)
    if args.engine == "ray":
        _embed_on_ray(args, items, config, progress)
    try:
        result = training.train(items, class_names, config, progress)
    except WeightsMissing as exc:
        from cli.weights import with_hint
        raise with_hint(exc, spec.name) from None
    except (training.TrainingError, WeightsCorrupt) as exc:
        raise SetupError(str(exc)) from None
    try:
        with faults.writing(args.out):
            bundle.save(args.out, result.model, result.bundle_meta(), progress)
    except bundle.BundleError as exc:
        raise SetupError(str(exc)) from None
    _report(args, result)
    return EXIT_SOME_FAILED if result.skipped else EXIT_OK


def _embed_on_ray(args, items, config, progress) -> None:
    """Fill the embedding cache on Ray, so that training here only fits the head."""
    from core.teach import ray_embeddings

    if config.augment or config.weights_choice != "imagenet":
        print("note: --engine ray computes cached embeddings; with --augment or without "
              "ImageNet weights every epoch needs the images, so training runs here",
              file=sys.stderr)
        return
    try:
        ray_embeddings.fill_embedding_cache([path for path, _ in items], config.backbone,
                                            config.size, config.weights_choice,
                                            args.ray_address, args.ray_workers,
                                            progress=progress)
    except ray_embeddings.RayUnavailable as exc:
        raise SetupError(str(exc)) from None


SETTINGS = ("input_size", "epochs", "batch_size", "learning_rate", "val_split", "seed",
            "patience", "fine_tune_layers", "fine_tune_epochs")


def config_from(args, backbone: str):
    """The wizard's defaults for ``backbone`` (core.teach.train_config.defaults_for),
    with what was given on the command line instead."""
    config = defaults_for(backbone)
    for name in SETTINGS:
        if getattr(args, name, None) is not None:
            setattr(config, name, getattr(args, name))
    config.pretrained = args.weights == "imagenet"
    config.augment = config.augment or args.augment
    config.class_weights = args.class_weights
    return config


def _check_numbers(config) -> None:
    if config.epochs < 1 or config.batch_size < 1 or config.learning_rate <= 0:
        raise SetupError("--epochs, --batch-size and --learning-rate must be positive")
    if not 0 <= config.val_split < 1:
        raise SetupError("--val-split must be at least 0 and below 1")
    if config.fine_tune_layers < 0 or config.patience < 0:
        raise SetupError("--fine-tune-layers and --patience cannot be negative")


def summary(args, result) -> dict:
    """The JSON document ``--format json`` prints."""
    return {
        "bundle": str(args.out), "backbone": result.config.backbone,
        "weights": args.weights, "class_names": result.class_names,
        "train_samples": len(result.train_items), "val_samples": len(result.val_items),
        "val_accuracy": result.val_accuracy, "threshold": result.threshold,
        "epochs_run": len(result.history["loss"]), "best_epoch": result.best_epoch,
        "cancelled": result.cancelled, "seconds": round(result.seconds, 2),
        "history": result.history,
        "skipped": [{"path": p, "error": r} for p, r in result.skipped],
    }


def _report(args, result) -> None:
    doc = summary(args, result)
    if args.format == "json":
        print(json.dumps(doc))
        return
    accuracy = "n/a" if doc["val_accuracy"] is None else f"{doc['val_accuracy']:.1%}"
    print(f"saved {doc['bundle']}: {doc['backbone']}, {len(doc['class_names'])} classes, "
          f"{doc['train_samples']} training and {doc['val_samples']} validation images")
    print(f"validation accuracy {accuracy} (best epoch {doc['best_epoch']} of "
          f"{doc['epochs_run']}), unknown below {doc['threshold']:.2f}, "
          f"{doc['seconds']:.0f} s")
    for item in doc["skipped"]:
        print(f"skipped {item['path']}: {item['error']}", file=sys.stderr)
