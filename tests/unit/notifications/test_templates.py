"""The notification texts: every kind in every shipped language, dates and amounts written the
reader's way, and the language chosen by the person, else the school's locale."""

from __future__ import annotations

from datetime import date

import pytest

from edtech.kernel.errors import InvalidError
from edtech.notifications.domain import Category, Channel, Preferences, choose
from edtech.notifications.domain.templates import (
    LANGUAGES,
    TEMPLATES,
    Amount,
    fields_of,
    language_of,
    long_date,
    money,
    render,
)

VALUES: dict[str, object] = {
    "child": "Sam Lee", "school": "Riverside", "day": date(2026, 12, 4), "minutes": 7,
    "assessment": "Essay 1", "sender": "Ms Park", "snippet": "Hello", "count": 3,
    "number": "INV-1", "amount": Amount(123450, "EUR"), "due": date(2026, 12, 4),
    "reminder": 2, "receipt": "R-1",
}  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(TEMPLATES["en"]))
def test_every_kind_renders_in_every_language_with_the_same_fields(
    kind: str, language: str
) -> None:
    assert set(TEMPLATES[language]) == set(TEMPLATES["en"])
    title, body = render(kind, language, VALUES)
    assert title
    assert body
    assert "{" not in title + body
    assert fields_of(kind) <= set(VALUES)


def test_spanish_differs_from_english() -> None:
    assert render("absence", "es", VALUES) == (
        "Sam Lee: ausente hoy",
        "Sam Lee fue marcado ausente el viernes 4 de diciembre. — Riverside",
    )
    assert render("absence", "en", VALUES)[1] == (
        "Sam Lee was marked absent on Friday 4 December. — Riverside"
    )


@pytest.mark.parametrize(
    ("minor", "currency", "en", "es"),
    [
        (123450, "USD", "USD 1,234.50", "1.234,50 USD"),
        (5, "EUR", "EUR 0.05", "0,05 EUR"),
        (1500, "JPY", "JPY 1,500", "1.500 JPY"),
        (1234, "KWD", "KWD 1.234", "1,234 KWD"),
        (-250, "USD", "USD -2.50", "-2,50 USD"),
    ],
)
def test_amounts_are_written_the_readers_way(minor: int, currency: str, en: str, es: str) -> None:
    assert money(Amount(minor, currency), "en") == en
    assert money(Amount(minor, currency), "es") == es


def test_dates_are_written_the_readers_way() -> None:
    assert long_date(date(2027, 1, 31), "en") == "Sunday 31 January"
    assert long_date(date(2027, 1, 31), "es") == "domingo 31 de enero"


@pytest.mark.parametrize(
    ("chosen", "locale", "expected"),
    [
        ("es", "en-US", "es"),
        (None, "es-MX", "es"),
        (None, "es_AR", "es"),
        (None, "de-DE", "en"),
        ("fr", "es-ES", "es"),
        (None, None, "en"),
    ],
)
def test_the_persons_language_then_the_schools_then_english(
    chosen: str | None, locale: str | None, expected: str
) -> None:
    assert language_of(chosen, locale) == expected


def test_an_institutions_mandatory_set_decides_what_cannot_be_switched_off() -> None:
    mandatory = frozenset({Category.BILLING})
    off = {(Category.BILLING, Channel.EMAIL): False}
    with pytest.raises(InvalidError):
        choose(off, None, None, mandatory)
    prefs = choose({(Category.ABSENCE, Channel.EMAIL): False}, None, None, mandatory)
    assert not prefs.enabled(Category.ABSENCE, Channel.EMAIL, mandatory)
    stored = Preferences(dict(off))
    assert not stored.enabled(Category.BILLING, Channel.EMAIL)
    assert stored.enabled(Category.BILLING, Channel.EMAIL, mandatory)
    assert not stored.enabled(Category.BILLING, Channel.SMS, mandatory)


def test_the_html_part_says_what_the_text_says_escaped_with_its_paragraphs() -> None:
    from edtech.notifications.domain.templates import email_html

    page = email_html(
        "Ana <b>was</b> absent",
        "Line one & more\nline two\n\nA second paragraph",
        "https://school.example/app/notifications/1?a=1&b=2",
    )
    assert "<b>was</b>" not in page
    assert "Ana &lt;b&gt;was&lt;/b&gt; absent" in page
    assert "Line one &amp; more<br>line two</p>" in page
    assert ">A second paragraph</p>" in page
    assert 'href="https://school.example/app/notifications/1?a=1&amp;b=2"' in page
