"""``main.py inspect``: the JSON contract, the SVG diagram, clear errors."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from .test_classify_cli import cli

KINDS = {"stem", "conv", "pool", "residual", "inception", "inverted_residual", "dense_block",
         "transition", "dense", "head", "other"}


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
    assert sum(b["params"] for b in doc["blocks"]) == doc["params"]
    assert sum(b["kind"] == "inverted_residual" for b in doc["blocks"]) == 17
    root = ET.parse(svg).getroot()
    nodes = [g for g in root.iter("{http://www.w3.org/2000/svg}g")
             if "node" in g.get("class", "").split()]
    assert [g.get("data-id") for g in nodes] == [b["name"] for b in doc["blocks"]]


def test_inspect_text_lists_blocks_and_unknown_model_is_a_usage_error():
    result = cli("inspect", "LeNet5")
    assert result.returncode == 0, result.stderr
    assert "conv1" in result.stdout and "predictions" in result.stdout
    assert "83,126 parameters" in result.stdout
    bad = cli("inspect", "NoSuchNet")
    assert bad.returncode == 2
    assert "unknown backbone" in bad.stderr and "Traceback" not in bad.stderr
