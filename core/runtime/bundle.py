"""The model bundle: a trained model the whole app can load and trust.

A bundle is a folder holding

- ``model.keras``: the full model, raw RGB uint8 (S, S, 3) in, class scores
  out (preprocessing inside, as stock Keras layers), loaded with Keras safe
  mode on: plain ``keras.saving.load_model`` loads it without the app's code;
- ``model.json``: ``schema_version``, ``class_names``, ``input_size``,
  ``backbone``, ``threshold`` (best score below which the answer is
  "unknown"), ``metrics``, ``app_version``, ``created`` (ISO 8601, UTC) and
  anything else the trainer adds (e.g. its ``training`` settings);
- ``model.tflite``: the LiteRT conversion made when saving, so classifying
  on a CPU never converts on load.

:func:`save` writes everything into a temporary sibling folder and renames it
into place: a crash leaves either no bundle or a whole one (replacing an
existing bundle has a moment, between two renames, where the old one is
kept aside as ``.<name>.old-<pid>``).
"""
from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from core import APP_VERSION
from core.base import paths
from core.base.jobs import Progress, no_progress
from core.runtime.checks import check_model_file
from core.runtime.errors import BundleError, ModelFileError

SCHEMA_VERSION = 1
MODEL_FILE = "model.keras"
META_FILE = "model.json"
LITERT_FILE = "model.tflite"
REQUIRED = ("class_names", "input_size", "backbone", "threshold", "metrics")


def default_folder(project_root, backbone: str) -> Path:
    """Where a project's new model trained on ``backbone`` is saved unless the user
    chooses another folder: ``<project>/models/<project name>-<backbone>``, or the
    first of ``…-2``, ``…-3``, … not yet taken (a new model never lands on a saved one)."""
    root = Path(project_root)
    first = root / "models" / f"{root.name}-{backbone.lower()}"
    taken = 1
    folder = first
    while folder.exists():
        taken += 1
        folder = first.with_name(f"{first.name}-{taken}")
    return folder


def is_bundle(path) -> bool:
    path = Path(path)
    return (path / META_FILE).is_file() and (path / MODEL_FILE).is_file()


def save(path, model, meta: dict, progress: Progress = no_progress) -> Path:
    """Write ``model`` and ``meta`` as a bundle at ``path`` (atomically).

    ``meta`` needs :data:`REQUIRED` keys; ``schema_version``, ``app_version``
    and ``created`` are filled in. Returns ``path``.
    """
    from core.runtime.runners import convert_to_litert

    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        raise ValueError(f"bundle metadata lacks {', '.join(missing)}")
    if len(meta["class_names"]) != int(model.output_shape[-1]):
        raise ValueError("the model's outputs do not match its class names")
    path = Path(path).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        progress(0.1, "Saving the model")
        model.save(tmp / MODEL_FILE)
        progress(0.3, "Optimising the model for CPUs (LiteRT)")
        (tmp / LITERT_FILE).write_bytes(convert_to_litert(model))
        doc = {"schema_version": SCHEMA_VERSION, **meta, "app_version": APP_VERSION,
               "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        (tmp / META_FILE).write_text(json.dumps(doc, indent=1), encoding="utf-8")
        _fsync_folder(tmp)
        _replace_folder(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    progress(1.0, f"Saved {path.name}")
    return path


def _fsync_folder(folder: Path) -> None:
    for file in folder.iterdir():
        with open(file, "rb") as f:
            os.fsync(f.fileno())


def _replace_folder(tmp: Path, path: Path) -> None:
    if not path.exists():
        os.replace(tmp, path)
        return
    if not is_bundle(path):
        raise BundleError(f"{path} exists and is not a model bundle; choose another name.")
    old = path.with_name(f".{path.name}.old-{os.getpid()}")
    os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def read_meta(path) -> dict:
    """A bundle's ``model.json``, checked; does not load Keras."""
    path = Path(path)
    if not path.is_dir():
        raise BundleError(f"{path} is not a folder; a model bundle is a folder with "
                          f"{MODEL_FILE} and {META_FILE}.")
    if not is_bundle(path):
        raise BundleError(f"{path} is not a model bundle (it lacks {MODEL_FILE} or "
                          f"{META_FILE}); train one in Teach or with `main.py train`.")
    meta = paths.read_versioned_json(path / META_FILE, "bundle description", SCHEMA_VERSION,
                                     BundleError)
    missing = [key for key in REQUIRED if key not in meta]
    if missing:
        raise BundleError(f"{path / META_FILE} is damaged: it lacks {', '.join(missing)}.")
    return meta


def load(path):
    """``(keras_model, meta)`` of the bundle at ``path``; raises :class:`BundleError`.

    Keras safe mode stays on: loading never runs code from the file. A bundle
    saved by earlier versions (a custom ``Preprocess`` layer) comes back with
    stock layers instead (core.models.preprocess_layers.migrate).
    """
    import keras

    from core.models.preprocess_layers import migrate  # also registers the legacy Preprocess layer

    meta = read_meta(path)
    try:
        check_model_file(Path(path) / MODEL_FILE)  # a cut file gets a sentence, not Keras's words
        model = keras.saving.load_model(Path(path) / MODEL_FILE, safe_mode=True)
    except ModelFileError:
        raise
    except Exception as exc:  # Keras raises many kinds for a damaged file
        raise BundleError(f"{Path(path) / MODEL_FILE} could not be loaded ({exc}).") from None
    model = migrate(model)
    if int(model.output_shape[-1]) != len(meta["class_names"]):
        raise BundleError(f"{path} is inconsistent: the model has {model.output_shape[-1]} "
                          f"outputs but {len(meta['class_names'])} class names.")
    return model, meta


def litert_path(path) -> Path | None:
    """The bundle's LiteRT file, or None when it has none or a damaged one."""

    file = Path(path) / LITERT_FILE
    try:
        check_model_file(file)
    except ModelFileError:  # missing or damaged: the caller converts the Keras model instead
        return None
    return file
