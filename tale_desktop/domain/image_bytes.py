"""Recognising image files from their bytes, in pure Python (no Qt, no Pillow): type, width and height.

Used to check what an image model sent before it is stored (a PNG, JPEG, WebP or GIF of a sane size), and to decode
``data:`` URLs. Blocking work for big images: call it from a worker thread.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
from dataclasses import dataclass

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_SIDE = 8192
MIN_SIDE = 16
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}
_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(?:;[^,;]*)*),", re.IGNORECASE)


class ImageDataError(ValueError):
    """The bytes are not an image we can store (wrong type, damaged header, absurd size)."""


@dataclass(frozen=True, slots=True)
class ImageInfo:
    mime: str
    width: int
    height: int

    @property
    def ext(self) -> str:
        return EXTENSIONS[self.mime]


def _png(data: bytes) -> tuple[int, int]:
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise ImageDataError("the PNG has no header chunk")
    return struct.unpack(">II", data[16:24])


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(data: bytes) -> tuple[int, int]:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ImageDataError("the JPEG is damaged (no marker where one should be)")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if marker in _SOF:
            if pos + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            return width, height
        if marker == 0xDA:  # start of scan before any frame header
            break
        pos += 2 + length
    raise ImageDataError("the JPEG has no frame header")


def _webp(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    raise ImageDataError("the WebP header is damaged")


def image_info(data: bytes) -> ImageInfo:
    """Type and size from the header; raises :class:`ImageDataError` for anything we would not store."""
    if not data:
        raise ImageDataError("the image is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageDataError(f"the image is too large ({len(data) // (1024 * 1024)} MiB)")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        mime, (width, height) = "image/png", _png(data)
    elif data.startswith(b"\xff\xd8\xff"):
        mime, (width, height) = "image/jpeg", _jpeg(data)
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        mime, (width, height) = "image/webp", _webp(data)
    elif data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        mime, (width, height) = "image/gif", struct.unpack("<HH", data[6:10])
    else:
        raise ImageDataError("the data is not a PNG, JPEG, WebP or GIF image")
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise ImageDataError(f"the image has an unusable size ({width}x{height})")
    return ImageInfo(mime, width, height)


# base64 of a picture (megabytes) holds the GIL for 10-20 ms in one call, which stalls the event loop even from a
# worker thread; in pieces of ~100 kB the interpreter can switch threads between them.
_ENCODE_STEP = 3 * 32 * 1024
_DECODE_STEP = 4 * 32 * 1024


def b64encode_pieces(data: bytes) -> bytes:
    return b"".join(base64.b64encode(data[i:i + _ENCODE_STEP]) for i in range(0, len(data), _ENCODE_STEP))


def b64decode_pieces(text: str) -> bytes:
    try:
        return b"".join(base64.b64decode(text[i:i + _DECODE_STEP], validate=True)
                        for i in range(0, len(text), _DECODE_STEP))
    except (binascii.Error, ValueError):  # line breaks or padding inside: decode the lenient way
        return base64.b64decode(text, validate=False)


def decode_data_url(url: str) -> bytes:
    """The bytes of a base64 ``data:`` URL; raises :class:`ImageDataError` otherwise."""
    match = _DATA_URL.match(url or "")
    if match is None or ";base64" not in (match.group("params") or "").lower():
        raise ImageDataError("the picture did not come as a base64 data URL")
    try:
        return b64decode_pieces(url[match.end():])
    except (binascii.Error, ValueError) as exc:
        raise ImageDataError("the picture's base64 data is damaged") from exc


def data_url_bytes(data: bytes, mime: str) -> bytes:
    return f"data:{mime};base64,".encode("ascii") + b64encode_pieces(data)


def data_url(data: bytes, mime: str) -> str:
    return data_url_bytes(data, mime).decode("ascii")
