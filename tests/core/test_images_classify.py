"""Big and unusual images through the default model: the reduced decode keeps the top-1,
a bomb is a failed row within bounded memory, unusual files classify."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from core.classify.folder import classify_files
from core.images import decode as images
from core.images.decode import find_images, fit_square, load_for_model, load_rgb
from tests.image_files import png_bomb, write_jpeg

ROOT = Path(__file__).resolve().parents[2]
TWELVE_MP = (4000, 3000)


@pytest.fixture(scope="module")
def twelve_mp(photos, tmp_path_factory):
    """The sample photos upscaled to 12 MP phone JPEGs: name -> path."""
    folder = tmp_path_factory.mktemp("twelve_mp")
    return {name: write_jpeg(folder / f"{name}.jpg",
                              cv2.resize(load_rgb(path), TWELVE_MP, interpolation=cv2.INTER_CUBIC))
            for name, path in photos.items()}


def test_twelve_megapixel_jpegs_decode_reduced_with_the_same_top1(default_predictor, twelve_mp):
    size = default_predictor.input_size
    for name, path in twelve_mp.items():
        reduced = load_rgb(path, at_least=images.short_side_for(size))
        assert min(reduced.shape[:2]) < 3000 / 4, name  # decoded at 1/8 here, not in full
        fast = load_for_model(path, size)
        full = fit_square(load_rgb(path), size)
        assert np.abs(fast.astype(int) - full).mean() < 2.0, name
        fast_scores, full_scores = default_predictor.predict(np.stack([fast, full]))
        assert fast_scores.argmax() == full_scores.argmax(), name
        assert abs(fast_scores.max() - full_scores.max()) < 0.05, name


@pytest.mark.slow
def test_classify_of_a_bomb_stays_under_1gb(app_home, default_predictor, photos, tmp_path):
    """The real command in its own process: peak memory (ru_maxrss) of classifying
    the bomb stays within 1 GB of the same process classifying a normal photo."""
    bomb = png_bomb(tmp_path / "bomb.png", 30000)
    script = (
        "import json, resource, sys\n"
        "from cli import run\n"
        "rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024\n"
        f"run(['classify', {str(photos['coffee'])!r}, '--format', 'json'])\n"
        "baseline = rss()\n"
        f"status = run(['classify', {str(bomb)!r}, '--format', 'json'])\n"
        "print(json.dumps({'baseline': baseline, 'peak': rss(), 'status': status}))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["status"] == 1, done.stderr  # the bomb is a failed row, not a crash
    assert "above this app's limit of 200 megapixels" in done.stdout
    assert measured["peak"] - measured["baseline"] < 1 << 30


def test_unusual_images_classify(default_predictor, unusual, photos, tmp_path):
    tiny = tmp_path / "tiny.png"
    cv2.imwrite(str(tiny), load_rgb(photos["coffee"])[200:202, 300:303])
    files = find_images([unusual["UPPER.JPG"].parent, tiny])
    assert set(files) == {*unusual.values(), tiny}  # upper-case extensions are found
    results = {r.path.name: r for r in classify_files(default_predictor, files)}
    assert all(r.error is None for r in results.values())
    assert results["tiny.png"].predictions
    colour = {"grey_alpha.png"}  # a grey coffee cup need not be an espresso
    for name, result in results.items():
        if name not in colour | {"tiny.png"}:
            assert result.label == "espresso", (name, result.predictions[:2])
