"""``python main.py lesson``: one JSON document, exit 0 whatever it found, 2 on usage errors."""
from __future__ import annotations

import json

from core.base.paths import resources_dir

from .conftest import cli_here


def test_lesson_json_on_a_class_folder_has_every_key_of_the_contract(tmp_path):
    out = tmp_path / "lesson.json"
    run = cli_here("lesson", "depthwise", "--epochs", "1", "--data",
                   resources_dir() / "samples" / "fashion", "--json", "--output", out)
    assert run.returncode == 0, run.stderr
    document = json.loads(run.stdout)
    assert document == json.loads(out.read_text())
    assert {"lesson", "claim", "citation", "verdict", "agrees", "seconds"} <= set(document)
    assert document["data"].endswith(
        "fashion: 18 training and 6 validation images, 3 classes, 16 px")
    for variant in document["variants"]:
        assert {"name", "depth", "shortcut", "params", "macs", "latency_ms", "train_error",
                "val_error", "val_accuracy"} <= set(variant)
        assert len(variant["train_error"]) == 1 and 0 <= variant["val_error"][0] <= 1


def test_unknown_lessons_bad_epochs_and_bad_folders_are_usage_errors(tmp_path):
    assert cli_here("lesson", "dropout").returncode == 2
    assert cli_here("lesson", "residual", "--epochs", "0").returncode == 2
    (tmp_path / "only").mkdir()
    run = cli_here("lesson", "residual", "--data", tmp_path)
    assert run.returncode == 2 and "sub-folders" in run.stderr


def test_seeds_run_the_lesson_once_each_and_give_the_spread(tmp_path):
    run = cli_here("lesson", "depthwise", "--epochs", "1", "--seeds", "0,1", "--data",
                   resources_dir() / "samples" / "fashion")
    assert run.returncode == 0, run.stderr
    assert "seeds 0, 1" in run.stdout and "Verdict" in run.stdout
    assert run.stdout.count("%-") >= 4  # "mean (min-max)" in both columns of both variants
    document = json.loads(cli_here("lesson", "depthwise", "--epochs", "1", "--seeds", "2,3",
                                   "--data", resources_dir() / "samples" / "fashion",
                                   "--json").stdout)
    assert [run["seed"] for run in document["seeds"]] == [2, 3]
    assert set(document["spread"]) == {"standard", "depthwise-separable"}
    assert set(document["spread"]["standard"]["val_accuracy"]) == {"mean", "min", "max"}


def test_bad_seed_lists_are_usage_errors():
    for seeds in ("x", "1,1", ","):
        assert cli_here("lesson", "residual", "--seeds", seeds).returncode == 2
    assert cli_here("lesson", "residual", "--seed", "1", "--seeds", "0,1").returncode == 2
