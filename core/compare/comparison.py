"""Compare backbones on the user's own images: the "ResNet vs VGG vs MobileNet" job.

:func:`compare` trains every chosen backbone on the SAME stratified split with
the same settings and measures what it costs:

- pretrained backbones: a head on cached embeddings (:mod:`core.teach.embeddings`,
  :mod:`core.teach.training`), so a rerun only trains heads;
- from-scratch backbones (LeNet-5, AlexNet): trained end to end with the
  from-scratch defaults (:func:`core.teach.train_config.defaults_for`: their
  size, epochs and patience), as the Teach wizard and ``train`` train them;
- a backbone whose weights are not here is a row with an ``error`` sentence,
  never a model run with random weights; the others still run.

Each :class:`Row` holds validation accuracy, macro F1, parameters, the model's
LiteRT file size (float and int8), batch-1 latency on the runtime Classify uses
(LiteRT/XNNPACK on a CPU; :func:`core.runtime.runners.make_runner` elsewhere),
images/s, embedding and training time and the worst class. For a pretrained
backbone the float file timed and weighed is the feature extractor converted
for the embeddings plus its head's bytes (:func:`_runtime_file`). Sizes depend
only on the architecture, so they are measured once per (backbone, input
size, classes) and remembered.

A comparison of a :class:`core.teach.dataset.Project` is saved in the project
(``comparison.json``, atomically) and read back by :func:`load`; each trained
row's model is kept beside it (:mod:`core.compare.kept_models`: a head, or a
from-scratch model whole), so "Use this one" works after reopening.
TensorFlow is imported inside functions only.
"""
from __future__ import annotations

import csv
import io
import json
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Callable, Sequence

from core.base import paths
from core.base.jobs import (
    Cancelled,
    Progress,
    ShouldStop,
    check_stop,
    duration,
    never_stop,
    no_progress,
    sub_progress,
)
from core.compare import kept_models as compare_models
from core.models import backbones, errors, weights
from core.teach.dataset import LabelledImage, Project, load_folder, split
from core.teach.train_config import COMPARE_HEAD_EPOCHS, TrainConfig, default_of, defaults_for

FILE_NAME = "comparison.json"
SCHEMA_VERSION = 1
INT8_CALIBRATION_IMAGES = 16
CSV_COLUMNS = ("backbone", "val_accuracy", "macro_f1", "params", "size_mb", "size_int8_mb",
               "latency_ms", "images_per_second", "embedding_seconds", "train_seconds",
               "worst_class", "worst_class_recall", "input_size", "epochs", "error")


@dataclass
class CompareConfig:
    """Settings shared by every backbone of one comparison.

    The defaults are training's (:class:`core.teach.train_config.TrainConfig`)
    but ``epochs``, a head's in a comparison
    (:data:`core.teach.train_config.COMPARE_HEAD_EPOCHS`); ``scratch_epochs`` None
    gives each from-scratch backbone its own default (:func:`train_config_for`);
    ``measure`` False skips sizes and latency, ``int8`` False the int8
    conversion (its size stays None).
    """

    epochs: int = COMPARE_HEAD_EPOCHS
    val_split: float = default_of("val_split")
    seed: int = default_of("seed")
    batch_size: int = default_of("batch_size")
    learning_rate: float = default_of("learning_rate")
    scratch_epochs: int | None = None
    measure: bool = True
    int8: bool = True


@dataclass
class Row:
    """One backbone's result; ``error`` is None or the sentence saying why it has none.

    Sizes are MB (2**20 bytes) of the LiteRT file; ``latency_ms`` is one image
    (batch 1) on this computer. ``evaluation`` (validation confusion and
    mistakes) and ``result`` (the trained :class:`core.teach.training.TrainResult`)
    are not part of the table; ``result`` only lives in memory, and
    ``model_file`` names the model kept in the project
    (:func:`core.compare.kept_models.restore` rebuilds it).
    """

    backbone: str
    val_accuracy: float | None = None
    macro_f1: float | None = None
    params: int | None = None
    size_mb: float | None = None
    size_int8_mb: float | None = None
    latency_ms: float | None = None
    images_per_second: float | None = None
    embedding_seconds: float | None = None
    train_seconds: float | None = None
    worst_class: str | None = None
    worst_class_recall: float | None = None
    input_size: int | None = None
    epochs: int | None = None
    pretrained: bool = True
    error: str | None = None
    evaluation: dict | None = None
    model_file: str | None = None
    result: object = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "result"}

    def summary(self) -> dict:
        """The command line's JSON object (the contract README's "Command line" states)."""
        keys = ("backbone", "val_accuracy", "macro_f1", "params", "size_mb", "latency_ms",
                "train_seconds", "error")
        return {k: getattr(self, k) for k in keys}


