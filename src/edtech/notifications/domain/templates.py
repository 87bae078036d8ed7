"""The words of a notification, per kind and language (English and Spanish shipped).

A template is a title and a body with `{named}` fields. Dates and amounts are written the way
the reader's language writes them (`Friday 4 December` / `viernes 4 de diciembre`,
`USD 12.50` / `12,50 USD`). The language is the person's own choice, else the school's locale
(`es-MX` → `es`), else English. Pure: no I/O.
"""

from __future__ import annotations

import html
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Amount:
    """Money in integer minor units of an ISO 4217 currency."""

    minor: int
    currency: str


# What each language calls things, and the texts of each kind of notification.
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "absence": ("{child}: absent today", "{child} was marked absent on {day}. — {school}"),
        "tardy": (
            "{child}: late today",
            "{child} arrived {minutes} minutes late on {day}. — {school}",
        ),
        "grade_published": (
            "{child}: new grade in {assessment}",
            "A grade for {child} in “{assessment}” was published. — {school}",
        ),
        "message": ("New message from {sender}", "{sender}: {snippet}"),
        "messages_released": (
            "{count} new messages",
            "You have {count} new messages waiting in {school}'s app.",
        ),
        "invoice_issued": (
            "Invoice {number}: {amount} due {due}",
            "Invoice {number} for {amount} is due on {due}. — {school}",
        ),
        "invoice_overdue": (
            "Invoice {number} is overdue",
            "Invoice {number} ({amount} still due) was due on {due}. Reminder {reminder}. "
            "— {school}",
        ),
        "payment_received": (
            "Payment received: {amount}",
            "Thank you: we received {amount} (receipt {receipt}). — {school}",
        ),
        "digest": (
            "{school}: your daily summary, {day}",
            "{count} notifications since your last summary:",
        ),
    },
    "es": {
        "absence": (
            "{child}: ausente hoy",
            "{child} fue marcado ausente el {day}. — {school}",
        ),
        "tardy": (
            "{child}: llegó tarde hoy",
            "{child} llegó {minutes} minutos tarde el {day}. — {school}",
        ),
        "grade_published": (
            "{child}: nueva nota en {assessment}",
            "Se publicó una nota de {child} en «{assessment}». — {school}",
        ),
        "message": ("Nuevo mensaje de {sender}", "{sender}: {snippet}"),
        "messages_released": (
            "{count} mensajes nuevos",
            "Tiene {count} mensajes nuevos en la aplicación de {school}.",
        ),
        "invoice_issued": (
            "Factura {number}: {amount}, vence el {due}",
            "La factura {number} por {amount} vence el {due}. — {school}",
        ),
        "invoice_overdue": (
            "La factura {number} está vencida",
            "La factura {number} ({amount} pendiente) venció el {due}. Recordatorio {reminder}. "
            "— {school}",
        ),
        "payment_received": (
            "Pago recibido: {amount}",
            "Gracias: recibimos {amount} (recibo {receipt}). — {school}",
        ),
        "digest": (
            "{school}: su resumen del día, {day}",
            "{count} notificaciones desde su último resumen:",
        ),
    },
}

WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}
MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June", "July", "August",
        "September", "October", "November", "December",
    ),
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
        "septiembre", "octubre", "noviembre", "diciembre",
    ),
}  # fmt: skip
ZERO_DECIMALS = frozenset({"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                           "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"})  # fmt: skip
THREE_DECIMALS = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})


def language_of(chosen: str | None, school_locale: str | None) -> str:
    """The person's language if we ship it, else the school's locale's, else English."""
    for candidate in (chosen, school_locale):
        if candidate:
            lang = candidate.replace("_", "-").split("-")[0].lower()
            if lang in LANGUAGES:
                return lang
    return DEFAULT_LANGUAGE


def long_date(day: date, language: str) -> str:
    weekday, month = WEEKDAYS[language][day.weekday()], MONTHS[language][day.month - 1]
    if language == "es":
        return f"{weekday} {day.day} de {month}"
    return f"{weekday} {day.day} {month}"


