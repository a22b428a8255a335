"""Kill -9 in the middle of a project import and of a training run.

The child processes report progress on a pipe; the test kills them with
SIGKILL as soon as they report being part-way through (no sleeps), so the
kill lands wherever the child happens to be: copying a file, renaming it,
rewriting the manifest, computing or caching embeddings.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from core.images.decode import load_rgb
from core.teach import dataset
from core.teach.dataset import Project
from tests import fashion

pytestmark = [pytest.mark.skipif(not fashion.available(), reason="dataset-fashion-mnist missing"),
              pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")]
ROOT = Path(__file__).resolve().parent.parent.parent

IMPORT = textwrap.dedent("""
    import sys
    from core.teach.dataset import Project

    def report(fraction, message):
        print(f"{fraction:.4f}", flush=True)

    Project.open(sys.argv[1]).import_tree(sys.argv[2], progress=report)
    print("done", flush=True)
""")


def start(args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *map(str, args)], cwd=ROOT, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT),
                                 "TF_CPP_MIN_LOG_LEVEL": "3"}, **kwargs)


def kill_when(child: subprocess.Popen, stream, seen) -> str:
    """Read ``stream`` until ``seen(text_so_far)``; SIGKILL the child there."""
    text = ""
    while not seen(text):
        chunk = os.read(stream.fileno(), 4096).decode(errors="replace")
        assert chunk, f"the child ended before the kill point:\n{text[-2000:]}"
        text += chunk
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=60) == -signal.SIGKILL
    return text


def assert_intact(project: Project, sources: dict[str, bytes]) -> None:
    """Every sample's file exists, decodes and equals a source image; every
    image file in the project is a sample; no temporary file is left."""
    listed = {project.absolute(s) for s in project.samples}
    assert len(listed) == len(project.samples)
    for sample in project.samples:
        path = project.absolute(sample)
        assert load_rgb(path).shape == (28, 28, 3)
        assert path.read_bytes() == sources[sample.class_name + "/" + path.name]
    on_disk = {p for p in (project.root / "images").rglob("*") if p.is_file()}
    assert on_disk == listed, "stray or temporary files under images/"


def test_import_killed_midway_loses_no_image(tmp_path):
    first = fashion.write_tree(tmp_path / "first", 10, seed=21, classes=("bag", "coat"))
    later = fashion.write_tree(tmp_path / "later", 60, seed=22)
    sources = {f"{c}/{p.name}": p.read_bytes() for tree in (first, later)
               for c, files in tree.items() for p in files}
    project = Project.create(tmp_path / "p")
    project.import_tree(tmp_path / "first")

    child = start(["-c", IMPORT, tmp_path / "p", tmp_path / "later"], stdout=subprocess.PIPE)
    text = kill_when(child, child.stdout, lambda t: t.count("\n") >= 200)
    assert "done" not in text

    again = Project.open(tmp_path / "p")
    assert_intact(again, sources)
    assert again.counts()["bag"] >= 10 and again.counts()["coat"] >= 10
    before = {s.path for s in project.samples}
    assert before <= {s.path for s in again.samples}, "an image imported earlier was lost"
    assert 200 + 20 <= len(again.samples) < 600 + 20  # what was reported is there, not all


@pytest.mark.slow  # end to end, seconds: the full suite runs it
def test_training_killed_midway_leaves_project_cache_and_output_intact(tmp_path):
    tree = fashion.write_tree(tmp_path / "data", 12, seed=23)
    sources = {f"{c}/{p.name}": p.read_bytes() for c, files in tree.items() for p in files}
    project = Project.create(tmp_path / "p")
    project.import_tree(tmp_path / "data")
    manifest = (tmp_path / "p" / dataset.MANIFEST).read_bytes()

    child = start([ROOT / "main.py", "train", tmp_path / "p", "--out", tmp_path / "model"],
                  stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    kill_when(child, child.stderr, lambda t: "Computing embeddings: 64 " in t)

    assert (tmp_path / "p" / dataset.MANIFEST).read_bytes() == manifest
    assert_intact(Project.open(tmp_path / "p"), sources)
    assert not list(tmp_path.glob("*model*")), "a partial bundle was left behind"
    cache = Path(os.environ["BACKBONE_STUDIO_HOME"]) / "embeddings"
    vectors = [np.load(p) for p in cache.rglob("*.npy")]
    assert len(vectors) >= 64 and all(v.shape == (1280,) for v in vectors)
