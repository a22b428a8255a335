"""Keras 2 model configs rewritten so Keras 3 reads them: :func:`repair_keras2_config`.

A Keras 2 ``.h5`` (Teachable Machine's ``keras_model.h5``, tf.keras before 2.16,
tf-keras) holds its model config as JSON; Keras 3 refuses it in a few known
ways, each fixed here in the parsed JSON with stock Keras 3 layers only (safe
mode stays on when it is loaded: core.runtime.keras_files.load_keras2_h5).
Pure JSON work: imports nothing heavy.
"""
from __future__ import annotations

import re


def repair_keras2_config(node):
    """Rewrite a Keras 2 model config (parsed JSON) in place so Keras 3 reads it:

    - ``DepthwiseConv2D`` no longer takes ``groups`` (Teachable Machine's files), nor
      ``SeparableConv2D`` ``groups`` and the unused ``kernel_*`` settings
      tf.keras writes for it (Xception, NASNet);
    - ``BatchNormalization``'s ``axis`` is an int, not a one-element list;
    - classes saved under a tf_keras / tf.keras module path (``Functional``)
      are looked up among Keras 3's own;
    - tf.keras's ``TFOpLambda`` for a tensor plus or times a number (MobileNetV3's
      hard sigmoid, ``x + 3.0`` then ``* (1 / 6)``) becomes a stock ``Rescaling``
      (``x * scale + offset``), and a tensor plus, minus or times another tensor
      (RegNet's ``x + skip``) the stock ``Add``, ``Subtract`` or ``Multiply``; any
      other TFOpLambda is still refused;
    - InceptionResNetV2's ``CustomScaleLayer`` (``a + b * scale``): a stock
      ``Rescaling`` of b and an ``Add``;
    - layer names with ``/`` (tf-keras DenseNet's ``conv1/conv``, MobileNetV3's
      ``Conv/BatchNorm``), which Keras 3 refuses, are renamed (``conv1_conv``)
      together with every inbound reference to them (:func:`rename_layers`).
      Weights still load: Keras reads an .h5's weights in layer order.
    """
    _repair_classes(node)
    _expand_scale_sums(node)
    return rename_layers(node)


def _expand_scale_sums(node) -> None:
    """tf.keras InceptionResNetV2's ``CustomScaleLayer`` (``a + b * scale``, no
    weights) as the stock ``Rescaling`` of b, then ``Add``: two layers in its place."""
    if isinstance(node, list):
        for item in node:
            _expand_scale_sums(item)
        return
    if not isinstance(node, dict):
        return
    layers = node.get("layers")
    if isinstance(layers, list):
        node["layers"] = [new for layer in layers for new in _scale_sum_as_stock(layer)]
    for value in node.values():
        _expand_scale_sums(value)


_SCALE_SUM = ("CustomScaleLayer", "Custom>CustomScaleLayer")  # as tf.keras registers it


def _scale_sum_as_stock(layer) -> list:
    config = layer.get("config") if isinstance(layer, dict) else None
    inbound = layer.get("inbound_nodes") if isinstance(layer, dict) else None
    if not (isinstance(config, dict) and layer.get("class_name") in _SCALE_SUM
            and isinstance(config.get("scale"), (int, float)) and isinstance(inbound, list)
            and len(inbound) == 1 and len(inbound[0]) == 2):
        return [layer]
    name, (a, b) = config["name"], inbound[0]
    common = {"trainable": False, "dtype": config.get("dtype", "float32")}
    scaled = {"class_name": "Rescaling", "name": f"{name}_scaled",
              "config": {"name": f"{name}_scaled", **common, "scale": float(config["scale"]),
                         "offset": 0.0},
              "inbound_nodes": [[b]]}
    added = {"class_name": "Add", "name": name, "config": {"name": name, **common},
             "inbound_nodes": [[a, [f"{name}_scaled", 0, 0, {}]]]}
    return [scaled, added]


# Keras 2 config keys a Keras 3 layer refuses and does not use
_NOT_TAKEN = {"DepthwiseConv2D": ("groups",),
              "SeparableConv2D": ("groups", "kernel_initializer", "kernel_regularizer",
                                  "kernel_constraint")}


