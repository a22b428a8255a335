"""``main.py compare`` as a user runs it: a subprocess, JSON on stdout, exit status."""
from __future__ import annotations

import json

import cv2
import pytest

from tests import fashion

from .conftest import cli

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing")]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare_cli")
    fashion.write_tree(root, 12, seed=3, classes=("bag", "trouser", "sneaker"))
    return root


def test_json_lists_every_backbone_and_a_missing_one_exits_1(data_dir, tmp_path):
    plot, out = tmp_path / "plot.png", tmp_path / "rows.json"
    run = cli("compare", data_dir, "--backbones", "LeNet5,MobileNetV2", "--epochs", "3",
              "--seed", "1", "--format", "json", "--output", out, "--plot", plot)
    assert run.returncode == 1, run.stderr[-2000:]
    assert run.stdout == ""  # the document went to --output
    doc = json.loads(out.read_text())
    assert [d["backbone"] for d in doc] == ["LeNet5", "MobileNetV2"]
    assert set(doc[0]) == {"backbone", "val_accuracy", "macro_f1", "params", "size_mb",
                           "latency_ms", "train_seconds", "error"}
    lenet, mobilenet = doc
    assert lenet["error"] is None and 0 <= lenet["val_accuracy"] <= 1
    assert lenet["params"] > 50_000 and lenet["size_mb"] > 0 and lenet["latency_ms"] > 0
    assert mobilenet["val_accuracy"] is None and "not on this computer" in mobilenet["error"]
    assert "MobileNetV2: " in run.stderr and "Backbone 1 of 2" in run.stderr
    image = cv2.imread(str(plot))
    assert image is not None and image.shape[1] == 1100


@pytest.mark.parametrize("args, words", [
    (["--backbones", "ResNet9000"], "unknown backbone"),
    (["--backbones", "LeNet5", "--val-split", "0"], "--val-split"),
])
def test_usage_errors_exit_2(data_dir, args, words):
    run = cli("compare", data_dir, *args)
    assert run.returncode == 2 and words in run.stderr
