"""``main.py compare`` as a user runs it: a subprocess, JSON on stdout, exit status."""
from __future__ import annotations

import csv
import json

import cv2
import pytest

from tests import fashion
from tests.cli.test_train_cli import main_py

pytestmark = pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("compare_cli")
    fashion.write_tree(root, 12, seed=3, classes=("bag", "trouser", "sneaker"))
    return root


def test_json_lists_every_backbone_and_a_missing_one_exits_1(data_dir, tmp_path):
    plot = tmp_path / "plot.png"
    run = main_py("compare", data_dir, "--backbones", "LeNet5,MobileNetV2", "--epochs", "3",
                  "--seed", "1", "--format", "json", "--plot", plot)
    assert run.returncode == 1, run.stderr[-2000:]
    doc = json.loads(run.stdout)
    assert [d["backbone"] for d in doc] == ["LeNet5", "MobileNetV2"]
    assert set(doc[0]) == {"backbone", "val_accuracy", "macro_f1", "params", "size_mb",
                           "latency_ms", "train_seconds", "error"}
    lenet, mobilenet = doc
    assert lenet["error"] is None and 0 <= lenet["val_accuracy"] <= 1
    assert lenet["params"] > 50_000 and lenet["size_mb"] > 0 and lenet["latency_ms"] > 0
    assert mobilenet["val_accuracy"] is None and "not on this computer" in mobilenet["error"]
    assert "MobileNetV2" in run.stderr and "Backbone 1 of 2" in run.stderr
    image = cv2.imread(str(plot))
    assert image is not None and image.shape[1] == 1100


def test_csv_output_file(data_dir, tmp_path):
    out = tmp_path / "table.csv"
    run = main_py("compare", data_dir, "--backbones", "lenet5", "--format", "csv",
                  "--output", out, "--epochs", "2")
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout == ""
    rows = list(csv.DictReader(out.open()))
    assert [r["backbone"] for r in rows] == ["LeNet5"] and float(rows[0]["val_accuracy"]) >= 0


@pytest.mark.parametrize("args, words", [
    (["--backbones", "ResNet9000"], "unknown backbone"),
    (["--backbones", "LeNet5", "--val-split", "0"], "--val-split"),
])
def test_usage_errors_exit_2(data_dir, args, words):
    run = main_py("compare", data_dir, *args)
    assert run.returncode == 2 and words in run.stderr