def _repair_classes(node):
    if isinstance(node, list):
        for item in node:
            repair_keras2_config(item)
        return node
    if not isinstance(node, dict):
        return node
    config = node.get("config")
    if "class_name" in node and isinstance(config, dict):
        _scalar_op_as_rescaling(node)
        for key in _NOT_TAKEN.get(node["class_name"], ()):
            config.pop(key, None)
        axis = config.get("axis")
        if node["class_name"] == "BatchNormalization" and isinstance(axis, list) \
                and len(axis) == 1:
            config["axis"] = axis[0]
        module = node.get("module")
        if isinstance(module, str) and not module.startswith("keras."):
            node.pop("module")
            node.pop("registered_name", None)
    for value in node.values():
        _repair_classes(value)
    return node


# TFOpLambda function -> (scale, offset) of Rescaling for the number y
_SCALAR_OPS = {"__operators__.add": lambda y: (1.0, y), "math.add": lambda y: (1.0, y),
               "__operators__.sub": lambda y: (1.0, -y), "math.subtract": lambda y: (1.0, -y),
               "math.multiply": lambda y: (y, 0.0), "math.truediv": lambda y: (1 / y, 0.0),
               "__operators__.truediv": lambda y: (1 / y, 0.0)}


_TENSOR_OPS = {"__operators__.add": "Add", "math.add": "Add", "__operators__.sub": "Subtract",
               "math.subtract": "Subtract", "math.multiply": "Multiply"}


def _scalar_op_as_rescaling(node: dict) -> None:
    config, inbound = node["config"], node.get("inbound_nodes")
    op = _SCALAR_OPS.get(config.get("function"))
    if node["class_name"] != "TFOpLambda" or op is None or not isinstance(inbound, list) \
            or len(inbound) != 1 or not isinstance(inbound[0], list):
        return
    # tf.keras writes a TFOpLambda's call as [[source, node, tensor, kwargs]]
    entry = inbound[0] if inbound[0] and isinstance(inbound[0][0], str) else inbound[0][0]
    if len(entry) != 4:
        return
    source, index, tensor, kwargs = entry
    y = kwargs.get("y") if isinstance(kwargs, dict) else None
    merge = _TENSOR_OPS.get(config["function"])
    if merge and isinstance(y, list) and len(y) == 3 and isinstance(y[0], str):
        # a tensor plus (minus, times) another: the stock merge layer of the two
        node["class_name"] = merge
        node["config"] = {"name": config["name"], "trainable": False,
                          "dtype": config.get("dtype", "float32")}
        node["inbound_nodes"] = [[[source, index, tensor, {}], [*y, {}]]]
        return
    if not isinstance(y, (int, float)) or isinstance(y, bool) or (y == 0 and "div" in
                                                                   config["function"]):
        return
    scale, offset = op(float(y))
    node["class_name"] = "Rescaling"
    node["config"] = {"name": config["name"], "trainable": False,
                      "dtype": config.get("dtype", "float32"), "scale": scale, "offset": offset}
    node["inbound_nodes"] = [[[source, index, tensor, {}]]]  # a stock layer's call


_REFUSED_IN_NAMES = re.compile(r"/")  # the characters Keras 3 refuses in a layer name


def rename_layers(config):
    """``config`` with every layer name Keras 3 refuses renamed (``/`` -> ``_``, a
    number added on a clash), in the layers themselves and in every reference to
    them: inbound nodes ``[name, node, tensor, kwargs]``, ``input_layers`` and
    ``output_layers``, at any depth (models inside models)."""
    names = set(_layer_names(config))
    renames = {}
    for name in sorted(names):
        if _REFUSED_IN_NAMES.search(name):
            new, base, n = _REFUSED_IN_NAMES.sub("_", name), _REFUSED_IN_NAMES.sub("_", name), 1
            while new in names:
                n += 1
                new = f"{base}_{n}"
            names.add(new)
            renames[name] = new
    return _renamed(config, renames) if renames else config


def _layer_names(node):
    if isinstance(node, list):
        for item in node:
            yield from _layer_names(item)
    elif isinstance(node, dict):
        config = node.get("config")
        if "class_name" in node and isinstance(config, dict) \
                and isinstance(config.get("name"), str):
            yield config["name"]
        for value in node.values():
            yield from _layer_names(value)


def _renamed(node, renames: dict):
    if isinstance(node, list):
        if len(node) >= 2 and isinstance(node[0], str) and isinstance(node[1], int):
            # a reference to a layer's output: [name, node index, tensor index, ...]
            return [renames.get(node[0], node[0]), *(_renamed(v, renames) for v in node[1:])]
        return [_renamed(item, renames) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _renamed(value, renames) for key, value in node.items()}
    for holder in (out, out.get("config")):
        if isinstance(holder, dict) and "class_name" in out and holder.get("name") in renames:
            holder["name"] = renames[holder["name"]]
    return out
