"""Invoice line descriptions from names: unchanged when they fit, names shortened when not."""

from __future__ import annotations

import pytest

from edtech.billing.domain.descriptions import DESCRIPTION_MAX_LENGTH, describe


def test_a_description_that_fits_is_unchanged() -> None:
    assert describe("{} ({})", "Tuition", "Tuition and fees") == "Tuition (Tuition and fees)"
    exact = describe("{} — {}", "g" * 150, "i" * 147)
    assert exact == "g" * 150 + " — " + "i" * 147
    assert len(exact) == DESCRIPTION_MAX_LENGTH


def test_two_long_names_are_each_shortened_to_the_same_length() -> None:
    assert describe("{} ({})", "a" * 200, "b" * 200) == "a" * 147 + "… (" + "b" * 147 + "…)"


def test_a_short_name_is_kept_whole_and_the_long_one_takes_the_rest() -> None:
    text = describe("{} — {}", "Sibling discount", "i" * 400)
    assert text == "Sibling discount — " + "i" * 280 + "…"
    assert len(text) == DESCRIPTION_MAX_LENGTH


def test_a_cut_never_leaves_a_space_before_the_ellipsis() -> None:
    assert describe("{} ({})", "word " * 10, "x", limit=15) == "word word… (x)"


@pytest.mark.parametrize("lengths", [(0, 500), (1, 299), (150, 150), (299, 299), (30, 280)])
def test_every_description_fits_and_keeps_each_names_beginning(lengths: tuple[int, int]) -> None:
    first, second = "F" * lengths[0], "S" * lengths[1]
    text = describe("{} ({})", first, second)
    assert len(text) <= DESCRIPTION_MAX_LENGTH
    assert text.startswith(first[:100])
    assert f" ({second[:100]}" in text


def test_a_template_that_leaves_no_room_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no room"):
        describe("{} ({})", "a", "b", limit=4)
