"""Small PNG previews of attached images, made with Pillow."""

from __future__ import annotations

import io
import logging
import warnings

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = (320, 320)
# Larger images are not decoded at all: a small file can claim a huge canvas (a
# "decompression bomb") and take the function's memory. 40 megapixels is more than
# any screen or phone camera gives.
MAX_PIXELS = 40_000_000


def make_thumbnail(data: bytes) -> bytes | None:
    """A PNG at most THUMBNAIL_SIZE showing the image in `data` (its first frame, turned
    upright), or None when it cannot or should not be decoded."""
    from PIL import Image, ImageOps  # On first use: most requests carry no image.

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return None
                image.draft("RGB", THUMBNAIL_SIZE)  # JPEG decodes at a smaller scale.
                picture = ImageOps.exif_transpose(image)
                picture.thumbnail(THUMBNAIL_SIZE)
                if picture.mode not in ("RGB", "RGBA", "L", "LA"):
                    picture = picture.convert("RGBA")
                out = io.BytesIO()
                picture.save(out, "PNG", optimize=True)
                return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        log.info("no thumbnail: the image could not be decoded", exc_info=True)
        return None
