"""A folder's results without a model: CSV and JSON exports, copies into class folders."""
from __future__ import annotations

import csv
import io
import json

import pytest

from core.classify import folder
from core.runtime.inference import Prediction


def test_exports_hold_the_same_rows(tmp_path):
    results = [folder.FileResult(tmp_path / "a.jpg", [Prediction("espresso", 0.9),
                                                      Prediction("cup", 0.05)]),
               folder.FileResult(tmp_path / "b.jpg", error="b.jpg: the file is empty")]
    folder.export(results, tmp_path / "out.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text())))
    assert rows[0]["label"] == "espresso" and float(rows[0]["score"]) == pytest.approx(0.9)
    assert rows[0]["top_k"] == "espresso:0.9000; cup:0.0500"
    assert rows[1]["label"] == "" and rows[1]["error"] == "b.jpg: the file is empty"
    folder.export(results, tmp_path / "out.json")
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc[0]["predictions"][0] == {"label": "espresso", "score": 0.9}
    assert doc[1]["error"] == "b.jpg: the file is empty"


def test_copy_into_class_folders_copies_and_never_overwrites(tmp_path):
    src = tmp_path / "src"
    (src / "x").mkdir(parents=True)
    (src / "y").mkdir()
    for sub in ("x", "y"):
        (src / sub / "same.jpg").write_bytes(sub.encode())
    results = [folder.FileResult(src / "x" / "same.jpg", [Prediction("tiger cat", 0.8)]),
               folder.FileResult(src / "y" / "same.jpg", [Prediction("tiger cat", 0.7)]),
               folder.FileResult(src / "bad.jpg", error="bad")]
    dest = tmp_path / "sorted"
    assert folder.copy_into_class_folders(results, dest) == 2
    copied = sorted(p.name for p in (dest / "tiger cat").iterdir())
    assert copied == ["same (2).jpg", "same.jpg"]
    assert (src / "x" / "same.jpg").read_bytes() == b"x"  # originals untouched
