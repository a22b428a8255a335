"""The folder job and the embedding pass on a local Ray instance: same answers."""
from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from cli import run

pytestmark = pytest.mark.slow  # heavy: the full suite runs it, the fast tier not

pytest.importorskip("ray.data")


@pytest.fixture(scope="module")
def ray_local(app_home):
    """One small local Ray instance for the module (starting one costs ~10 s)."""
    from core.classify import ray_engine

    ray = ray_engine.start(num_cpus=2)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def photo_folder(photos, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ray_photos")
    for name, path in photos.items():
        (folder / f"{name}.jpg").write_bytes(path.read_bytes())
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG")
    return folder


def _json_of(capsys, argv) -> tuple[int, list]:
    status = run(argv)
    return status, json.loads(capsys.readouterr().out)


def test_classify_on_ray_equals_in_process(ray_local, default_predictor, photo_folder, capsys):
    args = ["classify", str(photo_folder), "--format", "json", "--top-k", "3"]
    here_status, here = _json_of(capsys, args)
    ray_status, on_ray = _json_of(capsys, args + ["--engine", "ray", "--ray-workers", "2"])
    assert here_status == ray_status == 1  # the broken file fails in both
    assert [r["path"] for r in on_ray] == [r["path"] for r in here]  # input order
    for mine, theirs in zip(on_ray, here):
        assert mine["error"] == theirs["error"]
        assert [p["label"] for p in mine["predictions"]] == \
               [p["label"] for p in theirs["predictions"]]
        np.testing.assert_allclose([p["score"] for p in mine["predictions"]],
                                   [p["score"] for p in theirs["predictions"]], atol=1e-5)
    broken = next(r for r in on_ray if r["path"].endswith("broken.jpg"))
    assert "not an image" in broken["error"]
    assert next(r for r in on_ray if r["path"].endswith("coffee.jpg")) \
        ["predictions"][0]["label"] == "espresso"


def test_without_ray_the_command_says_how_to_install_it(photo_folder, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails as if not installed
    assert run(["classify", str(photo_folder), "--engine", "ray"]) == 2
    assert "requirements-scale.txt" in capsys.readouterr().err


def test_embeddings_on_ray_fill_the_cache_training_reads(ray_local, photo_folder):
    """``train --engine ray``'s pass: every embedding computed on Ray is cached,
    equals what the cached extractor gives here, and training computes none."""
    from core.images.decode import load_for_model
    from core.runtime.runners import LiteRT
    from core.teach import embeddings, ray_embeddings

    images = sorted(photo_folder.glob("*.jpg"))
    size = 160  # a small input keeps the test quick; any size is cached on its own
    computed = ray_embeddings.fill_embedding_cache(images, "EfficientNetLite0", size, workers=1)
    assert computed == len(images) - 1  # all but the broken file

    def must_not_build():
        raise AssertionError("training would have computed embeddings again")

    found = embeddings.embed(images, "EfficientNetLite0", size, must_not_build)
    assert found.computed == 0 and list(found.failed) == [images.index(photo_folder / "broken.jpg")]
    cache = embeddings._Cache(embeddings.cache_key("EfficientNetLite0", size))
    coffee = images.index(photo_folder / "coffee.jpg")
    here = LiteRT(cache.litert_file)(load_for_model(images[coffee], size)[None])[0]
    np.testing.assert_allclose(found.vectors[coffee], here, atol=1e-5)


def test_an_unreachable_cluster_is_a_sentence_within_seconds():
    from core.classify import ray_engine

    with pytest.raises(ray_engine.RayUnavailable, match="Could not reach the Ray cluster at "
                                                        "127.0.0.1:1"):
        ray_engine.start("127.0.0.1:1")
