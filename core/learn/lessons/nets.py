"""The small networks the lessons compare, each built to isolate one idea.

All take RGB uint8 images (scaled to [0, 1] inside, like every model of the
app) and end in global average pooling and a softmax. Convolutions have no
bias and are followed by BatchNorm and ReLU, as in the papers. Keras is
imported when a net is built.

- :func:`cifar_net`: He et al.'s CIFAR-10 nets (section 4.2): a 3x3 stem and
  three stages of ``n`` two-conv blocks (widths w, 2w, 4w; the last two stages
  start with stride 2), ``6n + 2`` weight layers; with ``shortcut`` each block
  adds its input (a 1x1 projection where the shape changes).
- :func:`bottleneck_net`: a stem and ``blocks`` residual blocks that either
  run one 3x3 conv on all ``width`` channels or squeeze them with a 1x1 conv to
  ``width / 4``, run the 3x3 there and expand back with a 1x1 (He et al.'s
  bottleneck, the 1x1 reduction of Szegedy et al.).
- :func:`separable_net`: a stem and a stack of 3x3 layers, standard or
  depthwise-separable (a 3x3 depthwise then a 1x1 pointwise, Howard et al.).

Layers of the part a lesson compares are named ``body_...``, so
:func:`body_counts` can total them from core.learn.architecture's description.
"""
from __future__ import annotations

BODY = "body_"
# Keras's 0.99 suits long runs; in a few hundred steps the moving statistics
# lag the fast-changing weights and validation looks far worse than training.
BN_MOMENTUM = 0.9


def _conv_bn(x, filters: int, kernel: int, name: str, stride: int = 1, relu: bool = True):
    from keras import layers

    x = layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False,
                      name=f"{name}_conv")(x)
    x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x) if relu else x


def _start(size: int, name: str):
    import keras
    from keras import layers

    inputs = keras.Input(shape=(size, size, 3), dtype="uint8", name="image")
    x = layers.Rescaling(1 / 255, name="rescale")(inputs)
    return inputs, x


def _finish(inputs, x, classes: int, name: str):
    import keras
    from keras import layers

    x = layers.GlobalAveragePooling2D(name="pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def cifar_net(n: int, shortcut: bool, classes: int = 10, size: int = 16, width: int = 8):
    """He et al.'s CIFAR net with ``6n + 2`` weight layers, plain or residual."""
    from keras import layers

    kind = "resnet" if shortcut else "plain"
    inputs, x = _start(size, kind)
    x = _conv_bn(x, width, 3, "stem")
    for stage, filters in enumerate((width, 2 * width, 4 * width), start=1):
        for block in range(1, n + 1):
            stride = 2 if stage > 1 and block == 1 else 1
            name = f"{BODY}s{stage}b{block}"
            y = _conv_bn(x, filters, 3, f"{name}_1", stride)
            y = _conv_bn(y, filters, 3, f"{name}_2", relu=False)
            if shortcut:
                skip = x if stride == 1 and x.shape[-1] == filters else \
                    _conv_bn(x, filters, 1, f"{name}_proj", stride, relu=False)
                y = layers.Add(name=f"{name}_add")([y, skip])
            x = layers.ReLU(name=f"{name}_out")(y)
    return _finish(inputs, x, classes, f"{kind}-{6 * n + 2}")


def bottleneck_net(bottleneck: bool, blocks: int = 3, width: int = 64, classes: int = 10,
                   size: int = 16):
    """``blocks`` residual blocks on ``width`` channels, with or without a 1x1 squeeze."""
    from keras import layers

    inputs, x = _start(size, "bottleneck")
    x = _conv_bn(x, width, 3, "stem", stride=2)
    for block in range(1, blocks + 1):
        name = f"{BODY}b{block}"
        if bottleneck:
            y = _conv_bn(x, width // 4, 1, f"{name}_reduce")
            y = _conv_bn(y, width // 4, 3, f"{name}_3x3")
            y = _conv_bn(y, width, 1, f"{name}_expand", relu=False)
        else:
            y = _conv_bn(x, width, 3, f"{name}_3x3", relu=False)
        x = layers.ReLU(name=f"{name}_out")(layers.Add(name=f"{name}_add")([y, x]))
    return _finish(inputs, x, classes, "bottleneck_1x1" if bottleneck else "full_3x3")


SEPARABLE_WIDTHS = ((64, 1), (128, 2), (128, 1), (256, 2))  # (filters, stride) per layer


def separable_net(separable: bool, classes: int = 10, size: int = 16, stem: int = 32,
                  widths=SEPARABLE_WIDTHS):
    """A stem and 3x3 layers of ``widths``: standard or depthwise-separable."""
    from keras import layers

    inputs, x = _start(size, "separable")
    x = _conv_bn(x, stem, 3, "stem")
    for i, (filters, stride) in enumerate(widths, start=1):
        name = f"{BODY}l{i}"
        if separable:
            x = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False,
                                       name=f"{name}_dw")(x)
            x = layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_dw_bn")(x)
            x = layers.ReLU(name=f"{name}_dw_relu")(x)
            x = _conv_bn(x, filters, 1, f"{name}_pw")
        else:
            x = _conv_bn(x, filters, 3, name, stride)
    return _finish(inputs, x, classes, "separable" if separable else "standard")


def body_counts(arch) -> tuple[int, int]:
    """(params, MACs) of the ``body_`` layers of a described model."""
    layers = [layer for block in arch.blocks for layer in block.layers
              if layer.name.startswith(BODY)]
    return sum(layer.params for layer in layers), sum(layer.macs for layer in layers)


def body_conv_counts(arch) -> tuple[int, int]:
    """(params, MACs) of the ``body_`` convolutions alone (no BatchNorm)."""
    layers = [layer for block in arch.blocks for layer in block.layers
              if layer.name.startswith(BODY) and "Conv" in layer.type]
    return sum(layer.params for layer in layers), sum(layer.macs for layer in layers)
