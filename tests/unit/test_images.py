"""The decoder on real photos: reduced JPEG decode, EXIF, bombs, unusual images."""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from core.classify.folder import classify_files
from core.images import decode as images
from core.images.decode import ImageError, find_images, fit_square, load_for_model, load_rgb
from core.images.header import image_size

ROOT = Path(__file__).resolve().parents[2]
TWELVE_MP = (4000, 3000)


def _write_jpeg(path: Path, rgb: np.ndarray, orientation: int | None = None) -> Path:
    from PIL import Image

    image = Image.fromarray(rgb)
    if orientation is None:
        image.save(path, quality=92)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(path, quality=92, exif=exif)
    return path


@pytest.fixture(scope="module")
def twelve_mp(photos, tmp_path_factory):
    """The sample photos upscaled to 12 MP phone JPEGs: name -> path."""
    folder = tmp_path_factory.mktemp("twelve_mp")
    return {name: _write_jpeg(folder / f"{name}.jpg",
                              cv2.resize(load_rgb(path), TWELVE_MP, interpolation=cv2.INTER_CUBIC))
            for name, path in photos.items()}


def png_bomb(path: Path, side: int) -> Path:
    """A valid 1-bit PNG of side x side black pixels, a few hundred KB on disk."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    compressor, row = zlib.compressobj(9), b"\0" * (1 + side // 8)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
                     + chunk(b"IEND", b""))
    return path


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


def test_reduced_decode_applies_exif_orientation(photos, tmp_path):
    rgb = cv2.resize(load_rgb(photos["astronaut"]), TWELVE_MP)
    upright = _write_jpeg(tmp_path / "upright.jpg", rgb)
    turned = _write_jpeg(tmp_path / "turned.jpg", rgb, orientation=6)  # "rotate 90° clockwise"
    plain = load_rgb(upright, at_least=256)
    shown = load_rgb(turned, at_least=256)
    assert shown.shape == (plain.shape[1], plain.shape[0], 3)
    assert np.abs(shown.astype(int) - np.rot90(plain, k=-1)).mean() < 2.0


def test_header_sizes_match_the_decoded_sizes(unusual):
    for name, path in unusual.items():
        height, width = load_rgb(path).shape[:2]
        assert image_size(np.fromfile(path, np.uint8)) == (width, height), name


def test_a_decompression_bomb_gets_a_sentence(tmp_path):
    bomb = png_bomb(tmp_path / "bomb.png", 30000)
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(ImageError, match="30,000 x 30,000 pixels.*limit of 200 megapixels"):
        load_rgb(bomb)


def test_a_jpeg_above_the_limit_decodes_at_reduced_scale(photos, tmp_path, monkeypatch):
    path = _write_jpeg(tmp_path / "big.jpg", cv2.resize(load_rgb(photos["coffee"]), (2400, 1600)))
    monkeypatch.setattr(images, "MAX_MEGAPIXELS", 1)
    assert load_rgb(path).shape == (800, 1200, 3)  # 1/2 scale: 0.96 MP fits
    png = tmp_path / "big.png"
    cv2.imwrite(str(png), np.zeros((1600, 2400, 3), np.uint8))
    with pytest.raises(ImageError, match="limit of 1 megapixels"):
        load_rgb(png)


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


@pytest.fixture(scope="module")
def unusual(photos, tmp_path_factory):
    """Valid but unusual files of the coffee photo: name -> path."""
    from PIL import Image

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
