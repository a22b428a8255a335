"""Build Keras models from registry entries: raw RGB uint8 in, always.

Every model is ``Input(uint8) -> preprocess (stock layers, core.models.preprocessing)
-> backbone -> [head]``.
The backbone is one nested layer named ``"backbone"`` so that training can
freeze or unfreeze it and Grad-CAM can reach its last feature map.
Keras is imported when a model is built, not with this module.
"""
from __future__ import annotations

import importlib

from core.models import backbones, errors, weights

BACKBONE_LAYER = "backbone"


def _factory(spec):
    module_name, attr = spec.factory.split(":")
    return getattr(importlib.import_module(module_name), attr)


def resolve_weights(spec, weights_choice, include_top: bool):
    """What to pass as ``weights=`` to the factory.

    ``"imagenet"`` means the real pretrained weights: the bundled file, or the
    verified file in the Keras cache; raises ``WeightsMissing`` otherwise.
    ``None`` means random initialisation, only when asked for explicitly.
    """
    if weights_choice != "imagenet":
        return weights_choice
    if spec.weights_kind == "bundled":
        return "imagenet"
    if spec.weights_kind == "none":
        raise errors.WeightsMissing(weights.missing_sentence(spec))
    return str(weights.require(spec.weights_for(include_top), spec.name))


def build_base(spec, include_top: bool, weights_choice="imagenet", input_size=None,
               pooling=None, classes=1000):
    """The bare backbone (expects preprocessed float input)."""
    size = input_size or spec.input_size
    kwargs = dict(include_top=include_top, input_shape=(size, size, 3),
                  weights=resolve_weights(spec, weights_choice, include_top))
    if include_top:
        kwargs["classes"] = classes
    else:
        kwargs["pooling"] = pooling
    base = _factory(spec)(**kwargs)
    # Renamed afterwards: some factories (EfficientNetV2) read their own name.
    base.name = BACKBONE_LAYER
    return base


def image_front(spec, base, size: int, frozen: bool = False):
    """``(inputs, outputs)``: uint8 images -> the family's preprocess block -> ``base``.

    ``frozen`` calls the base with ``training=False``, so its BatchNorm layers
    stay in inference mode even once some of them are unfrozen for fine-tuning.
    """
    import keras

    from core.models.preprocess_layers import preprocess_block

    inputs = keras.Input(shape=(size, size, 3), dtype="uint8", name="image")
    x = preprocess_block(spec.preprocessing)(inputs)
    return inputs, (base(x, training=False) if frozen else base(x))


def _wrap(spec, base, size: int, name: str):
    import keras

    return keras.Model(*image_front(spec, base, size), name=name)


def build_classifier(name: str, weights_choice="imagenet"):
    """The backbone's own ImageNet classifier: uint8 images -> 1000 scores."""
    spec = backbones.get(name)
    base = build_base(spec, include_top=True, weights_choice=weights_choice,
                      classes=spec.classes)
    return _wrap(spec, base, spec.input_size, f"{spec.key}_classifier")


def build_feature_extractor(name: str, weights_choice="imagenet", input_size=None):
    """uint8 images -> pooled embeddings of width ``spec.features``."""
    spec = backbones.get(name)
    size = input_size or spec.input_size
    base = build_base(spec, include_top=False, weights_choice=weights_choice,
                      input_size=size, pooling="avg")
    return _wrap(spec, base, size, f"{spec.key}_features")
