"""core.learn.architecture on the real Keras models: the blocks each family is known for."""
from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

from core.learn.architecture import KINDS, describe
from core.learn.layout import layout, to_svg
from core.models import backbones

_BUILT: dict = {}


def built(name):
    """(model, architecture) of a backbone's full classifier, built once per session."""
    if name not in _BUILT:
        from core.models import build as models
        model = models.build_classifier(name, weights_choice=None)
        _BUILT[name] = model, describe(model, name)
    return _BUILT[name]


def kinds(arch, kind):
    return [b for b in arch.blocks if b.kind == kind]


def test_the_totals_are_the_architectures_own_with_preprocessing_a_step_apart():
    """ResNet50's 25,636,712 (Keras's table, the paper): the app's 9-weight channel swap
    in front is its own block, outside the total; the nested backbone is the
    keras.applications model built with weights=None."""
    model, arch = built("ResNet50")
    assert arch.params == 25_636_712 == model.get_layer("backbone").count_params()
    assert arch.preprocessing.kind == "preprocess" and arch.preprocessing_params == 9
    assert arch.params + arch.preprocessing_params == model.count_params()
    assert arch.blocks[2].name == "stem" and arch.blocks[2].inputs == ["preprocess"]
    assert arch.to_json()["preprocessing_params"] == 9


def test_resnet50_has_16_residual_blocks_3_4_6_3_with_skip_edges():
    _, arch = built("ResNet50")
    residual = kinds(arch, "residual")
    assert len(residual) == 16
    per_stage = {}
    for b in residual:
        per_stage[b.resolution] = per_stage.get(b.resolution, 0) + 1
    assert [per_stage[r] for r in (56, 28, 14, 7)] == [3, 4, 6, 3]
    for b in residual:
        first_of_stage = b.name.endswith("_block1")
        # the first block of a stage projects its skip with a 1x1 conv; the others add it as is
        assert (b.skip != []) == first_of_stage and b.skip is not None
        add = next(layer for layer in b.layers if layer.type == "Add")
        inside = {layer.name for layer in b.layers}
        if not first_of_stage:  # the skip edge: the Add reads the block's own input
            assert any(name not in inside for name in add.inputs)
    assert arch.depth == 50


def test_inception_v3_has_modules_mixed0_to_mixed10_with_parallel_branches():
    _, arch = built("InceptionV3")
    inception = kinds(arch, "inception")
    assert [b.name for b in inception] == [f"mixed{i}" for i in range(11)]
    assert all(b.branches >= 3 for b in inception)
    assert arch.blocks[1].kind == "preprocess" and arch.blocks[2].kind == "stem"


def test_mobilenet_v2_has_17_inverted_residuals():
    _, arch = built("MobileNetV2")
    blocks = kinds(arch, "inverted_residual")
    assert len(blocks) == 17
    assert sum(b.skip == [] for b in blocks) == 10  # only where shape in == shape out
    assert all(any(layer.type == "DepthwiseConv2D" for layer in b.layers) for b in blocks)


def test_vgg16_has_13_conv_layers_in_5_stages_then_dense_layers():
    _, arch = built("VGG16")
    convs = kinds(arch, "conv")
    assert len(convs) == 13
    assert sorted({b.resolution for b in convs}, reverse=True) == [224, 112, 56, 28, 14]
    assert len(kinds(arch, "pool")) == 5
    assert [b.name for b in arch.blocks[-3:]] == ["fc1", "fc2", "predictions"]
    assert [b.kind for b in arch.blocks[-3:]] == ["dense", "dense", "head"]
    assert arch.depth == 16


def test_densenet121_has_4_dense_blocks_and_3_transitions():
    _, arch = built("DenseNet121")
    assert [b.kind for b in arch.blocks[3:10]] == (["dense_block", "transition"] * 3
                                                   + ["dense_block"])
    assert arch.depth == 121


@pytest.mark.parametrize("name", ["ResNet50", "InceptionV3", "MobileNetV2", "VGG16", "DenseNet121"])
def test_edges_name_earlier_blocks_and_shapes_match_keras(name):
    model, arch = built(name)
    layers = _keras_layers(model)
    seen = set()
    for b in arch.blocks:
        assert b.kind in KINDS
        assert set(b.inputs) <= seen, f"{b.name} reads a block that is not before it"
        seen.add(b.name)
        keras_shape = tuple(layers[b.layers[-1].name].output.shape[1:])
        assert tuple(b.output_shape) == keras_shape
        for layer in b.layers:
            assert tuple(layer.output_shape) == tuple(layers[layer.name].output.shape[1:])
    spec = backbones.get(name)
    assert arch.params == model.count_params() - arch.preprocessing_params == spec.params
    assert arch.macs == pytest.approx(spec.gmacs * 1e9, rel=0.05)  # the papers' numbers


