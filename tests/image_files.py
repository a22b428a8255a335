"""Image files made for the tests: phone JPEGs with EXIF, and a PNG decompression bomb."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np


def write_jpeg(path: Path, rgb: np.ndarray, orientation: int | None = None) -> Path:
    """``rgb`` saved as a JPEG at quality 92, with an EXIF orientation tag when given."""
    from PIL import Image

    image = Image.fromarray(rgb)
    if orientation is None:
        image.save(path, quality=92)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        image.save(path, quality=92, exif=exif)
    return path


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
