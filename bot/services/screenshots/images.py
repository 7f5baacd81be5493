"""What a screenshot may be, and its re-encoding: only pixels come out.

The customer's browser says nothing we believe (no file name, no media type): the
bytes must start as a PNG or a JPEG does, Pillow must decode them whole as that same
format, and the picture must have at most MAX_PIXELS (a few kilobytes of PNG can
inflate to gigabytes: the size is read from the header and checked before any
decoding). What is kept is a new image drawn from the decoded pixels, turned
upright as its EXIF said, and saved without any metadata: EXIF (GPS, camera), ICC
profiles, PNG text chunks, JPEG comments and whatever followed the image's end
(the HTML or script of a polyglot) are gone.
"""

from __future__ import annotations

import enum
import io
from dataclasses import dataclass

from PIL import Image, ImageOps

MAX_BYTES = 5 * 1024 * 1024  # what a customer may send (the widget says so before sending)
MAX_PIXELS = 4096 * 4096  # a 5K screen is 14.7 million; decoding this many takes 64 MB (RGBA)
JPEG_QUALITY = 90


class Kind(enum.Enum):
    PNG = ("PNG", b"\x89PNG\r\n\x1a\n", "image/png", "png")
    JPEG = ("JPEG", b"\xff\xd8\xff", "image/jpeg", "jpg")

    def __init__(self, pillow: str, magic: bytes, media_type: str, extension: str) -> None:
        self.pillow = pillow
        self.magic = magic
        self.media_type = media_type
        self.extension = extension


class Refusal(str, enum.Enum):
    """Why an upload was refused (the widget shows a message for each)."""

    TOO_LARGE = "too_large"
    NOT_AN_IMAGE = "not_an_image"
    TOO_MANY_PIXELS = "too_many_pixels"
    UNREADABLE = "unreadable"


class ImageRefused(ValueError):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    kind: Kind
    width: int
    height: int


def kind_of(data: bytes) -> Kind | None:
    """PNG or JPEG by the first bytes, whatever the file was called."""
    return next((kind for kind in Kind if data.startswith(kind.magic)), None)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )


def _opened(data: bytes, kind: Kind) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=[kind.pillow])
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours
        raise ImageRefused(Refusal.TOO_MANY_PIXELS) from None
    except Exception:  # a hostile file may trip any error of a decoder: it is unreadable
        raise ImageRefused(Refusal.UNREADABLE) from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise ImageRefused(Refusal.TOO_MANY_PIXELS)
    return image


def clean_image(data: bytes) -> CleanImage:
    """The screenshot re-encoded as the same format, or ImageRefused. CPU-bound (a
    large image takes a fraction of a second): call it in a worker thread."""
    if len(data) > MAX_BYTES:
        raise ImageRefused(Refusal.TOO_LARGE)
    kind = kind_of(data)
    if kind is None:
        raise ImageRefused(Refusal.NOT_AN_IMAGE)
    image = _opened(data, kind)
    try:
        image.load()  # the whole image: a truncated or corrupt one fails here
        upright = ImageOps.exif_transpose(image) or image
        mode = "RGBA" if kind is Kind.PNG and _has_alpha(upright) else "RGB"
        pixels = upright.convert(mode)
    except Image.DecompressionBombError:
        raise ImageRefused(Refusal.TOO_MANY_PIXELS) from None
    except Exception:  # as above: truncated, corrupt, a mode with no RGB form
        raise ImageRefused(Refusal.UNREADABLE) from None
    finally:
        image.close()
    pixels.info = {}  # nothing of the original's metadata reaches the encoder
    out = io.BytesIO()
    if kind is Kind.PNG:
        pixels.save(out, format="PNG")
    else:
        pixels.save(out, format="JPEG", quality=JPEG_QUALITY)
    return CleanImage(out.getvalue(), kind, pixels.width, pixels.height)
