"""From-scratch architectures: LeNet-5 (1998) and AlexNet (2012).

No pretrained weights exist for these in any package the app can use, so
they are trained from random initialisation (the wizard trains every layer).
Both take images already scaled to [0, 1] (preprocessing mode "unit") and
follow keras.applications' factory signature so the registry treats every
backbone alike. Keras is imported inside the factories.
"""
from __future__ import annotations


def LeNet5(include_top=True, weights=None, input_shape=None, pooling=None,
           classes=10, name="lenet5"):
    """LeNet-5: two 5x5 conv + pool stages, then 120-84 dense; 32 px input.

    ReLU instead of the original tanh (it trains far faster); the 84-wide
    dense layer is the embedding when ``include_top`` is False.
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape or (32, 32, 3))
    x = layers.Conv2D(6, 5, activation="relu", padding="same", name="conv1")(inputs)
    x = layers.AveragePooling2D(2, name="pool1")(x)
    x = layers.Conv2D(16, 5, activation="relu", name="conv2")(x)
    x = layers.AveragePooling2D(2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(120, activation="relu", name="fc1")(x)
    x = layers.Dense(84, activation="relu", name="fc2")(x)
    if include_top:
        x = layers.Dense(classes, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs, x, name=name)
    _load_weights(model, weights)
    return model


def AlexNet(include_top=True, weights=None, input_shape=None, pooling=None,
            classes=1000, name="alexnet"):
    """AlexNet: five conv layers (11x11 stride 4 first), three max-pools,
    two 4096-wide dense layers; 227 px input. BatchNorm stands in for the
    original local response normalisation; the second 4096 layer is the
    embedding when ``include_top`` is False.
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape or (227, 227, 3))
    x = inputs
    for i, (filters, size, stride, pool) in enumerate(
        [(96, 11, 4, True), (256, 5, 1, True), (384, 3, 1, False),
         (384, 3, 1, False), (256, 3, 1, True)], start=1):
        pad = "valid" if i == 1 else "same"
        x = layers.Conv2D(filters, size, strides=stride, padding=pad,
                          activation="relu", name=f"conv{i}")(x)
        if i <= 2:
            x = layers.BatchNormalization(name=f"norm{i}")(x)
        if pool:
            x = layers.MaxPooling2D(3, strides=2, name=f"pool{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(4096, activation="relu", name="fc6")(x)
    x = layers.Dropout(0.5, name="drop6")(x)
    x = layers.Dense(4096, activation="relu", name="fc7")(x)
    if include_top:
        x = layers.Dropout(0.5, name="drop7")(x)
        x = layers.Dense(classes, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs, x, name=name)
    _load_weights(model, weights)
    return model


def _load_weights(model, weights) -> None:
    if weights is None:
        return
    if weights == "imagenet":
        raise ValueError(f"{model.name} has no pretrained ImageNet weights; train it from scratch")
    model.load_weights(weights)
