"""Keras model files made elsewhere: ``.keras`` and Keras 2 ``.h5``, safe mode always on.

A Keras 2 file (Teachable Machine's ``keras_model.h5``, tf.keras before 2.16)
has a model config Keras 3 refuses in a few known ways; core.runtime.keras2_config
rewrites those in the config JSON (the file's ``model_config`` attribute, in a
temporary copy) and Keras 3 then loads it with its weights, in safe mode, so a
Lambda layer (code in a file) is still refused. :func:`uint8_model` puts the
model behind the app's uint8-RGB front. Imports Keras: import lazily.
"""
from __future__ import annotations

import json
import logging
import shutil
import tempfile
from pathlib import Path

from core.runtime.errors import ModelFileError, refusal_cause
from core.runtime.input_rule import InputRule, image_input, input_rule
from core.runtime.keras2_config import repair_keras2_config

log = logging.getLogger(__name__)


def open_keras_model(path: Path, meta: dict, kind: str | None = None) -> tuple:
    """``(model, rule)``: a .keras or Keras 2 .h5 file (safe mode on) as a uint8-RGB model;
    ``kind`` ("keras" or "h5", what the content is) overrides the suffix."""
    from core.models.preprocess_layers import migrate

    kind = kind or ("h5" if path.suffix.lower() in (".h5", ".hdf5") else "keras")
    try:
        model = load_keras2_h5(path) if kind == "h5" else _load_keras_zip(path)
    except ModelFileError:
        raise
    except Exception as exc:
        log.warning("Keras refused %s: %s", path, exc)
        raise ModelFileError(f"{path.name} could not be loaded by Keras in safe mode "
                             f"({refusal_cause(exc)}).") from None
    model = migrate(model)
    image_input(path.name, [(t.name, list(t.shape)) for t in model.inputs])  # or a sentence
    rule = input_rule(model.input_shape, str(model.inputs[0].dtype).split(".")[-1], meta)
    return uint8_model(model, rule), rule


def _load_keras_zip(path: Path):
    import keras

    if path.suffix.lower() == ".keras":
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    with tempfile.TemporaryDirectory() as tmp:  # Keras goes by the suffix: a renamed file
        copy = Path(tmp) / "model.keras"
        shutil.copyfile(path, copy)
        return keras.saving.load_model(copy, safe_mode=True, compile=False)


def uint8_model(model, rule: InputRule):
    """``model`` as a uint8-RGB model: float inputs get their preprocessing as stock layers
    in front. The layers keep their weights; a Sequential of models (Teachable Machine's
    ``[[MobileNet], [Dense, Dense]]``) is laid out as the app's own models are,
    preprocess -> "backbone" (its first inner model) -> head layers, so Grad-CAM finds
    its feature maps; any other model becomes the nested layer named "backbone"."""
    import keras

    from core.models.preprocess_layers import preprocess_block

    if rule.preprocessing == "inside" and model.input_shape[1] == rule.size:
        return model
    inputs = keras.Input((rule.size, rule.size, 3), dtype="uint8", name="image")
    x = inputs if rule.preprocessing == "inside" else preprocess_block(rule.preprocessing)(inputs)
    chain = _sequential_chain(model)
    bases = [layer for layer in chain if isinstance(layer, keras.Model)]
    if not bases:
        model.name, chain = "backbone", [model]
    else:
        bases[0].name = "backbone"
    for layer in chain:
        x = layer(x)
        if isinstance(x, (list, tuple)) and len(x) == 1:  # Keras 2 models list one output
            x = x[0]
    return keras.Model(inputs, x, name="opened_model")


def _sequential_chain(model) -> list:
    """The layers of a Sequential, nested Sequentials opened; [model] for anything else."""
    import keras

    if not isinstance(model, keras.Sequential):
        return [model]
    return [inner for layer in model.layers for inner in _sequential_chain(layer)]


def load_keras2_h5(path: Path):
    """A Keras 2 ``.h5`` model in Keras 3: its config repaired, weights as saved, safe mode on."""
    import h5py
    import keras

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "model.h5"
        shutil.copyfile(path, copy)
        with h5py.File(copy, "r+") as f:
            text = f.attrs.get("model_config")
            if text is None:
                raise ModelFileError(f"{path.name} holds weights only, no model; Keras needs "
                                     "the whole model saved (model.save).")
            config = json.loads(text.decode("utf-8") if hasattr(text, "decode") else text)
            f.attrs["model_config"] = json.dumps(repair_keras2_config(config))
        return keras.saving.load_model(copy, safe_mode=True, compile=False)
