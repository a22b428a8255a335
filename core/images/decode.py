"""The one image decoder: any path, any format OpenCV reads, as RGB uint8.

Bad files become :class:`ImageError` with a sentence a person can act on;
callers turn that into one failed row, never a crash.
"""
from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Iterable

import cv2
import numpy as np

from core.base import faults
from core.images.header import image_size, is_jpeg

IMAGE_EXTENSIONS = {
    ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp",
    ".ppm", ".pgm", ".pbm", ".jp2", ".avif",
}
# Crop fraction used by the ImageNet evaluations of these backbones.
CROP_FRACTION = 224 / 256
# A crop fraction meaning "no crop": the whole image squashed to a square (fit_square).
WHOLE_IMAGE = 0.0
# The largest image decoded, in megapixels: far above any camera's (a 200 MP
# phone sensor is the largest sold), far below what would exhaust memory
# (200 MP is 600 MB of RGB). A larger JPEG is decoded at a reduced scale.
MAX_MEGAPIXELS = 200
# The shorter side an image is decoded to for showing it (a JPEG at reduced
# scale down to this): sharp on a full-HD screen, a quarter of a 12 MP decode.
DISPLAY_SHORT_SIDE = 1080
# OpenCV's flags for a colour decode at 1/factor scale (JPEG only).
_DECODE_FLAGS = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2,
                 4: cv2.IMREAD_REDUCED_COLOR_4, 8: cv2.IMREAD_REDUCED_COLOR_8}


class ImageError(faults.UserFault):
    """An image could not be read. ``str(error)`` is the user's sentence."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{Path(path).name}: {reason}")


def is_image_file(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_EXTENSIONS


def load_rgb(path, at_least: int | None = None, budget: "PixelBudget | None" = None
             ) -> np.ndarray:
    """Decode ``path`` into an (H, W, 3) RGB uint8 array.

    EXIF orientation is applied; grey, 16-bit, palette, CMYK and alpha images
    become 8-bit RGB; an animated GIF or a multi-page TIFF gives its first
    frame. With ``at_least``, a JPEG is decoded at 1/2, 1/4 or 1/8 scale in
    the decoder itself (libjpeg's DCT scaling) as long as its shorter side
    stays at or above ``at_least`` pixels: a 12 MP photo for a 224 px model
    costs a fraction of a full decode. The size is read from the header
    first: an image above :data:`MAX_MEGAPIXELS` is refused before any pixel
    is allocated (a JPEG is decoded at the reduced scale that fits, when one
    does). With a ``budget``, the decode waits until its pixels fit in it.
    Raises :class:`ImageError` for missing, empty, undecodable or too large
    files.
    """
    path = Path(path)
    data = _read_bytes(path)
    factor, pixels = _reduction(path, data, at_least)
    with budget.hold(pixels) if budget else contextlib.nullcontext():
        try:
            bgr = cv2.imdecode(data, _DECODE_FLAGS[factor])
        except cv2.error:  # OpenCV refuses some malformed headers by raising
            bgr = None
        if bgr is None:
            raise ImageError(path, "not an image this app can read (corrupt or unknown format)")
        return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB, dst=bgr)  # in place: no second copy


class PixelBudget:
    """At most ``megapixels`` of images being decoded at once, across threads.

    An image larger than the whole budget waits until it is decoded alone,
    so a pool of decoders holds at most about one large image in memory.
    """

    def __init__(self, megapixels: float = MAX_MEGAPIXELS):
        self.limit = megapixels * 1_000_000
        self.used = 0
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def hold(self, pixels: int):
        with self._changed:
            self._changed.wait_for(lambda: self.used == 0 or self.used + pixels <= self.limit)
            self.used += pixels
        try:
            yield
        finally:
            with self._changed:
                self.used -= pixels
                self._changed.notify_all()


def _read_bytes(path: Path) -> np.ndarray:
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
    return data


def _reduction(path: Path, data: np.ndarray, at_least: int | None) -> tuple[int, int]:
    """(factor, pixels): decode ``data`` at scale 1/factor (1: full size) into
    that many pixels (0: unknown), or ImageError when the header promises more
    pixels than :data:`MAX_MEGAPIXELS`."""
    size = image_size(data)
    if size is None:
        return 1, 0
    width, height = size
    limit = MAX_MEGAPIXELS * 1_000_000
    # libjpeg rounds scaled sizes up; only JPEGs scale while decoding.
    scaled = {f: (-(-width // f), -(-height // f)) for f in (8, 4, 2)} if is_jpeg(data) else {}
    fitting = [f for f, (w, h) in scaled.items() if w * h <= limit]
    for factor in fitting:  # the most reduced first
        if at_least and min(scaled[factor]) >= at_least:
            return factor, scaled[factor][0] * scaled[factor][1]
    if width * height > limit and fitting:
        factor = fitting[-1]  # the least reduced that fits the limit
        return factor, scaled[factor][0] * scaled[factor][1]
    if width * height > limit:
        raise ImageError(path, f"the image is {width:,} x {height:,} pixels "
                               f"({width * height / 1e6:,.0f} megapixels), above this app's "
                               f"limit of {MAX_MEGAPIXELS} megapixels; shrink it first")
    return 1, width * height


def fit_square(rgb: np.ndarray, size: int, crop: bool = True,
               fraction: float = CROP_FRACTION) -> np.ndarray:
    """Resize to ``size`` x ``size`` the way the model was evaluated.

    With ``crop`` the shorter side goes to ``size / fraction`` and the centre
    is cut out (``fraction`` 1: the largest centre square, as Teachable
    Machine does); without it, or with ``fraction`` :data:`WHOLE_IMAGE`, the
    whole image is stretched.
    """
    if not crop or fraction <= WHOLE_IMAGE:
        return _resize(rgb, size, size)
    h, w = rgb.shape[:2]
    short = short_side_for(size, fraction)
    scale = short / min(h, w)
    nh, nw = max(size, round(h * scale)), max(size, round(w * scale))
    resized = _resize(rgb, nw, nh)
    top, left = (nh - size) // 2, (nw - size) // 2
    return np.ascontiguousarray(resized[top:top + size, left:left + size])


def _resize(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    shrinking = width < rgb.shape[1] or height < rgb.shape[0]
    interp = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(rgb, (width, height), interpolation=interp)


def load_for_model(path, size: int, budget: PixelBudget | None = None,
                   fraction: float = CROP_FRACTION) -> np.ndarray:
    """Decode and fit one file: (size, size, 3) uint8, or ImageError.

    A JPEG is decoded at the smallest scale that still covers the shorter
    side :func:`fit_square` resizes to, so the result matches a full decode
    to within resampling noise.
    """
    return fit_square(load_rgb(path, short_side_for(size, fraction), budget), size,
                      fraction=fraction)


def crop_words(fraction: float) -> str:
    """What of an image a model sees at crop ``fraction`` (:func:`fit_square`), in words."""
    if fraction <= WHOLE_IMAGE:
        return "the whole image squashed to a square"
    return "the largest centre square" if fraction >= 1 else f"the centre {fraction:.1%}"


def short_side_for(size: int, fraction: float = CROP_FRACTION) -> int:
    """The shorter side, in pixels, :func:`fit_square` resizes to for ``size``."""
    return size if fraction <= WHOLE_IMAGE else max(1, round(size / fraction))


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
