"""Grad-CAM: where in an image a model looked when it chose a class.

Works on the app's models, ``Input(uint8) -> preprocess -> "backbone" ->
[head layers]`` (core.models.build): the feature map is the last 4-D output with
more than one pixel inside the nested backbone (``top_activation`` for
EfficientNet-Lite0, ``conv5_block3_out`` for ResNet50), and the class score is
taken before the final softmax so that a confident prediction still has
useful gradients (Selvaraju et al., 2017). Imports TensorFlow: import lazily.
"""
from __future__ import annotations

import threading
import weakref

import numpy as np

from core.base.jobs import Progress, ShouldStop, check_stop, never_stop, no_progress
from core.images.decode import CROP_FRACTION, WHOLE_IMAGE, fit_square, short_side_for

BACKBONE_LAYER = "backbone"


class GradCamError(Exception):
    """The model's shape is not one Grad-CAM can explain (a sentence)."""


class GradCam:
    """Grad-CAM for one Keras model; build once, call per image.

    ``GradCam(model)(rgb, class_index)`` returns a float32 (H, W) map in
    [0, 1] the size of ``rgb``: zero outside the centre crop the model saw.
    """

    def __init__(self, model, layer_name: str | None = None, crop: float = CROP_FRACTION):
        """``layer_name``: explain at that backbone layer (a block's output) instead
        of the last feature map; it must have a spatial (4-D) output. ``crop``: the
        share of an image the model sees, as its predictor classifies it
        (``Predictor.crop_fraction``, core.images.decode.fit_square)."""
        import keras

        outer = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
        names = [layer.name for layer in outer]
        if BACKBONE_LAYER not in names:
            raise GradCamError(f"The model '{model.name}' has no layer named 'backbone', "
                               "so Grad-CAM cannot find its feature maps.")
        at = names.index(BACKBONE_LAYER)
        backbone = outer[at]
        self.before, self.head = outer[:at], outer[at + 1:]
        self.input_size, self.crop = int(model.input_shape[1]), float(crop)
        self.feature_layer = (_spatial_layer(backbone, layer_name) if layer_name
                              else last_feature_map(backbone))
        last = backbone.layers[-1]
        if last is self.feature_layer:
            tail, self._chain = last.output, list(self.head)
        else:
            # Stop short of the backbone's last layer and apply it here, so that
            # a final softmax can be left out.
            tail, self._chain = last.input, [last, *self.head]
        if not self._chain:
            raise GradCamError(f"The model '{model.name}' ends in feature maps, not class "
                               "scores, so there is no class for Grad-CAM to explain.")
        self._features = keras.Model(backbone.inputs, [self.feature_layer.output, tail],
                                     name="gradcam_features")
        self._compiled = None

    def __call__(self, rgb: np.ndarray, class_index: int) -> np.ndarray:
        """Heat map for ``class_index`` of an (H, W, 3) RGB uint8 image."""
        image = fit_square(rgb, self.input_size, fraction=self.crop)
        cam = self.map_for_input(image, class_index)
        return place_in_crop(cam, rgb.shape[:2], self.input_size, self.crop)

    def map_for_input(self, image: np.ndarray, class_index: int) -> np.ndarray:
        """Heat map in [0, 1] at feature-map resolution for one model-sized image."""
        import tensorflow as tf

        if self._compiled is None:
            # Traced once: an eager pass is about 15x slower on a CPU.
            self._compiled = tf.function(self._cam, reduce_retracing=True)
        cam = self._compiled(tf.convert_to_tensor(image[None]),
                             tf.constant(class_index, tf.int32)).numpy()
        peak = float(cam.max())
        return (cam / peak if peak > 0 else cam).astype(np.float32)

    def _cam(self, x, class_index):
        import tensorflow as tf

        with tf.GradientTape() as tape:
            for layer in self.before:
                x = layer(x, training=False)
            feature_map, y = self._features(x, training=False)
            tape.watch(feature_map)
            for n, layer in enumerate(self._chain):
                final = n == len(self._chain) - 1
                y = _logits(layer, y) if final else layer(y, training=False)
            score = tf.gather(tf.reshape(y, (1, -1)), class_index, axis=1)
        grads = tape.gradient(score, feature_map)
        if grads is None:
            raise GradCamError("The model's score does not depend on its feature maps, "
                               "so there is nothing for Grad-CAM to show.")
        weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
        return tf.nn.relu(tf.reduce_sum(weights * feature_map, axis=-1))[0]


