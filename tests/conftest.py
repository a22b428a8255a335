"""Shared test set-up: a private app cache, quiet TensorFlow, offscreen Qt; the photos,
unusual image files and failing disks (tests/disks.py) that several tiers use."""
from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from tests import disks

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def app_home(tmp_path_factory):
    """Every test session gets its own BACKBONE_STUDIO_HOME and KERAS_HOME.

    The bundled weights conversion and LiteRT files are cached there once
    per session, so the user's own cache is never touched.
    """
    home = tmp_path_factory.mktemp("studio_home")
    keras_home = tmp_path_factory.mktemp("keras_home")
    old = {k: os.environ.get(k) for k in ("BACKBONE_STUDIO_HOME", "KERAS_HOME")}
    os.environ["BACKBONE_STUDIO_HOME"] = str(home)
    os.environ["KERAS_HOME"] = str(keras_home)
    yield home
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def photos(tmp_path_factory):
    """Real photos shipped by scikit-image, written as files: name -> path."""
    import cv2
    from skimage import data

    folder = tmp_path_factory.mktemp("photos")
    out = {}
    for name in ("coffee", "chelsea", "astronaut", "rocket"):
        rgb = getattr(data, name)()
        path = folder / f"{name}.jpg"
        cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        out[name] = path
    return out


@pytest.fixture(scope="session")
def default_predictor(app_home):
    """The default model (bundled EfficientNet-Lite0) behind its runtime, built once."""
    from core.runtime.loading import load_predictor

    return load_predictor("EfficientNetLite0")


@pytest.fixture(scope="session")
def unusual(photos, tmp_path_factory):
    """Valid but unusual files of the coffee photo: name -> path."""
    import cv2
    import numpy as np
    from PIL import Image

    from core.images.decode import load_rgb

    folder = tmp_path_factory.mktemp("unusual")
    rgb = load_rgb(photos["coffee"])
    image, negative = Image.fromarray(rgb), Image.fromarray(255 - rgb)
    files = {name: folder / name for name in (
        "sixteen_bit.png", "palette.png", "grey_alpha.png", "cmyk.jpg", "animated.gif",
        "pages.tif", "photo.webp", "photo.bmp", "UPPER.JPG")}
    cv2.imwrite(str(files["sixteen_bit.png"]), (rgb[..., ::-1].astype(np.uint16) * 257))
    image.convert("P").save(files["palette.png"])
    image.convert("LA").save(files["grey_alpha.png"])
    image.convert("CMYK").save(files["cmyk.jpg"], quality=95)
    image.save(files["animated.gif"], save_all=True, append_images=[negative], duration=100)
    image.save(files["pages.tif"], save_all=True, append_images=[negative])
    image.save(files["photo.webp"], quality=90)
    image.save(files["photo.bmp"])
    image.save(files["UPPER.JPG"], quality=92)
    return files


@pytest.fixture
def full_disk(tmp_path):
    """A mounted 1 MB file system with no space left (a file ``filler`` fills it)."""
    disk = tmp_path / "full"
    disks.mount(disk)
    try:
        with open(disk / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    yield disk
    disks.unmount(disk)


@pytest.fixture
def read_only_disk(tmp_path):
    """A mounted file system holding ``old.txt``, remounted read-only."""
    disk = tmp_path / "ro"
    disks.mount(disk)
    (disk / "old.txt").write_text("kept")
    disks.remount_read_only(disk)
    yield disk
    disks.unmount(disk)
