"""Thumbnails (Pillow, no I/O): upright, capped, nothing but pixels; unreadable or too large
images get none."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from edtech.files.infrastructure import thumbnails
from edtech.files.infrastructure.thumbnails import make_thumbnail
from tests.images import photo


def opened(data: bytes | None) -> Image.Image:
    assert data is not None
    return Image.open(io.BytesIO(data))


def test_a_phone_photo_is_turned_upright_and_loses_its_metadata() -> None:
    thumb = opened(make_thumbnail(photo(1200, 600, orientation=8)))  # 90° the other way
    assert thumb.format == "JPEG"
    assert thumb.size == (160, 320)
    assert dict(thumb.getexif()) == {}
    assert "icc_profile" not in thumb.info
    # orientation 8: the original's left half (red) ends at the bottom
    bottom = thumb.convert("RGB").getpixel((80, 300))
    assert isinstance(bottom, tuple)
    assert bottom[0] > 200
    assert bottom[2] < 60


def test_a_small_image_is_not_enlarged() -> None:
    assert opened(make_thumbnail(photo(100, 50))).size == (100, 50)


def test_transparency_is_flattened_on_white() -> None:
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    pixel = opened(make_thumbnail(out.getvalue())).convert("RGB").getpixel((20, 20))
    assert isinstance(pixel, tuple)
    assert min(pixel) > 240


def test_bytes_that_are_no_image_get_no_thumbnail() -> None:
    assert make_thumbnail(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64) is None
    assert make_thumbnail(b"\xff\xd8\xff" + b"garbage" * 10) is None


def test_an_image_too_large_to_decode_safely_gets_no_thumbnail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(thumbnails, "MAX_SOURCE_PIXELS", 100 * 100)
    assert make_thumbnail(photo(200, 100)) is None
    assert make_thumbnail(photo(100, 100)) is not None