@dataclass
class Comparison:
    """Rows in the order the backbones were asked for; ``cancelled`` if stopped early."""

    rows: list[Row]
    class_names: list[str]
    config: CompareConfig
    train_samples: int = 0
    val_samples: int = 0
    cancelled: bool = False
    created: str = ""

    def row(self, backbone: str) -> Row | None:
        return next((r for r in self.rows if r.backbone == backbone), None)

    def to_dict(self) -> dict:
        return {"schema_version": SCHEMA_VERSION, "class_names": self.class_names,
                "config": asdict(self.config), "train_samples": self.train_samples,
                "val_samples": self.val_samples, "cancelled": self.cancelled,
                "created": self.created, "rows": [r.to_dict() for r in self.rows]}

    @classmethod
    def from_dict(cls, doc: dict) -> "Comparison":
        known = {f.name for f in fields(Row)}
        rows = [Row(**{k: v for k, v in r.items() if k in known}) for r in doc["rows"]]
        config_keys = {f.name for f in fields(CompareConfig)}
        config = CompareConfig(**{k: v for k, v in doc.get("config", {}).items()
                                  if k in config_keys})
        return cls(rows, list(doc.get("class_names", [])), config,
                   int(doc.get("train_samples", 0)), int(doc.get("val_samples", 0)),
                   bool(doc.get("cancelled", False)), str(doc.get("created", "")))


OnRow = Callable[[Row], None]


class CompareError(Exception):
    """The comparison cannot start; ``str()`` is the user's sentence."""


# ----------------------------------------------------------------- the job

def compare(project_or_samples, backbone_names: Sequence[str],
            config: CompareConfig | None = None, progress: Progress = no_progress,
            should_stop: ShouldStop = never_stop, on_row: OnRow | None = None) -> Comparison:
    """Train and measure each of ``backbone_names`` on the same split.

    ``project_or_samples``: a :class:`Project`, a DATA_DIR path, or a pair
    (samples, class names). ``on_row(row)`` is called as each backbone
    finishes. A project's comparison is saved in it after every row, so a
    cancelled run keeps the finished rows; then :class:`Cancelled` is raised.
    Raises :class:`CompareError` for unusable inputs (unknown backbone, no
    backbone, fewer than two classes).
    """
    config = config or CompareConfig()
    samples, class_names, save_to = _inputs(project_or_samples)
    names = _check_names(backbone_names)
    train_items, val_items = split(samples, config.val_split, config.seed)
    split_key = compare_models.split_key(train_items, val_items)
    comparison = Comparison([], list(class_names), config, len(train_items), len(val_items),
                            created=time.strftime("%Y-%m-%dT%H:%M:%S"))
    started = time.monotonic()
    for index, name in enumerate(names):
        def report(fraction, message, index=index, name=name):
            overall = (index + fraction) / len(names)
            progress(overall, f"Backbone {index + 1} of {len(names)}"
                              f"{_time_left(started, overall)}: {name}. {message}")
        try:
            check_stop(should_stop)
            row = _one(name, samples, class_names, train_items, config, report, should_stop)
        except Cancelled:
            comparison.cancelled = True
            if save_to is not None and comparison.rows:
                save(save_to, comparison)
            raise
        comparison.rows.append(row)
        if save_to is not None:
            if row.result is not None:
                row.model_file = compare_models.keep(save_to, row, row.result, split_key)
            save(save_to, comparison)
        if on_row is not None:
            on_row(row)
    progress(1.0, f"Compared {len(names)} backbones")
    return comparison


