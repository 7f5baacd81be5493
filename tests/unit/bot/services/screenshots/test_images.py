"""What a screenshot may be, and what is kept of it (bot/services/screenshots/images.py):
PNG and JPEG by their bytes, decoded whole, re-encoded so only pixels remain."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.services.screenshots.images import (
    MAX_BYTES,
    ImageRefused,
    Kind,
    Refusal,
    clean_image,
)
from tests.unit.bot.services.screenshots.images import (
    SCRIPT,
    encoded,
    jpeg_with_metadata,
    picture,
    png,
    png_header_only,
    png_with_text_and_html_tail,
    real_bomb,
)


def refusal(data: bytes) -> Refusal:
    with pytest.raises(ImageRefused) as refused:
        clean_image(data)
    return refused.value.refusal


def test_a_png_comes_back_a_png_with_the_same_pixels() -> None:
    clean = clean_image(png())
    assert clean.kind is Kind.PNG and (clean.width, clean.height) == (64, 48)
    with Image.open(io.BytesIO(clean.data)) as shown:
        assert shown.format == "PNG"
        assert shown.convert("RGB").tobytes() == picture().tobytes()


def test_a_png_keeps_its_transparency() -> None:
    image = picture(mode="RGBA")
    image.putpixel((0, 0), (0, 0, 0, 0))
    with Image.open(io.BytesIO(clean_image(encoded(image, "PNG")).data)) as shown:
        assert shown.mode == "RGBA" and shown.getpixel((0, 0))[3] == 0


def test_a_polyglot_png_loses_its_text_chunks_and_the_html_after_its_end() -> None:
    data = png_with_text_and_html_tail()
    assert SCRIPT in data and b"<html>" in data
    clean = clean_image(data).data
    assert b"<script" not in clean and b"<svg" not in clean and b"<html" not in clean
    assert b"tEXt" not in clean and b"iTXt" not in clean
    assert clean.endswith(b"IEND\xaeB`\x82")  # nothing after the image's last chunk
    with Image.open(io.BytesIO(clean)) as shown:
        assert shown.convert("RGB").tobytes() == picture().tobytes()


def test_a_jpeg_loses_exif_gps_icc_and_comments_and_is_turned_upright() -> None:
    data = jpeg_with_metadata()
    assert b"SpyCam" in data and SCRIPT in data and b"ICC-PROFILE" in data
    clean = clean_image(data)
    assert clean.kind is Kind.JPEG
    for trace in (b"Exif", b"SpyCam", b"ICC", SCRIPT, b"<script"):
        assert trace not in clean.data
    assert (clean.width, clean.height) == (48, 64)  # orientation 6 applied, then dropped
    with Image.open(io.BytesIO(clean.data)) as shown:
        assert shown.format == "JPEG" and not shown.getexif() and "icc_profile" not in shown.info


@pytest.mark.parametrize(
    "data",
    [
        encoded(picture(), "GIF"),
        encoded(picture(), "BMP"),
        encoded(picture(), "TIFF"),
        b"<!doctype html><html><body><script>alert(1)</script></body></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n",
        b"PK\x03\x04" + b"\x00" * 64,
        b"GIF89a" + png(),  # an image's bytes behind another format's magic
        b"",
    ],
    ids=["gif", "bmp", "tiff", "html", "svg", "pdf", "zip", "png-behind-gif-magic", "empty"],
)
def test_anything_but_png_or_jpeg_by_its_bytes_is_not_an_image(data: bytes) -> None:
    assert refusal(data) is Refusal.NOT_AN_IMAGE


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",
        b"\xff\xd8\xff<html><script>alert(1)</script></html>",
        png()[:-40],  # cut before its end
        png()[:60],
        encoded(picture(), "JPEG")[:200],
    ],
    ids=[
        "html-with-png-magic",
        "html-with-jpeg-magic",
        "png-truncated",
        "png-header",
        "jpeg-truncated",
    ],
)
def test_magic_bytes_without_a_whole_image_are_unreadable(data: bytes) -> None:
    assert refusal(data) is Refusal.UNREADABLE


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    bomb = real_bomb()
    assert len(bomb) < 100_000  # 25 million pixels in a few kilobytes
    assert refusal(bomb) is Refusal.TOO_MANY_PIXELS
    # headers claiming more pixels than anyone could decode: refused from the header
    assert refusal(png_header_only(4097, 4096)) is Refusal.TOO_MANY_PIXELS
    assert refusal(png_header_only(100_000, 100_000)) is Refusal.TOO_MANY_PIXELS


def test_more_than_max_bytes_is_too_large_whatever_it_is() -> None:
    assert refusal(png() + b"\x00" * MAX_BYTES) is Refusal.TOO_LARGE
