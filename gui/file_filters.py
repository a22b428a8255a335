"""File dialogs' name filters, built from what core opens (one list of image suffixes)."""
from __future__ import annotations

from core.images.decode import IMAGE_EXTENSIONS

IMAGE_FILTER = "Images ({});;All files (*)".format(
    " ".join(f"*{e}" for e in sorted(IMAGE_EXTENSIONS)))
