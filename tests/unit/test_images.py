"""The decoder on real photos, without a model: reduced JPEG decode, EXIF, headers, bombs."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from core.images import decode as images
from core.images.decode import ImageError, find_images, load_rgb
from core.images.header import image_size
from tests.image_files import png_bomb, write_jpeg

PHONE = (4000, 3000)  # a 12 MP phone photo


def test_reduced_decode_applies_exif_orientation(photos, tmp_path):
    rgb = cv2.resize(load_rgb(photos["astronaut"]), PHONE)
    upright = write_jpeg(tmp_path / "upright.jpg", rgb)
    turned = write_jpeg(tmp_path / "turned.jpg", rgb, orientation=6)  # "rotate 90° clockwise"
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
    path = write_jpeg(tmp_path / "big.jpg", cv2.resize(load_rgb(photos["coffee"]), (2400, 1600)))
    monkeypatch.setattr(images, "MAX_MEGAPIXELS", 1)
    assert load_rgb(path).shape == (800, 1200, 3)  # 1/2 scale: 0.96 MP fits
    png = tmp_path / "big.png"
    cv2.imwrite(str(png), np.zeros((1600, 2400, 3), np.uint8))
    with pytest.raises(ImageError, match="limit of 1 megapixels"):
        load_rgb(png)


def test_find_images_takes_folders_and_files_and_upper_case_extensions(unusual, tmp_path):
    (tmp_path / "notes.txt").write_text("not an image")
    single = write_jpeg(tmp_path / "SINGLE.JPEG", np.zeros((8, 8, 3), np.uint8))
    found = find_images([unusual["UPPER.JPG"].parent, single])
    assert set(found) == {*unusual.values(), single}


def test_pnm_and_progressive_jpeg_headers_give_the_decoded_size(photos, tmp_path):
    from PIL import Image

    rgb = cv2.resize(load_rgb(photos["chelsea"]), (457, 301))  # odd sides, width != height
    files = [tmp_path / "photo.ppm", tmp_path / "grey.pgm", tmp_path / "progressive.jpg"]
    cv2.imwrite(str(files[0]), rgb[..., ::-1])
    cv2.imwrite(str(files[1]), rgb[..., 0])
    Image.fromarray(rgb).save(files[2], quality=90, progressive=True)
    for path in files:
        assert image_size(np.fromfile(path, np.uint8)) == (457, 301), path.name
        assert load_rgb(path).shape == (301, 457, 3), path.name


def test_a_header_cut_short_or_unknown_gives_no_size(unusual):
    for name, path in unusual.items():
        assert image_size(path.read_bytes()[:8]) is None, name
    assert image_size(b"not an image at all, just some words") is None
    assert image_size(b"") is None
