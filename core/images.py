"""The one image decoder: any path, any format OpenCV reads, as RGB uint8.

Bad files become :class:`ImageError` with a sentence a person can act on;
callers turn that into one failed row, never a crash.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import cv2
import numpy as np

IMAGE_EXTENSIONS = {
    ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp",
    ".ppm", ".pgm", ".pbm", ".jp2", ".avif",
}
# Crop fraction used by the ImageNet evaluations of these backbones.
CROP_FRACTION = 224 / 256


class ImageError(Exception):
    """An image could not be read. ``str(error)`` is the user's sentence."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{Path(path).name}: {reason}")


def is_image_file(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_EXTENSIONS


def load_rgb(path) -> np.ndarray:
    """Decode ``path`` into an (H, W, 3) RGB uint8 array.

    EXIF orientation is applied; grey, 16-bit and alpha images become 8-bit
    RGB. Raises :class:`ImageError` for missing, empty or undecodable files.
    """
    path = Path(path)
    try:
        # np.fromfile + imdecode reads non-ASCII paths that imread cannot.
        data = np.fromfile(str(path), dtype=np.uint8)
    except FileNotFoundError:
        raise ImageError(path, "the file does not exist") from None
    except IsADirectoryError:
        raise ImageError(path, "this is a folder, not an image") from None
    except OSError as exc:
        raise ImageError(path, f"the file could not be read ({exc.strerror})") from None
    if data.size == 0:
        raise ImageError(path, "the file is empty")
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if bgr is None:
        raise ImageError(path, "not an image this app can read (corrupt or unknown format)")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def fit_square(rgb: np.ndarray, size: int, crop: bool = True) -> np.ndarray:
    """Resize to ``size`` x ``size`` the way the backbones were evaluated.

    With ``crop`` the shorter side goes to ``size / CROP_FRACTION`` and the
    centre is cut out; without it the whole image is stretched.
    """
    if not crop:
        return _resize(rgb, size, size)
    h, w = rgb.shape[:2]
    short = max(1, round(size / CROP_FRACTION))
    scale = short / min(h, w)
    nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
    resized = _resize(rgb, nw, nh)
    top, left = (nh - size) // 2, (nw - size) // 2
    return np.ascontiguousarray(resized[top:top + size, left:left + size])


def _resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    shrinking = width < rgb.shape[1] or height < rgb.shape[0]
    interp = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(rgb, (width, height), interpolation=interp)


def load_for_model(path, size: int) -> np.ndarray:
    """Decode and fit one file: (size, size, 3) uint8, or ImageError."""
    return fit_square(load_rgb(path), size)


def find_images(paths: Iterable, recursive: bool = True) -> list[Path]:
    """Expand files and folders into image files, sorted, folders recursed.

    Files named explicitly are kept whatever their extension (so that a bad
    file the user asked for gets its own error row); files found inside
    folders are kept only if their extension looks like an image.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            pattern = "**/*" if recursive else "*"
            found.extend(sorted(p for p in path.glob(pattern) if p.is_file() and is_image_file(p)))
        else:
            found.append(path)
    return found