def _inputs(source):
    if isinstance(source, Project):
        return source.labelled(), list(source.classes), source.root
    if isinstance(source, (str, Path)):
        samples, class_names = load_folder(source)
        root = Path(source) if (Path(source) / "project.json").is_file() else None
        return samples, class_names, root
    samples, class_names = source
    return [LabelledImage(*s) for s in samples], list(class_names), None


def _check_names(names) -> list[str]:
    if not names:
        raise CompareError("Choose at least one backbone to compare.")
    try:
        resolved = [backbones.get(n).name for n in names]
    except backbones.UnknownBackbone as exc:
        raise CompareError(str(exc)) from None
    return list(dict.fromkeys(resolved))


def _time_left(started: float, overall: float) -> str:
    if overall < 0.05:
        return ""
    left = (time.monotonic() - started) * (1 - overall) / overall
    return f", about {duration(left)} left"


def _one(name, samples, class_names, train_items, config, progress, should_stop) -> Row:
    """Train and measure one backbone; a missing-weights or training failure is a row."""
    from core.teach.training import train
    from core.teach.training_data import TrainingError

    spec = backbones.get(name)
    train_config = train_config_for(spec.name, config)
    scratch = train_config.from_scratch
    size = train_config.size
    row = Row(spec.name, input_size=size, epochs=train_config.epochs, pretrained=not scratch)
    problem = _weights_problem(spec)
    if problem:
        row.error = problem
        return row
    try:
        if not scratch:
            row.embedding_seconds = _embed(spec, size, samples, sub_progress(progress, 0, 0.4),
                                           should_stop)
        result = train(samples, class_names, train_config,
                       sub_progress(progress, 0.4, 0.75), should_stop)
    except (errors.WeightsMissing, errors.WeightsCorrupt, TrainingError) as exc:
        row.error = str(exc)
        return row
    if result.cancelled:
        raise Cancelled()
    _fill_scores(row, result)
    if config.measure:
        _measure(row, result, train_items, config, sub_progress(progress, 0.75, 1.0),
                 should_stop)
    return row


def train_config_for(backbone: str, config: CompareConfig) -> TrainConfig:
    """How ``backbone`` trains in a comparison: its own defaults (a head's, or
    from scratch's: :func:`core.teach.train_config.defaults_for`) with the
    comparison's shared settings; ``config.epochs`` is a head's,
    ``config.scratch_epochs`` (when set) a from-scratch backbone's."""
    train_config = defaults_for(backbone)
    train_config.val_split, train_config.seed = config.val_split, config.seed
    train_config.batch_size = config.batch_size
    train_config.learning_rate = config.learning_rate
    if not train_config.from_scratch:
        train_config.epochs = config.epochs
    elif config.scratch_epochs:
        train_config.epochs = config.scratch_epochs
    return train_config


def _weights_problem(spec) -> str | None:
    """The sentence saying why ``spec`` cannot run here, or None."""
    if spec.weights_kind == "keras":
        try:
            weights.require(spec.notop_weights, spec.name)
        except (errors.WeightsMissing, errors.WeightsCorrupt) as exc:
            return str(exc)
    if spec.weights_kind == "bundled":
        from core.models.efficientnet_lite import source_weights_file

        try:
            source_weights_file(spec.name)
        except errors.WeightsMissing as exc:
            return str(exc)
    return None


def _embed(spec, size, samples, progress, should_stop) -> float:
    """Seconds to have every sample's embedding (from the cache or computed)."""
    from core.models.build import build_feature_extractor
    from core.teach.embeddings import embed

    started = time.monotonic()
    embed([p for p, _ in samples], spec.name, size,
          lambda: build_feature_extractor(spec.name, "imagenet", size),
          "imagenet", progress, should_stop)
    return round(time.monotonic() - started, 3)


def _fill_scores(row: Row, result) -> None:
    row.train_seconds = round(result.seconds, 3)
    row.params = int(result.model.count_params())
    evaluation = result.validation
    row.result = result
    if evaluation is None:
        return
    row.val_accuracy = round(evaluation.accuracy, 4)
    row.macro_f1 = round(sum(c.f1 for c in evaluation.classes) / len(evaluation.classes), 4)
    worst = min(evaluation.classes, key=lambda c: (c.recall, c.f1))
    row.worst_class, row.worst_class_recall = worst.name, round(worst.recall, 4)
    row.evaluation = evaluation.to_dict()


