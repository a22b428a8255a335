"""A comparison's trained models, kept in the project so "Use this one" works after reopening.

:func:`core.compare.comparison.compare` keeps every trained row here (:func:`keep`): a
pretrained backbone's head only (the small Dropout + Dense model; the frozen
backbone comes back from its own weights), a from-scratch model (LeNet-5,
AlexNet) whole. The files live in ``comparison-models/`` next to
``comparison.json``, named by backbone and split
(``EfficientNetLite0-<split key>.keras``), each with a ``.json`` beside it
holding what a bundle needs (the training's metadata and history); both are
written atomically. Files no saved row names are removed (:func:`prune`).

:func:`restore` rebuilds the full model (``image -> preprocess -> backbone ->
head``) and its :class:`core.teach.training.TrainResult` without training;
:func:`save_bundle` writes a row's model as a bundle ("Use this one").
Keras is imported inside functions only; models load with safe mode on.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Sequence

from core.base import paths
from core.base.jobs import Progress, ShouldStop, never_stop, no_progress, sub_progress
from core.models import backbones
from core.runtime import bundle
from core.runtime.errors import BundleError
from core.teach.dataset import split
from core.teach.train_config import Augmentation, TrainConfig
from core.teach.training import TrainResult

FOLDER = "comparison-models"
SCHEMA_VERSION = 1
HEAD_LAYER = "head"


class ModelGone(Exception):
    """A row's kept model cannot be read back; ``str()`` is the user's sentence."""


def split_key(train_items: Sequence, val_items: Sequence) -> str:
    """A short digest naming one split (the images and labels on each side)."""
    doc = [[[str(p), c] for p, c in train_items], [[str(p), c] for p, c in val_items]]
    return hashlib.sha256(json.dumps(doc).encode("utf-8")).hexdigest()[:12]


def folder_in(project_root) -> Path:
    return Path(project_root) / FOLDER


def keep(project_root, row, result, key: str) -> str:
    """Write ``row``'s trained model into the project; returns its file name.

    A pretrained row keeps its head only (kilobytes), a from-scratch row its
    whole model. The file name goes into ``row.model_file``.
    """
    folder = folder_in(project_root)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{row.backbone}-{key}.keras"
    whole = not row.pretrained
    _save_keras(result.model if whole else result.model.get_layer(HEAD_LAYER), folder / name)
    record = {"schema_version": SCHEMA_VERSION, "whole": whole, "split": key,
              "meta": result.bundle_meta(), "history": result.history,
              "best_epoch": result.best_epoch, "seconds": result.seconds,
              "skipped": [list(s) for s in result.skipped]}
    paths.atomic_write_text(_record_path(folder / name), json.dumps(record, indent=1))
    return name


def _save_keras(model, target: Path) -> None:
    """``model``'s architecture and weights (not its optimizer's state), atomically."""
    import keras

    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp.keras")
    try:
        # The same layers in an uncompiled model: the file holds no optimizer state
        # (Adam's would triple a from-scratch model's file).
        keras.Model(model.inputs, model.outputs, name=model.name).save(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _record_path(model_file: Path) -> Path:
    return model_file.with_suffix(".json")


def prune(project_root, rows) -> None:
    """Remove kept models that none of ``rows`` names (an older comparison's)."""
    folder = folder_in(project_root)
    if not folder.is_dir():
        return
    named = {Path(r.model_file).stem for r in rows if getattr(r, "model_file", None)}
    for file in folder.iterdir():
        if file.is_file() and file.stem not in named:
            file.unlink(missing_ok=True)


@dataclass
class KeptResult(TrainResult):
    """A :class:`TrainResult` read back from the project; its bundle metadata is the saved one."""

    saved_meta: dict = field(default_factory=dict)

    def bundle_meta(self) -> dict:
        return json.loads(json.dumps(self.saved_meta))


def restore(project_root, row, samples: Sequence, progress: Progress = no_progress,
            should_stop: ShouldStop = never_stop) -> KeptResult:
    """The full trained model of a saved ``row``, rebuilt without training.

    ``samples`` are the project's (path, class) pairs now: when they still
    split as they did, the validation scores are measured again on the
    rebuilt model (so the Evaluate page has every image); otherwise the
    saved scores stand. Raises :class:`ModelGone` when the kept files are
    missing or damaged, ``WeightsMissing`` when the backbone's weights are.
    """
    file = folder_in(project_root) / (row.model_file or "")
    progress(0.0, f"Reading {row.backbone}'s trained model")
    record, saved = _read(row, file)
    meta = record["meta"]
    config = train_config(meta.get("training", {}))
    progress(0.2, f"Rebuilding {row.backbone}")
    model = saved if record["whole"] else on_backbone(config, saved)
    train_items, val_items = split(list(samples), config.val_split, config.seed)
    if split_key(train_items, val_items) == record["split"] and val_items:
        from core.teach.evaluation import evaluate_model

        validation = evaluate_model(lambda batch: model.predict(batch, verbose=0), val_items,
                                    meta["class_names"], config.size,
                                    progress=sub_progress(progress, 0.4, 1.0),
                                    should_stop=should_stop)
    else:
        validation = _saved_evaluation(row.evaluation)
    progress(1.0, f"{row.backbone} is ready")
    return KeptResult(model, list(meta["class_names"]), config, record["history"],
                      int(record["best_epoch"]), float(meta["threshold"]), validation,
                      train_items, val_items, [tuple(s) for s in record.get("skipped", [])],
                      bool(meta.get("metrics", {}).get("cancelled", False)),
                      float(record.get("seconds", 0.0)), saved_meta=meta)


def save_bundle(path, row, project_root, samples: Sequence, progress: Progress = no_progress,
                should_stop: ShouldStop = never_stop) -> tuple:
    """``(result, path)``: a compared ``row``'s trained model saved as a bundle at ``path``.

    A row of a reopened comparison has no model in memory: it is rebuilt
    from the one kept in the project first (:func:`restore`, which takes
    ``samples`` and ``should_stop``). The bundle is written atomically, so it
    is not cancelled midway. Nothing already at ``path`` is ever replaced:
    :class:`core.runtime.errors.BundleError` says so instead.
    """
    path = Path(path)
    if path.exists():
        raise BundleError(f"'{path.name}' already exists in {path.parent}; nothing was "
                          "replaced. Save under another folder name.")
    result = row.result
    if result is None:
        result = restore(project_root, row, samples, sub_progress(progress, 0.0, 0.5),
                         should_stop)
        progress = sub_progress(progress, 0.5, 1.0)
    return result, bundle.save(path, result.model, result.bundle_meta(), progress)


def _read(row, file: Path):
    import keras

    from core.runtime.checks import check_model_file

    if not row.model_file:
        raise ModelGone(f"This comparison kept no trained model for {row.backbone}; "
                        "compare again to use it.")
    try:
        record = paths.read_versioned_json(_record_path(file), "compared model", SCHEMA_VERSION)
        check_model_file(file)
        saved = keras.saving.load_model(file, safe_mode=True)
    except Exception:  # missing, cut or altered: the reader and Keras raise many kinds
        raise ModelGone(f"{row.backbone}'s trained model is no longer readable in the project "
                        f"({file.name}); compare again to use it.") from None
    return record, saved


def on_backbone(config: TrainConfig, head):
    """``image -> preprocess -> frozen backbone (its own weights) -> head``."""
    import keras

    from core.models.build import build_base, image_front

    spec = backbones.get(config.backbone)
    base = build_base(spec, include_top=False, weights_choice=config.weights_choice,
                      input_size=config.size, pooling="avg")
    base.trainable = False
    inputs, features = image_front(spec, base, config.size, frozen=True)
    return keras.Model(inputs, head(features), name=f"{spec.key}_classifier")


def train_config(doc: dict) -> TrainConfig:
    """A :class:`TrainConfig` from its ``to_dict()`` (unknown keys ignored)."""
    known = {f.name for f in fields(TrainConfig)}
    values = {k: v for k, v in doc.items() if k in known}
    if isinstance(values.get("augmentation"), dict):
        values["augmentation"] = Augmentation(**values["augmentation"])
    values["devices"] = tuple(values["devices"]) if values.get("devices") else None
    return TrainConfig(**values)


def _saved_evaluation(doc: dict | None):
    """The saved validation scores (its correct predictions are not kept, only the mistakes)."""
    if not doc:
        return None
    from core.teach.evaluation import ClassScores, Evaluation, ScoredSample

    return Evaluation(list(doc["class_names"]), float(doc["accuracy"]),
                      [ClassScores(**c) for c in doc["classes"]], doc["confusion"],
                      [ScoredSample(**m) for m in doc["misclassified"]],
                      [(s["path"], s["error"]) for s in doc.get("skipped", [])])