def _keras_layers(model):
    out = {}
    for layer in model.layers:
        out[layer.name] = layer
        for inner in getattr(layer, "layers", []) if layer.name == "backbone" else []:
            out[inner.name] = inner
    return out


def test_a_trained_models_own_head_is_its_head_block():
    import keras

    from core.models import build as models
    spec = backbones.get("MobileNetV2")
    base = models.build_base(spec, include_top=False, weights_choice=None, input_size=96,
                             pooling="avg")
    inputs, x = models.image_front(spec, base, 96)
    x = keras.layers.Dropout(0.2, name="dropout")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="classes")(x)
    model = keras.Model(inputs, outputs)
    arch = describe(model, "my model")
    assert arch.params == model.count_params()
    assert arch.blocks[-1].kind == "head" and arch.blocks[-1].name == "classes"
    assert arch.blocks[-1].params == 1280 * 3 + 3
    assert len(kinds(arch, "inverted_residual")) == 17


def test_layout_and_svg_show_one_node_per_visible_block():
    _, arch = built("ResNet50")
    plain = layout(arch)
    assert [n.id for n in plain.nodes] == [b.name for b in arch.blocks]
    block = arch.block("conv2_block2")
    opened = layout(arch, {"conv2_block2"})
    assert len(opened.nodes) == len(arch.blocks) - 1 + len(block.layers)
    # the identity skip jumps from the block before to the Add, round the side
    assert any(e.round_side and e.source == "conv2_block1" and e.target == "conv2_block2_add"
               for e in opened.edges)
    projection = layout(arch, {"conv3_block1"})  # the skip path's 1x1 conv, drawn red
    red = {(e.source, e.target) for e in projection.edges if e.skip}
    assert red == {("conv2_block3", "conv3_block1_0_conv"),
                   ("conv3_block1_0_conv", "conv3_block1_0_bn"),
                   ("conv3_block1_0_bn", "conv3_block1_add")}
    root = ET.fromstring(to_svg(arch, opened))
    groups = [g for g in root.iter("{http://www.w3.org/2000/svg}g")
              if "node" in g.get("class", "").split()]
    assert len(groups) == len(opened.nodes)
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "56×56×256" in labels


@pytest.mark.parametrize("name", ["LeNet5", "AlexNet", "EfficientNetLite0", "MobileNet",
                                  "MobileNetV3Small", "ConvNeXtTiny", "Xception"])
def test_block_params_sum_to_the_model_total_for_other_families(name):
    model, arch = built(name)
    assert arch.params == model.count_params() - arch.preprocessing_params
    assert sum(b.params for b in arch.blocks) == model.count_params()
    assert arch.blocks[-1].kind == "head"


@pytest.mark.slow
def test_block_params_sum_to_the_model_total_for_every_backbone():
    """Every registered backbone (45 models: 1 to 5 minutes on 2 cores): the total is the
    backbone's own count (keras.applications count_params() with weights=None, the
    reference tables' number); the preprocessing step comes on top."""
    import gc
    import importlib

    import keras

    from core.learn.families import FAMILIES
    from core.models import build as models

    depths = {f.representative: f.depth for f in FAMILIES}  # the Families table's column
    slowest = 0.0
    for spec in backbones.all_backbones():
        if spec.name in _BUILT:  # built for the family checks above
            model = _BUILT[spec.name][0]
        else:
            model = models.build_classifier(spec.name, weights_choice=None)
        started = time.perf_counter()
        arch = describe(model, spec.name)
        slowest = max(slowest, time.perf_counter() - started)
        module, factory = spec.factory.split(":")
        reference = getattr(importlib.import_module(module), factory)(
            weights=None, classes=spec.classes)
        assert arch.params == reference.count_params(), spec.name
        del reference
        assert arch.params + arch.preprocessing_params == model.count_params(), spec.name
        assert all(b.kind in KINDS for b in arch.blocks), spec.name
        assert arch.blocks[-1].kind == "head", spec.name
        if spec.name in depths:
            assert arch.depth == depths[spec.name], spec.name
        del model
        keras.backend.clear_session()
        gc.collect()
    assert slowest < 1.0


