"""Thumbnails of uploaded images, with Pillow: small, upright, and carrying nothing but pixels.

The camera's EXIF orientation is applied to the pixels (a phone photo shows the right way up)
and then dropped with every other piece of metadata (EXIF with its GPS position, ICC, XMP,
comments): the thumbnail is a fresh JPEG written from the pixels alone. Sources larger than
`MAX_SOURCE_PIXELS` (a decompression bomb) and bytes Pillow cannot read get no thumbnail.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from edtech.files.domain import THUMBNAIL_MAX_PIXELS

MAX_SOURCE_PIXELS = 50_000_000
"""Sources with more pixels are not decoded."""
QUALITY = 80


def make_thumbnail(data: bytes, max_side: int = THUMBNAIL_MAX_PIXELS) -> bytes | None:
    """A JPEG at most `max_side` pixels on its longer side, or None if the image cannot be
    read (or is too large to decode safely). CPU-bound: run it in a worker thread."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as source:
                if source.width * source.height > MAX_SOURCE_PIXELS:
                    return None
                source.draft("RGB", (max_side, max_side))  # JPEG: decode at a smaller scale
                image = ImageOps.exif_transpose(source)
                image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                image = _flattened(image)
                # A new image from the pixels alone: nothing of the source's metadata follows.
                clean = Image.new("RGB", image.size)
                clean.paste(image)
                out = io.BytesIO()
                clean.save(out, "JPEG", quality=QUALITY, optimize=True)
                return out.getvalue()
    except (
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return None


def _flattened(image: Image.Image) -> Image.Image:
    """RGB, transparent parts on white."""
    if image.mode == "RGB":
        return image
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background
