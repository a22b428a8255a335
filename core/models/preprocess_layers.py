"""The preprocessing of core.models.preprocessing as stock Keras layers, and the
legacy ``Preprocess`` layer of earlier bundles. Imports Keras: import it lazily."""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from core.models.preprocessing import LAYER_NAME, steps


def preprocess_block(mode: str, name: str = LAYER_NAME) -> keras.Sequential:
    """Stock layers: (N, H, W, 3) uint8 RGB -> the backbone's float32 input."""
    step = steps(mode)
    layers = [keras.Input(shape=(None, None, 3), dtype="uint8", name=f"{name}_rgb"),
              keras.layers.Rescaling(list(step.scale), list(step.offset), name="scale")]
    if step.to_bgr:
        reverse = keras.layers.Conv2D(3, 1, use_bias=False, trainable=False, name="rgb_to_bgr")
        layers.append(reverse)
    block = keras.Sequential(layers, name=name)
    if step.to_bgr:
        reverse.set_weights([np.eye(3, dtype=np.float32)[::-1].reshape(1, 1, 3, 3)])
    return block


def migrate(model):
    """``model`` with any legacy :class:`Preprocess` layer replaced by its stock block.

    The other layers (and so their weights) are shared with ``model``;
    a model without one is returned as it is.
    """
    if not any(isinstance(layer, Preprocess) for layer in model.layers):
        return model

    def swap(layer):
        return preprocess_block(layer.mode, layer.name) if isinstance(layer, Preprocess) else layer

    return keras.models.clone_model(model, clone_function=swap)


@keras.saving.register_keras_serializable(package="BackboneStudio")
class Preprocess(keras.layers.Layer):
    """Legacy (bundles of earlier versions): the same maps as one custom layer.

    Kept so old bundles load; new models use :func:`preprocess_block`.
    """

    def __init__(self, mode: str, **kwargs):
        super().__init__(**kwargs)
        steps(mode)
        self.mode = mode

    def call(self, images):
        step = steps(self.mode)
        x = ops.cast(images, "float32") * ops.convert_to_tensor(step.scale, "float32")
        x = x + ops.convert_to_tensor(step.offset, "float32")
        return ops.flip(x, axis=-1) if step.to_bgr else x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}
