"""``main.py export`` on a real bundle: JSON on stdout, exit statuses, sentences."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.bundles import small_bundle

from .conftest import ROOT, cli

pytestmark = pytest.mark.slow  # heavy: the full suite runs it, the fast tier not

FASHION = ROOT / "resources" / "samples" / "fashion"


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory):
    """A real bundle trained on the bundled Fashion-MNIST samples (the session's one)."""
    return small_bundle(tmp_path_factory)


def test_export_prints_one_json_document_and_exits_zero(bundle_dir, tmp_path):
    run = cli("export", bundle_dir, "--to", tmp_path, "--formats", "keras,tflite",
              "--images", FASHION, "--format", "json")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    assert [r["format"] for r in doc["results"]] == ["keras", "tflite"]
    for r in doc["results"]:
        assert r["ok"] and r["error"] is None and Path(r["path"]).is_file()
        assert r["parity"]["images"] == 24 and r["parity"]["top1_agreement"] == 1.0
        assert r["parity"]["max_abs_diff"] <= r["parity"]["tolerance"] == 1e-4
    assert "Exporting tflite" in run.stderr  # progress goes to stderr


def test_a_format_that_cannot_be_made_exits_one_and_keeps_the_others(bundle_dir, tmp_path):
    hidden = tmp_path / "hide_tf2onnx" / "tf2onnx"
    hidden.mkdir(parents=True)
    (hidden / "__init__.py").write_text("raise ImportError('tf2onnx hidden by the test')\n")
    out = tmp_path / "out"
    run = cli("export", bundle_dir, "--to", out, "--formats", "onnx,keras",
              env={"PYTHONPATH": os.pathsep.join([str(hidden.parent), str(ROOT)])})
    assert run.returncode == 1, run.stderr
    assert "ONNX export needs the tf2onnx package" in run.stdout
    assert "1 of 2 exports failed" in run.stderr
    assert (out / "model.keras").is_file() and not (out / "model.onnx").exists()


def test_usage_errors_exit_two_with_a_sentence(bundle_dir, tmp_path):
    run = cli("export", bundle_dir, "--to", tmp_path, "--formats", "tflite,pb")
    assert run.returncode == 2 and "Unknown export format pb" in run.stderr
    run = cli("export", tmp_path, "--to", tmp_path / "out", "--formats", "tflite")
    assert run.returncode == 2 and "is not a model bundle" in run.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    run = cli("export", bundle_dir, "--to", tmp_path / "out", "--images", empty)
    assert run.returncode == 2 and "No images found" in run.stderr
    assert cli("export", bundle_dir).returncode == 2  # --to is required
