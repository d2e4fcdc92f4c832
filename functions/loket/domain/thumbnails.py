"""Small PNG previews of attached images, made with Pillow.

Memory is the risk: a small file can claim a huge canvas (a "decompression bomb"), and
even an honest 8K screenshot decodes to over a hundred megabytes. So the memory that
decoding and shrinking will take is worked out from the header alone (Image.open decodes
nothing) and an image beyond MAX_DECODE_MEMORY gets no thumbnail. JPEG is decoded at
1/2, 1/4 or 1/8 scale when that is enough (`draft`), and the shrinking reduces by whole
factors first (`reducing_gap`), so the resampling works on a small copy.
bench/thumbnail_memory.py measures the peak memory of the worst accepted image in each
format (and checks the estimate below); serverless.yml sizes the function from it.
"""

from __future__ import annotations

import io
import logging
import warnings

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = (320, 320)
# The formats of domain.attachments.THUMBNAIL_TYPES, and no other: Pillow then loads
# only their plugins, and a file that claims to be a PNG but is, say, a TIFF or a PSD is
# never handed to another decoder.
FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
# The most memory one thumbnail may take, as decode_memory() counts it: 128 MiB holds a
# 33-megapixel RGB PNG (an 8K screenshot), a 16.7-megapixel RGBA PNG (a 5K one is 14.7),
# 134 megapixels of greyscale or palette, counted after JPEG's draft scaling (a
# 50-megapixel photo decodes at 1/8), or an 8.4-megapixel WebP.
MAX_DECODE_MEMORY = 128 * 1024 * 1024
# Pillow's own decompression-bomb check, on the header's claim: no image we decode can
# have more pixels than this (one byte a pixel at the cap). A JPEG that claims more is
# refused even though its draft would be smaller: no camera makes one.
MAX_PIXELS = MAX_DECODE_MEMORY
ALPHA_MODES = frozenset({"LA", "PA", "RGBA"})
# Shrink by a whole factor (cheap, no big intermediate copy) until the image is at
# most this many times the thumbnail, then resample: Pillow's thumbnail default, said
# here because the memory figures depend on it.
REDUCING_GAP = 2.0


def bytes_per_pixel(mode: str) -> int:
    """What Pillow stores a pixel of `mode` in: one byte for bilevel, greyscale and
    palette images, two for 16-bit greyscale, else four (RGB takes four bytes too, a
    pad byte per pixel, which is why bands alone would underestimate it)."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def decoded_bytes(size: tuple[int, int], mode: str) -> int:
    """The pixel buffer Pillow allocates to decode an image of this size and mode."""
    width, height = size
    return width * height * bytes_per_pixel(mode)


def decode_memory(size: tuple[int, int], mode: str, image_format: str | None) -> int:
    """The peak memory of a thumbnail, as bench/thumbnail_memory.py measures it: the
    decoded pixels, twice when they have alpha (Pillow resamples a premultiplied copy);
    four times for WebP, with or without alpha (libwebp decodes RGBA into a buffer of
    its own, Pillow copies it, and resamples a premultiplied copy or converts it)."""
    if image_format == "WEBP":
        copies = 4
    else:
        copies = 2 if mode in ALPHA_MODES else 1
    return decoded_bytes(size, mode) * copies


def make_thumbnail(data: bytes) -> bytes | None:
    """A PNG at most THUMBNAIL_SIZE showing the image in `data` (its first frame, turned
    upright), or None when it cannot or should not be decoded."""
    Image, ImageOps = _pillow()  # On first use: most requests carry no image.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                return _shrink(image, ImageOps)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        log.info("no thumbnail: the image could not be decoded", exc_info=True)
        return None


def _shrink(image, ImageOps) -> bytes | None:
    # Only the header has been read: size and mode are what decoding would allocate.
    image.draft("RGB", THUMBNAIL_SIZE)  # JPEG only: decode at a smaller scale.
    needed = decode_memory(image.size, image.mode, image.format)
    if needed > MAX_DECODE_MEMORY:
        log.info("no thumbnail: a %s %s %s image would take %d MB to shrink",
                 image.size, image.mode, image.format, needed // 1_000_000)
        return None
    image.thumbnail(THUMBNAIL_SIZE, reducing_gap=REDUCING_GAP)
    # Turned upright after shrinking: exif_transpose copies the image it turns.
    picture = ImageOps.exif_transpose(image)
    if picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA")
    out = io.BytesIO()
    picture.save(out, "PNG", optimize=True)
    return out.getvalue()


def _pillow():
    """Pillow with only the plugins of FORMATS, and its bomb limit set to ours."""
    from PIL import (GifImagePlugin, Image, ImageOps, JpegImagePlugin,  # noqa: F401
                     PngImagePlugin, WebPImagePlugin)

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    return Image, ImageOps
