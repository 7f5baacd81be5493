"""Images for the screenshot tests, made with Pillow (and by hand where Pillow would
refuse to write them): plain, with metadata, polyglots, bombs, truncated."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

SCRIPT = b"<script>alert(document.cookie)</script>"
HTML_TAIL = b"<!doctype html><html><body>" + SCRIPT + b"</body></html>"


def picture(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> Image.Image:
    """A small picture with a few shapes, so its pixels are not all alike."""
    image = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, size[0] // 2, size[1] // 2), fill="red")
    draw.ellipse((size[0] // 3, size[1] // 3, size[0] - 2, size[1] - 2), fill="blue")
    return image


def encoded(image: Image.Image, format: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **options)
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48)) -> bytes:
    return encoded(picture(size), "PNG")


def png_with_text_and_html_tail() -> bytes:
    """A PNG whose text chunks hold a script and which goes on as an HTML page after its
    end: a browser sniffing it, or a tool reading the chunks, finds the script."""
    info = PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    info.add_itxt("Description", "<svg onload=alert(1)>", lang="en")
    return encoded(picture(), "PNG", pnginfo=info) + HTML_TAIL


def jpeg_with_metadata() -> bytes:
    """A JPEG with EXIF (GPS, camera, orientation 6: turned 90°), an ICC profile and a
    comment holding a script."""
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    exif[0x010F] = "SpyCam Ltd"  # camera maker
    exif[0x8825] = {1: "N", 2: (45.0, 27.0, 50.0)}  # GPS latitude 45°27'50" N
    return encoded(
        picture((64, 48)), "JPEG", exif=exif.tobytes(), icc_profile=b"ICC-PROFILE-" * 20,
        comment=SCRIPT,
    )  # fmt: skip


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels (greyscale) with almost no data: what a
    decompression bomb looks like before decoding."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )  # fmt: skip


def real_bomb() -> bytes:
    """5000 x 5000 black pixels (25 million, over the limit) in a few kilobytes."""
    return encoded(Image.new("L", (5000, 5000)), "PNG", optimize=True)
