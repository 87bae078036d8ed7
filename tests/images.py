"""Test images made with Pillow: a photo as a phone takes it (EXIF orientation, a GPS
position, an ICC profile)."""

from __future__ import annotations

import io

from PIL import Image, ImageCms


def photo(width: int, height: int, *, orientation: int = 1) -> bytes:
    """A JPEG whose left half is red and right half blue, with EXIF (orientation, camera,
    GPS) and an sRGB ICC profile."""
    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, icc_profile=icc, quality=90)
    return out.getvalue()
