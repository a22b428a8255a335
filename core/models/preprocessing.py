"""The one place that knows each backbone's preprocessing.

Every model the app builds takes raw RGB uint8 images; a block of stock Keras
layers named ``"preprocess"`` at its front (:func:`preprocess_block`) turns
them into what the backbone was trained on, so plain
``keras.saving.load_model(path)`` loads the app's models in safe mode without
the app's code. The modes are the ones keras.applications documents for
each family:

=========  =====================================================  ==================
mode       what it does                                           families
=========  =====================================================  ==================
caffe      RGB -> BGR, minus the ImageNet mean per channel        VGG, ResNet (v1)
tf         scale to [-1, 1]                                       ResNetV2, Inception,
                                                                  Xception, MobileNet
                                                                  V1/V2, NASNet
torch      scale to [0, 1], minus mean, divided by std            DenseNet
builtin    nothing: the model rescales inside ([0, 255] in)       EfficientNet(V2),
                                                                  ConvNeXt, MobileNetV3
lite       (x - 127) / 128                                        EfficientNet-Lite0
unit       scale to [0, 1]                                        LeNet-5, AlexNet
=========  =====================================================  ==================

Each mode is one per-channel affine map ``x * scale + offset`` (a stock
``Rescaling`` layer, which also casts uint8 to float32), followed for caffe by
a fixed channel reversal (a frozen 1x1 ``Conv2D`` whose kernel is a
permutation matrix: exact in float32). :data:`STEPS` holds the numbers.

Bundles saved by earlier versions hold a custom ``Preprocess`` layer; it stays
registered so they still load, and :func:`migrate` swaps it for the stock
block (core.models.preprocess_layers). This module is numpy only: the fast
path preprocesses with it without importing TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MODES = ("caffe", "tf", "torch", "builtin", "lite", "unit")
LAYER_NAME = "preprocess"
_CAFFE_MEAN_RGB = (123.68, 116.779, 103.939)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class Steps:
    """``x * scale + offset`` per RGB channel, then RGB -> BGR when ``to_bgr``."""

    scale: tuple[float, float, float]
    offset: tuple[float, float, float]
    to_bgr: bool = False

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        """The same map in numpy (float32), for checks and for code outside Keras."""
        x = rgb.astype(np.float32) * np.float32(self.scale) + np.float32(self.offset)
        return x[..., ::-1] if self.to_bgr else x


def _same(value: float) -> tuple[float, float, float]:
    return (value, value, value)


STEPS = {
    "caffe": Steps(_same(1.0), tuple(-m for m in _CAFFE_MEAN_RGB), to_bgr=True),
    "tf": Steps(_same(1 / 127.5), _same(-1.0)),
    "torch": Steps(tuple(1 / (255 * s) for s in _TORCH_STD),
                   tuple(-m / s for m, s in zip(_TORCH_MEAN, _TORCH_STD))),
    "builtin": Steps(_same(1.0), _same(0.0)),
    "lite": Steps(_same(1 / 128), _same(-127 / 128)),
    "unit": Steps(_same(1 / 255), _same(0.0)),
}


def steps(mode: str) -> Steps:
    if mode not in STEPS:
        raise ValueError(f"unknown preprocessing mode {mode!r}; expected one of {MODES}")
    return STEPS[mode]


# Each mode in the words a user picks it by (File > Open model…'s Input section), and
# what it does to a pixel value x in 0-255, for the input rule's description.
PLAIN_NAMES = {
    "tf": "[-1, 1]",
    "unit": "[0, 1]",
    "torch": "ImageNet mean/std (PyTorch, ONNX Model Zoo)",
    "caffe": "caffe BGR mean",
    "builtin": "0-255",
    "lite": "(x - 127) / 128 (EfficientNet-Lite)",
}
FORMULAS = {
    "tf": "x / 127.5 - 1",
    "unit": "x / 255",
    "torch": f"(x / 255 - mean) / std, mean {_TORCH_MEAN}, std {_TORCH_STD}",
    "caffe": f"RGB -> BGR, x - mean, mean (B, G, R) {_CAFFE_MEAN_RGB[::-1]}",
    "builtin": "x as it is, 0-255",
    "lite": "(x - 127) / 128",
}


def plain_name(mode: str) -> str:
    """``mode`` as the user reads it, e.g. "[-1, 1]"; ValueError for an unknown mode."""
    steps(mode)
    return PLAIN_NAMES[mode]
