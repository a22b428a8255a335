"""The one place that knows each backbone's preprocessing.

Every model the app builds takes raw RGB uint8 images; a :class:`Preprocess`
layer at its front turns them into what the backbone was trained on. The
modes are the ones keras.applications documents for each family:

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

This module imports Keras at import time: import it lazily.
"""
from __future__ import annotations

import keras
from keras import ops

MODES = ("caffe", "tf", "torch", "builtin", "lite", "unit")
_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


@keras.saving.register_keras_serializable(package="BackboneStudio")
class Preprocess(keras.layers.Layer):
    """Raw RGB (uint8 or float in [0, 255]) -> the backbone's input scale."""

    def __init__(self, mode: str, **kwargs):
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(f"unknown preprocessing mode {mode!r}; expected one of {MODES}")
        self.mode = mode

    def call(self, images):
        x = ops.cast(images, "float32")
        if self.mode == "caffe":
            bgr = ops.stack([x[..., 2], x[..., 1], x[..., 0]], axis=-1)
            return bgr - ops.convert_to_tensor(_CAFFE_MEAN_BGR, dtype="float32")
        if self.mode == "tf":
            return x / 127.5 - 1.0
        if self.mode == "torch":
            mean = ops.convert_to_tensor(_TORCH_MEAN, dtype="float32")
            std = ops.convert_to_tensor(_TORCH_STD, dtype="float32")
            return (x / 255.0 - mean) / std
        if self.mode == "lite":
            return (x - 127.0) / 128.0
        if self.mode == "unit":
            return x / 255.0
        return x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}