def last_feature_map(backbone):
    """The backbone's last layer with a 4-D output bigger than one pixel."""
    for layer in reversed(backbone.layers):
        shape = getattr(layer, "output", None)
        shape = getattr(shape, "shape", None)
        if shape is not None and len(shape) == 4 and (shape[1] is None or shape[1] > 1):
            return layer
    raise GradCamError(f"'{backbone.name}' has no spatial feature map for Grad-CAM to use.")


def _spatial_layer(backbone, name: str):
    """The backbone layer ``name``, if Grad-CAM can explain there."""
    try:
        layer = backbone.get_layer(name)
    except ValueError:
        raise GradCamError(f"'{name}' is not a layer of the backbone, so Grad-CAM cannot "
                           "explain there; choose a block inside the backbone.") from None
    if len(layer.output.shape) != 4:
        raise GradCamError(f"'{name}' has no spatial feature map (its output is "
                           f"{tuple(layer.output.shape[1:])}); choose an earlier block.")
    return layer


def _logits(layer, x):
    """Apply the model's last layer, leaving out a final softmax."""
    import keras

    activation = getattr(layer, "activation", None)
    is_softmax = getattr(activation, "__name__", "") == "softmax"
    if isinstance(layer, keras.layers.Activation) and is_softmax:
        return x
    if isinstance(layer, keras.layers.Dense) and is_softmax:
        y = keras.ops.matmul(x, layer.kernel)
        return y + layer.bias if layer.use_bias else y
    return layer(x, training=False)


def crop_box(shape: tuple[int, int], size: int,
             fraction: float = CROP_FRACTION) -> tuple[float, float, float, float]:
    """(top, left, height, width) in the original image of what fit_square keeps."""
    h, w = shape
    if fraction <= WHOLE_IMAGE:
        return 0.0, 0.0, float(h), float(w)
    short = short_side_for(size, fraction)
    scale = short / min(h, w)
    nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
    top, left = (nh - size) // 2, (nw - size) // 2
    sy, sx = nh / h, nw / w
    return top / sy, left / sx, size / sy, size / sx


def place_in_crop(cam: np.ndarray, shape: tuple[int, int], size: int,
                  fraction: float = CROP_FRACTION) -> np.ndarray:
    """Stretch a feature-map-sized ``cam`` over the crop region of an image of ``shape``."""
    import cv2

    h, w = shape
    top, left, ch, cw = crop_box(shape, size, fraction)
    out = np.zeros((h, w), np.float32)
    y0, x0 = int(round(top)), int(round(left))
    y1, x1 = min(h, int(round(top + ch))), min(w, int(round(left + cw)))
    out[y0:y1, x0:x1] = cv2.resize(cam, (x1 - x0, y1 - y0), interpolation=cv2.INTER_CUBIC)
    return np.clip(out, 0.0, 1.0)


# Blue -> cyan -> yellow -> red, the usual reading of a heat map.
_ANCHORS = np.array([[0, 0, 160], [0, 190, 255], [255, 230, 0], [230, 20, 0]], np.float32)


def colorize(heat: np.ndarray, opacity: float = 0.7) -> np.ndarray:
    """An (H, W, 4) RGBA uint8 overlay of a [0, 1] heat map: zero is clear, hot is opaque."""
    heat = np.clip(heat, 0.0, 1.0).astype(np.float32)
    position = heat * (len(_ANCHORS) - 1)
    low = np.minimum(position.astype(np.int32), len(_ANCHORS) - 2)
    t = (position - low)[..., None]
    rgb = _ANCHORS[low] * (1 - t) + _ANCHORS[low + 1] * t
    alpha = heat * opacity * 255
    return np.dstack([rgb, alpha]).astype(np.uint8)


# One GradCam at a time, for the model (and crop) last explained: it holds the
# model's layers, so keeping one per model ever used would keep every model alive.
_last: dict = {"model": None, "cam": None}
_last_lock = threading.Lock()


def gradcam_overlay(predictor, rgb: np.ndarray, class_index: int,
                    progress: Progress = no_progress,
                    should_stop: ShouldStop = never_stop) -> np.ndarray:
    """Grad-CAM of ``class_index`` for ``predictor``'s model as an RGBA overlay
    the size of ``rgb``, on the part of the image the predictor classifies (its
    ``crop_fraction``). The GradCam is made once per model and crop."""
    with _last_lock:
        model = _last["model"]() if _last["model"] is not None else None
        if model is not predictor.model or _last["cam"].crop != predictor.crop_fraction:
            progress(0.1, "Preparing Grad-CAM (once per model)")
            _last.update(model=weakref.ref(predictor.model),
                         cam=GradCam(predictor.model, crop=predictor.crop_fraction))
        cam = _last["cam"]
    check_stop(should_stop)
    return colorize(cam(rgb, class_index))
