"""Money as integer minor units of an ISO 4217 currency, with one explicit rounding rule.

Rounding (stated once for the whole slice): every computed amount is rounded once, to the
currency's minor unit, half away from zero; an amount spread over parts uses largest-remainder
allocation so the parts always add up to the whole. Floats never appear; `Decimal` only at the
edges (parsing and formatting).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from edtech.kernel.errors import InvalidError

# ISO 4217 minor units that differ from 2 (the default for every other active code).
_EXPONENT_0 = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
_EXPONENT_3 = frozenset(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"])
_EXPONENT_4 = frozenset({"CLF", "UYW"})
# Active ISO 4217 codes with 2 decimals (a currency outside all lists is refused).
_EXPONENT_2 = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IRR",
        "JMD",
        "KES",
        "KGS",
        "KHR",
        "KPW",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "WST",
        "XCD",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
    ]
)


def exponent(currency: str) -> int:
    """The number of decimals of `currency` (ISO 4217 minor unit); unknown codes are refused."""
    if currency in _EXPONENT_2:
        return 2
    if currency in _EXPONENT_0:
        return 0
    if currency in _EXPONENT_3:
        return 3
    if currency in _EXPONENT_4:
        return 4
    raise InvalidError(f"Unknown currency {currency!r}: use an ISO 4217 code such as EUR.")


def is_currency(code: str) -> bool:
    return code in _EXPONENT_0 | _EXPONENT_2 | _EXPONENT_3 | _EXPONENT_4


class CurrencyMismatchError(InvalidError):
    """Two amounts in different currencies met; nothing converts between them."""

    code = "currency_mismatch"


MAX_AMOUNT_MINOR = 10**13
"""The largest amount one input may name, in minor units of its currency (100 billion EUR,
10 trillion JPY, 10 billion KWD). The ledger holds signed 64-bit minor units (9.2 × 10^18):
an invoice of 200 such lines, and thousands of such invoices on one account, still fit."""


@dataclass(frozen=True, order=False)
class Money:
    """An amount in minor units (cents, fils, yen) of one currency."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise TypeError("Money.minor must be an int (minor units), never a float")
        exponent(self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str | int, currency: str) -> Money:
        """Read a decimal amount ("333.34", "1000", "0.125") exactly; more decimals than the
        currency has is an error, never a silent rounding."""
        try:
            value = Decimal(str(text).strip())
        except InvalidOperation:
            raise InvalidError(f"{text!r} is not a decimal amount.") from None
        if not value.is_finite():
            raise InvalidError(f"{text!r} is not a decimal amount.")
        scaled = value.scaleb(exponent(currency))
        if scaled != scaled.to_integral_value():
            raise InvalidError(
                f"{text} has more decimals than {currency} allows ({exponent(currency)})."
            )
        if abs(scaled) > MAX_AMOUNT_MINOR:
            largest = Money(MAX_AMOUNT_MINOR, currency).format()
            raise InvalidError(f"{text} {currency} is over the largest amount ({largest}).")
        return cls(int(scaled), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def format(self) -> str:
        """The amount as a plain decimal string with exactly the currency's decimals."""
        exp = exponent(self.currency)
        return f"{self.to_decimal():.{exp}f}"

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"Cannot combine {self.currency} with {other.currency}.")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def __str__(self) -> str:
        return f"{self.format()} {self.currency}"


def round_half_away(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to an integer, half away from zero (exact, no floats)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    q = Decimal(numerator) / Decimal(denominator)
    return int(q.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(minor: int, basis_points: int) -> int:
    """`basis_points`/10 000 of `minor`, rounded once (half away from zero)."""
    return round_half_away(minor * basis_points, 10_000)


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` in proportion to `weights` by largest remainder: parts sum to `total`.

    Each part first gets the floor of its exact share; the units left over go one each to the
    parts with the largest fractional remainders, ties to the earlier part. Negative totals are
    split as their magnitude and negated, so a discount spreads exactly like a charge.
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    floors = [magnitude * w // weight_sum for w in weights]
    remainders = [magnitude * w % weight_sum for w in weights]
    left = magnitude - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * part for part in floors]