# ------------------------------------------------------- size and latency

def _measure(row: Row, result, train_items, config, progress, should_stop) -> None:
    """Sizes (once per architecture, remembered) and batch-1 latency (every run)."""
    from core.runtime.inference import make_predictor
    from core.runtime.speeds import measure_speed

    model = result.model
    classes = len(result.class_names)
    key = paths.cache_key("compare", row.backbone, row.input_size, classes)
    progress(0.0, "Measuring model size")
    tflite, head_bytes = _runtime_file(row, model, key)
    known = _remembered_sizes().get(key)
    if known is None or (config.int8 and known.get("size_int8_mb") is None):
        check_stop(should_stop)
        progress(0.3, "Measuring the int8 model size (once per backbone)")
        known = {"size_mb": _mb(tflite.stat().st_size + head_bytes),
                 "size_int8_mb": _int8_size(model, [p for p, _ in train_items], row.input_size)
                 if config.int8 else None}
        _remember_sizes(key, known)
    row.size_mb, row.size_int8_mb = known["size_mb"], known["size_int8_mb"]
    check_stop(should_stop)
    progress(0.8, "Measuring speed (batch 1)")
    predictor = make_predictor(model, list(result.class_names), key, litert_target=tflite)
    ips = measure_speed(predictor, should_stop=should_stop)
    row.images_per_second = round(ips, 1)
    row.latency_ms = float(f"{1000.0 / ips:.3g}")  # 3 significant digits: 0.0315, 12.4


def _runtime_file(row: Row, model, key: str) -> tuple[Path, int]:
    """(LiteRT file to time and weigh, bytes to add for what it lacks).

    A pretrained backbone's full model is its feature extractor (already
    converted for the embeddings) plus a Dense head: under 0.01% of the
    multiply-adds and ``4 * head parameters`` bytes, so the extractor's file
    stands in for it and the full model is not converted a second time (about
    10 s per backbone here). Otherwise the full model is converted once per key.
    """
    from core.runtime.runners import litert_file
    from core.teach.embeddings import litert_extractor

    extractor = litert_extractor(row.backbone, row.input_size) if row.pretrained else None
    if extractor is not None:
        return extractor, 4 * model.get_layer("head").count_params()
    return litert_file(model, key), 0


def _mb(size_bytes: int) -> float:
    return round(size_bytes / 2**20, 2)


def _sizes_file() -> Path:
    return paths.cache_dir("compare") / "sizes.json"


def _remembered_sizes() -> dict:
    return paths.read_record(_sizes_file())


def _remember_sizes(key: str, sizes: dict) -> None:
    paths.update_record(_sizes_file(), key, sizes)


def _int8_size(model, image_paths, size) -> float | None:
    """MB of the full-integer LiteRT file, calibrated on a few training images."""
    from core.export.exporter import load_check_images
    from core.runtime.formats import int8_litert

    try:
        batch = load_check_images(image_paths[:INT8_CALIBRATION_IMAGES], size)
        return _mb(len(int8_litert(model, batch)))
    except Exception:  # no readable image, or an op without an int8 kernel: size unknown
        return None


# ------------------------------------------------------ saving and exports

def path_in(project_root) -> Path:
    return Path(project_root) / FILE_NAME


def save(project_root, comparison: Comparison) -> Path:
    """Write the comparison into the project folder (atomically); drop older kept models."""
    target = path_in(project_root)
    paths.atomic_write_text(target, json.dumps(comparison.to_dict(), indent=1))
    compare_models.prune(project_root, comparison.rows)
    return target


def load(project_root) -> Comparison | None:
    """The project's saved comparison, or None when it has none (or it is unreadable)."""
    try:
        doc = paths.read_versioned_json(path_in(project_root), "comparison", SCHEMA_VERSION)
        return Comparison.from_dict(doc)
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        return None


def to_csv(rows: Sequence[Row]) -> str:
    """The table as CSV text, one line per backbone (:data:`CSV_COLUMNS`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(["" if getattr(row, c) is None else getattr(row, c)
                         for c in CSV_COLUMNS])
    return out.getvalue()


def write_csv(path, rows: Sequence[Row]) -> Path:
    paths.atomic_write_text(Path(path), to_csv(rows))
    return Path(path)
