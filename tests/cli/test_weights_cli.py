"""``main.py weights status|download|import``: what the CLI's messages tell an offline
user to run."""
from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from cli import run


def test_status_lists_every_backbone_and_its_files(capsys):
    assert run(["weights", "status", "--format", "json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["EfficientNetLite0"]["status"] == "bundled"
    assert rows["LeNet5"]["status"] == "none" and rows["LeNet5"]["files"] == []
    vgg = rows["VGG16"]
    assert vgg["status"] == "downloadable" and not any(f["present"] for f in vgg["files"])
    assert vgg["files"][0]["file"].endswith(".h5")


def test_download_offline_is_one_sentence_and_exit_2(monkeypatch, capsys):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    assert run(["weights", "download", "VGG16"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("error: Could not download VGG16's weights") and "Traceback" not in err


def test_from_scratch_and_unknown_names_are_refused(capsys):
    assert run(["weights", "download", "LeNet5"]) == 2
    assert "trained from scratch" in capsys.readouterr().err
    assert run(["weights", "status", "NoSuchNet"]) == 2
    assert "NoSuchNet" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore:Skipping nested container")
def test_import_checks_the_file_fits_then_takes_it(tmp_path, monkeypatch, capsys):
    import keras

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    wrong = tmp_path / "small.weights.h5"
    keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]).save_weights(str(wrong))
    assert run(["weights", "import", "MobileNetV2", str(wrong)]) == 2
    assert "does not fit" in capsys.readouterr().err
    right = tmp_path / "mine.weights.h5"
    keras.applications.MobileNetV2(weights=None).save_weights(str(right))
    assert run(["weights", "import", "MobileNetV2", str(right)]) == 0
    assert "MobileNetV2's weights are ready" in capsys.readouterr().err
    assert run(["weights", "status", "MobileNetV2", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["status"] == "cached"


def test_missing_weights_in_classify_name_the_commands(tmp_path, photos, capsys):
    assert run(["classify", str(photos["coffee"]), "--model", "VGG16"]) == 2
    err = capsys.readouterr().err
    assert "python main.py weights download VGG16" in err