def money(amount: Amount, language: str) -> str:
    digits = 2
    if amount.currency in ZERO_DECIMALS:
        digits = 0
    elif amount.currency in THREE_DECIMALS:
        digits = 3
    sign = "-" if amount.minor < 0 else ""
    whole, part = divmod(abs(amount.minor), 10**digits)
    if language == "es":
        grouped = f"{whole:,}".replace(",", ".")
        text = f"{grouped},{part:0{digits}d}" if digits else grouped
        return f"{sign}{text} {amount.currency}"
    text = f"{whole:,}.{part:0{digits}d}" if digits else f"{whole:,}"
    return f"{amount.currency} {sign}{text}"


def _written(value: object, language: str) -> str:
    if isinstance(value, date):
        return long_date(value, language)
    if isinstance(value, Amount):
        return money(value, language)
    return str(value)


def render(kind: str, language: str, values: Mapping[str, object]) -> tuple[str, str]:
    """The title and body of a `kind` notification in `language` (English if not shipped).
    A field a template names but `values` lacks is a programming error (KeyError)."""
    title, body = TEMPLATES.get(language, TEMPLATES[DEFAULT_LANGUAGE])[kind]
    written = {k: _written(v, language) for k, v in values.items()}
    return title.format_map(written)[:200], body.format_map(written)[:2000]


def fields_of(kind: str) -> frozenset[str]:
    """The fields the templates of `kind` use, in every language (for tests and reviews)."""
    found: set[str] = set()
    for texts in TEMPLATES.values():
        for text in texts[kind]:
            found |= {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return frozenset(found)


def email_html(title: str, body: str, link: str) -> str:
    """The HTML alternative of a notification email: the same title, text and link as the
    plain part (never more), escaped; paragraphs at blank lines, line breaks kept."""
    paragraphs = [p for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    text = "".join(
        f'<p style="margin:0 0 1em">{html.escape(p).replace(chr(10), "<br>")}</p>'
        for p in paragraphs
    )
    href = html.escape(link, quote=True)
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2933">'
        f'<h1 style="font-size:1.25em;margin:0 0 1em">{html.escape(title)}</h1>{text}'
        f'<p><a href="{href}" style="color:#1d4ed8">{html.escape(link)}</a></p>'
        "</body></html>"
    )


def digest_text(
    language: str, school: str, day: date, items: Sequence[tuple[str, str, str]]
) -> tuple[str, str]:
    """The title and body of a daily digest: the `digest` template's heading, then each held
    notification's own title, body (already written in the reader's language) and deep link
    (the link its own email would have carried), oldest first, a blank line between them."""
    title, intro = render("digest", language, {"school": school, "day": day, "count": len(items)})
    parts = [intro, *(f"{t}\n{b}\n{link}" for t, b, link in items)]
    return title, "\n\n".join(parts)


def digest_html(
    language: str, school: str, day: date, items: Sequence[tuple[str, str, str]], link: str
) -> str:
    """The HTML alternative of a daily digest: what `digest_text` says, each item's title a
    link to the notification itself, and the inbox's link last — escaped, never more."""
    title, intro = render("digest", language, {"school": school, "day": day, "count": len(items)})
    blocks = "".join(
        f'<h2 style="font-size:1.05em;margin:1.25em 0 0.25em">'
        f'<a href="{html.escape(href, quote=True)}" style="color:#1d4ed8">{html.escape(t)}</a>'
        f'</h2><p style="margin:0">{html.escape(b).replace(chr(10), "<br>")}</p>'
        for t, b, href in items
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2933">'
        f'<h1 style="font-size:1.25em;margin:0 0 1em">{html.escape(title)}</h1>'
        f"<p>{html.escape(intro)}</p>{blocks}"
        f'<p style="margin-top:1.5em"><a href="{html.escape(link, quote=True)}" '
        f'style="color:#1d4ed8">{html.escape(link)}</a></p>'
        "</body></html>"
    )
