"""``main.py inspect``: the JSON contract, the SVG diagram, clear errors."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from .conftest import cli

KINDS = {"preprocess", "stem", "conv", "pool", "residual", "inception", "inverted_residual",
         "dense_block", "transition", "dense", "head", "other"}


@pytest.mark.slow
def test_inspect_json_and_svg_of_mobilenet_v2(tmp_path):
    svg = tmp_path / "mobilenet_v2.svg"
    result = cli("inspect", "MobileNetV2", "--format", "json", "--svg", svg)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert {"name", "params", "macs", "depth", "blocks"} <= set(doc)
    assert doc["name"] == "MobileNetV2" and doc["params"] == 3538984 and doc["depth"] == 53
    names = set()
    for block in doc["blocks"]:
        assert {"name", "kind", "params", "macs", "output_shape", "inputs"} <= set(block)
        assert block["kind"] in KINDS
        assert set(block["inputs"]) <= names
        names.add(block["name"])
    assert sum(b["params"] for b in doc["blocks"]) == doc["params"] + doc["preprocessing_params"]
    assert sum(b["kind"] == "inverted_residual" for b in doc["blocks"]) == 17
    root = ET.parse(svg).getroot()
    nodes = [g for g in root.iter("{http://www.w3.org/2000/svg}g")
             if "node" in g.get("class", "").split()]
    assert [g.get("data-id") for g in nodes] == [b["name"] for b in doc["blocks"]]


def test_inspect_text_lists_blocks_with_kinds_shapes_and_skips():
    """The text table, in-process (the JSON test above pays for one TensorFlow start)."""
    from cli import inspect as command
    from tests.core.test_architecture import built  # ResNet50, built once per session

    text = command.to_text(built("ResNet50")[1])
    lines = text.splitlines()
    # Keras's table and the paper: the 9-weight channel swap in front is a step of its own
    assert lines[1].startswith("25,636,712 parameters") and "depth 50" in lines[1]
    assert "preprocessing step (9 fixed weights, not counted)" in lines[1]
    assert next(line for line in lines if line.startswith("preprocess ")).split()[1] == "preprocess"
    row = next(line for line in lines if line.startswith("conv2_block2 "))
    assert "residual" in row and "56×56×256" in row and "(skip: identity)" in row
    row = next(line for line in lines if line.startswith("conv3_block1 "))
    assert "(skip: conv3_block1_0_conv, conv3_block1_0_bn)" in row


def test_unknown_model_is_a_usage_error_with_a_sentence():
    bad = cli("inspect", "NoSuchNet")
    assert bad.returncode == 2
    assert "unknown backbone" in bad.stderr and "Traceback" not in bad.stderr