def test_a_saved_bundle_is_inspected_with_its_head_and_feature_maps(tmp_path_factory, photos):
    """``inspect BUNDLE`` and feature maps on the session's trained bundle (LeNet-5, Fashion)."""
    import numpy as np

    from core.images.decode import load_rgb
    from core.learn.architecture import inspect
    from core.learn.feature_maps import FeatureMaps, load_model
    from core.runtime.bundle import read_meta
    from tests.bundles import small_bundle

    folder = small_bundle(tmp_path_factory)
    classes = read_meta(folder)["class_names"]
    arch = inspect(str(folder))
    assert arch.name == folder.name
    assert arch.blocks[-1].kind == "head"
    assert arch.blocks[-1].output_shape == [len(classes)]
    assert len([b for b in arch.blocks if b.kind == "conv"]) == 2  # LeNet-5's two convs
    explorer = load_model(str(folder))
    assert explorer.class_names == tuple(classes)
    assert explorer.arch.params == explorer.model.count_params() == arch.params
    maps = FeatureMaps(explorer.model, explorer.arch)(load_rgb(photos["astronaut"]))
    for b in explorer.arch.blocks:
        assert list(maps[b.name].shape) == b.output_shape
    assert np.isclose(maps[arch.blocks[-1].name].sum(), 1.0, atol=1e-4)  # softmax scores


def test_a_keras_model_file_is_inspected_with_its_labels(tmp_path):
    """A plain .keras file (preprocessing not inside: the app puts it in front)."""
    import keras

    from core.learn.architecture import inspect
    from core.learn.feature_maps import load_model
    from core.models.scratch import LeNet5
    from core.runtime.bundle import BundleError

    base = LeNet5(include_top=False, input_shape=(32, 32, 3))
    outputs = keras.layers.Dense(2, activation="softmax", name="classes")(base.output)
    model = keras.Model(base.input, outputs)
    model.save(tmp_path / "parts.keras")
    (tmp_path / "labels.txt").write_text("0 bolt\n1 nut\n")
    arch = inspect(str(tmp_path / "parts.keras"))
    assert arch.name == "parts" and arch.params == model.count_params()
    assert arch.blocks[-1].name == "classes" and arch.blocks[-1].kind == "head"
    assert load_model(str(tmp_path / "parts.keras")).class_names == ("bolt", "nut")
    (tmp_path / "parts.tflite").write_bytes(b"not really")
    with pytest.raises(BundleError, match="no Keras layer graph"):
        inspect(str(tmp_path / "parts.tflite"))


def test_a_plain_sequential_model_becomes_conv_pool_and_head():
    import keras

    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(8, 3, name="c1"),
                              keras.layers.MaxPooling2D(name="p1"),
                              keras.layers.Flatten(name="flat"),
                              keras.layers.Dense(10, name="digits")])
    arch = describe(model, "digits")
    assert [(b.name, b.kind) for b in arch.blocks] == [
        ("input", "other"), ("c1", "conv"), ("p1", "pool"), ("digits", "head")]
    assert arch.params == model.count_params()
    assert arch.blocks[1].macs == 26 * 26 * 8 * 9  # 3x3x1 kernel at every output position


def test_an_opened_blocks_layers_show_their_kernel_and_stride():
    """1×1 against 3×3, and the depthwise conv that steps by 2: what a layer box says
    (MobileNetV2 at 96 px with random weights; the window is read from the layer)."""
    import keras

    arch = describe(keras.applications.MobileNetV2(input_shape=(96, 96, 3), weights=None,
                                                   include_top=False), "MobileNetV2")
    by_name = {layer.name: layer for b in arch.blocks for layer in b.layers}
    assert by_name["Conv1"].type_text == "Conv2D 3×3 /2"
    assert by_name["block_1_expand"].type_text == "Conv2D 1×1"
    assert by_name["block_1_depthwise"].type_text == "DepthwiseConv2D 3×3 /2"
    assert by_name["block_2_depthwise"].type_text == "DepthwiseConv2D 3×3"
    assert by_name["block_1_project_BN"].type_text == "BatchNormalization"
    opened = layout(arch, {"block_1"})
    assert opened.node("block_1_depthwise").detail.startswith("DepthwiseConv2D 3×3 /2 · ")
    json_layer = next(x for b in arch.to_json(layers=True)["blocks"] for x in b["layers"]
                      if x["name"] == "block_1_depthwise")
    assert json_layer["kernel_size"] == [3, 3] and json_layer["strides"] == [2, 2]
