"""The command line on real photos: JSON parsed, exit statuses, clear errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import cli, cli_here


@pytest.mark.slow
def test_classify_json_labels_real_photos_and_reports_a_bad_file(photos, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a png at all")
    run = cli("classify", photos["coffee"], photos["chelsea"], bad, "--format", "json",
              "--top-k", "3")
    assert run.returncode == 1, run.stderr
    entries = {Path(e["path"]).name: e for e in json.loads(run.stdout)}
    assert entries["coffee.jpg"]["predictions"][0]["label"] == "espresso"
    cats = {"tabby", "tiger cat", "Egyptian cat"}
    assert {p["label"] for p in entries["chelsea.jpg"]["predictions"]} & cats
    assert entries["bad.png"]["error"] and entries["bad.png"]["predictions"] == []
    assert entries["coffee.jpg"]["error"] is None
    assert entries["coffee.jpg"]["model"] == "EfficientNetLite0 (ImageNet)"  # a key added
    assert entries["coffee.jpg"]["top_k"] == entries["coffee.jpg"]["predictions"]


@pytest.mark.slow  # end to end, seconds: the full suite runs it
def test_classify_writes_csv_to_a_file_and_exits_zero(photos, tmp_path):
    out = tmp_path / "results.csv"
    run = cli_here("classify", photos["coffee"], "--format", "csv", "--output", out)
    assert run.returncode == 0, run.stderr
    assert "espresso" in out.read_text() and run.stdout == ""
    # the rule it applied, on stderr: the default backbone's own (uint8 in, 87.5% crop)
    assert ("Input rule: 224 px uint8 NHWC input; preprocessing inside the model (0-255 in); "
            "it sees the centre 87.5%.") in run.stderr


def test_models_lists_every_backbone_with_its_weights_status():
    run = cli_here("models", "--format", "json")
    assert run.returncode == 0, run.stderr
    rows = {r["name"]: r for r in json.loads(run.stdout)}
    assert len(rows) >= 43
    assert rows["EfficientNetLite0"]["weights"] == "bundled"
    assert rows["LeNet5"]["weights"] == "none" and rows["VGG16"]["weights"] == "downloadable"
    assert all(r["use_case"] and r["params"] > 0 for r in rows.values())


def test_a_backbone_without_weights_is_a_setup_error_with_a_sentence(photos):
    run = cli_here("classify", photos["coffee"], "--model", "LeNet5")
    assert run.returncode == 2
    assert "no pretrained weights" in run.stderr
    run = cli_here("classify", photos["coffee"], "--model", "VGG16")
    assert run.returncode == 2 and "not on this computer" in run.stderr


def test_usage_errors_exit_two(tmp_path):
    assert cli_here("classify").returncode == 2
    assert cli_here("classify", tmp_path, "--model", "NoSuchNet").returncode == 2


def test_a_missing_path_is_told_before_any_model_loads(photos, tmp_path):
    missing = tmp_path / "typo.jpg"
    run = cli_here("classify", photos["coffee"], missing, "--model", "NoSuchNet")
    assert run.returncode == 2
    assert f"no such file or folder: {missing}" in run.stderr and "NoSuchNet" not in run.stderr
