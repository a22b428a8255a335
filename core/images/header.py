"""An image's size read from its header, before any pixel is decoded.

Knowing the size first lets the decoder refuse a decompression bomb (a
small file whose header promises billions of pixels) and pick a reduced
JPEG decode. Covers JPEG, PNG, GIF, BMP, WebP, TIFF and PNM; anything else
returns None and is decoded as it is.
"""
from __future__ import annotations

import struct

# SOF markers that carry the frame size (not DHT C4, JPG C8 or DAC CC).
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_READERS = []


def is_jpeg(data) -> bool:
    return bytes(data[:3]) == b"\xff\xd8\xff"


def image_size(data) -> tuple[int, int] | None:
    """(width, height) from the header of the encoded bytes ``data``, or None
    when the format is not one of those above or the header is cut short."""
    head = memoryview(data).cast("B") if not isinstance(data, bytes) else memoryview(data)
    for reader in _READERS:
        try:
            size = reader(head)
        except (struct.error, IndexError, ValueError):
            return None
        if size is not None:
            return size
    return None


def _reader(function):
    _READERS.append(function)
    return function


@_reader
def _jpeg(data):
    if not is_jpeg(data):
        return None
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            at += 2
            continue
        length = struct.unpack_from(">H", data, at + 2)[0]
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack_from(">HH", data, at + 5)
            return width, height
        at += 2 + length
    return None


@_reader
def _png(data):
    if bytes(data[:8]) != b"\x89PNG\r\n\x1a\n" or bytes(data[12:16]) != b"IHDR":
        return None
    return struct.unpack_from(">II", data, 16)


@_reader
def _gif(data):
    if bytes(data[:6]) not in (b"GIF87a", b"GIF89a"):
        return None
    return struct.unpack_from("<HH", data, 6)


@_reader
def _bmp(data):
    if bytes(data[:2]) != b"BM":
        return None
    header = struct.unpack_from("<I", data, 14)[0]
    if header == 12:  # OS/2 BITMAPCOREHEADER
        return struct.unpack_from("<HH", data, 18)
    width, height = struct.unpack_from("<ii", data, 18)
    return abs(width), abs(height)


@_reader
def _webp(data):
    if bytes(data[:4]) != b"RIFF" or bytes(data[8:12]) != b"WEBP":
        return None
    chunk = bytes(data[12:16])
    if chunk == b"VP8X":
        width = int.from_bytes(bytes(data[24:27]), "little") + 1
        height = int.from_bytes(bytes(data[27:30]), "little") + 1
        return width, height
    if chunk == b"VP8L":
        bits = struct.unpack_from("<I", data, 21)[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    return None


@_reader
def _tiff(data):
    order = bytes(data[:4])
    if order not in (b"II*\x00", b"MM\x00*"):
        return None
    end = "<" if order.startswith(b"II") else ">"
    ifd = struct.unpack_from(end + "I", data, 4)[0]
    count = struct.unpack_from(end + "H", data, ifd)[0]
    found = {}
    for n in range(count):
        tag, kind = struct.unpack_from(end + "HH", data, ifd + 2 + 12 * n)
        if tag in (256, 257):  # ImageWidth, ImageLength: SHORT or LONG
            fmt = "H" if kind == 3 else "I"
            found[tag] = struct.unpack_from(end + fmt, data, ifd + 2 + 12 * n + 8)[0]
    return (found[256], found[257]) if len(found) == 2 else None


@_reader
def _pnm(data):
    if len(data) < 3 or data[0] != ord("P") or chr(data[1]) not in "123456":
        return None
    words, word, at = [], b"", 2
    while len(words) < 2 and at < min(len(data), 1024):
        char = bytes(data[at:at + 1])
        if char == b"#":  # a comment runs to the end of the line
            while at < len(data) and data[at] not in (10, 13):
                at += 1
        elif char.isspace():
            if word:
                words.append(int(word))
                word = b""
        else:
            word += char
        at += 1
    return (words[0], words[1]) if len(words) == 2 else None
