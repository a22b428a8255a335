"""The download/import/verify path, offline, with weights files made here.

The files are MobileNetV3Small weights written in Keras's legacy h5 layout
(the layout of the published files, written with Keras's own legacy h5 saving
module) into a temporary KERAS_HOME, where Keras looks for the file name its
application module names; a local HTTP server stands in for the download host.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import threading

import h5py
import keras
import numpy as np
import pytest

from core.base.jobs import Cancelled
from core.models import backbones, errors, weights
from core.models.build import build_classifier

NAME = "MobileNetV3Small"


@pytest.fixture()
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    return tmp_path / "keras" / "models"


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory):
    """A real MobileNetV3Small weights file (random values), legacy h5 layout."""
    from keras.src.legacy.saving import legacy_h5_format

    model = keras.applications.MobileNetV3Small(weights=None)
    path = tmp_path_factory.mktemp("made") / "weights.h5"
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    return path, model


def _md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()


def _with_hash(spec, file_hash, url=None):
    top = dataclasses.replace(spec.top_weights, file_hash=file_hash,
                              url=url or spec.top_weights.url)
    return dataclasses.replace(spec, top_weights=top)


def _install(path, keras_home, spec):
    keras_home.mkdir(parents=True, exist_ok=True)
    target = keras_home / spec.top_weights.filename
    target.write_bytes(path.read_bytes())
    return target


def test_missing_weights_say_so_and_never_fall_back_to_random(keras_home):
    assert weights.status(backbones.get(NAME)) == "downloadable"
    with pytest.raises(errors.WeightsMissing, match="not on this computer"):
        build_classifier(NAME)


def test_a_file_with_the_right_hash_loads_without_network(keras_home, weights_file,
                                                           monkeypatch, photos):
    path, reference = weights_file
    spec = _with_hash(backbones.get(NAME), _md5(path))
    monkeypatch.setattr(backbones, "get", lambda name: spec)
    _install(path, keras_home, spec)
    assert weights.status(spec) == "cached"
    model = build_classifier(NAME)
    image = np.random.default_rng(1).integers(0, 256, (1, 224, 224, 3), dtype=np.uint8)
    # MobileNetV3 rescales inside, so raw pixels go straight to the reference.
    np.testing.assert_allclose(model(image), reference(image.astype("float32")), atol=1e-5)


def test_a_file_with_the_wrong_hash_is_rejected_clearly(keras_home, weights_file):
    path, _ = weights_file
    spec = backbones.get(NAME)  # the published hash: our file cannot match it
    _install(path, keras_home, spec)
    with pytest.raises(errors.WeightsCorrupt, match="not the published .* weights file"):
        weights.require(spec.top_weights, spec.name)


class _Server:
    def __init__(self, folder):
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
        handler.log_message = lambda *a: None
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def test_download_shows_progress_and_checks_the_hash(keras_home, weights_file):
    path, _ = weights_file
    spec = backbones.get(NAME)
    with _Server(path.parent) as base:
        good = _with_hash(spec, _md5(path), f"{base}/{path.name}").top_weights
        seen = []
        target = weights.download(good, NAME, progress=lambda f, m: seen.append(f))
        assert target.read_bytes() == path.read_bytes()
        assert seen[-1] == 1.0 and len(seen) > 2
        target.unlink()
        bad = _with_hash(spec, "0" * 32, f"{base}/{path.name}").top_weights
        with pytest.raises(errors.WeightsCorrupt, match="do not match"):
            weights.download(bad, NAME)
        assert not target.exists() and not list(keras_home.glob("*.part"))
        with pytest.raises(Cancelled):
            weights.download(good, NAME, should_stop=lambda: True)
        assert not target.exists()


def test_download_offline_fails_with_a_sentence(keras_home):
    spec = backbones.get(NAME)
    offline = dataclasses.replace(spec.top_weights, url="http://127.0.0.1:9/none.h5")
    with pytest.raises(errors.WeightsMissing, match="no connection to the internet"):
        weights.download(offline, NAME, timeout=2)


def test_an_imported_file_is_checked_by_loading_then_trusted(keras_home, weights_file, tmp_path):
    path, _ = weights_file
    spec = backbones.get(NAME)

    def accept(candidate):
        keras.applications.MobileNetV3Small(weights=str(candidate))

    weights.import_file(spec.top_weights, path, accept)
    assert weights.require(spec.top_weights, NAME).exists()  # trusted despite the hash
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"not weights")
    with pytest.raises(errors.WeightsCorrupt, match="does not fit"):
        weights.import_file(spec.top_weights, junk, accept)
