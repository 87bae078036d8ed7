"""Which passwords a login may be given: long enough, not common, not the person's own name.

The common-password list and the guessability estimate come from zxcvbn (Dropbox's estimator,
ported to Python), whose frequency lists ship inside the package: nothing is fetched, nothing
leaves the process.
"""

from __future__ import annotations

from dataclasses import dataclass

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from edtech.kernel.errors import FieldProblem, InvalidError

DEFAULT_MIN_LENGTH = 10
MIN_SCORE = 2
"""zxcvbn's 0-4 scale: below 2 a password falls to an online guessing attack ("too guessable",
e.g. `0000000000`, `qwertyuiop1`)."""

ESTIMATED_PREFIX = 72
"""Characters of a password zxcvbn estimates: its own limit (4.5 raises ValueError past it; its
matching is quadratic in the length). A password guessable in its first 72 characters is
refused; one that is not is long enough to be strong whatever follows."""

_COMMON = frozenset(FREQUENCY_LISTS["passwords"])
"""The 30 000 most common passwords of the leaked-password corpora zxcvbn ranks."""


@dataclass(frozen=True)
class PasswordPolicy:
    """A password is at least `min_length` characters (`EDTECH_PASSWORD_MIN_LENGTH`, 10 by
    default); not one of the most common passwords; does not contain the local part of the
    login's email; and is not otherwise easy to guess (repeats, sequences, keyboard walks,
    dictionary words with obvious substitutions: zxcvbn score below 2)."""

    min_length: int = DEFAULT_MIN_LENGTH

    def check(self, password: str, email: str) -> None:
        """Raise InvalidError naming `password` when it breaks the policy (CPU-bound: a few
        milliseconds, run it off the event loop)."""
        problem = self._problem(password, email)
        if problem is not None:
            raise InvalidError(
                "The password is too weak.", [FieldProblem(("password",), problem, "weak_password")]
            )

    def _problem(self, password: str, email: str) -> str | None:
        if len(password) < self.min_length:
            return f"must be at least {self.min_length} characters"
        lowered = password.lower()
        if lowered in _COMMON:
            return "is one of the most common passwords"
        local = email.partition("@")[0].lower()
        if len(local) >= 3 and local in lowered:
            return "must not contain the email address"
        if zxcvbn(password[:ESTIMATED_PREFIX], user_inputs=[local])["score"] < MIN_SCORE:
            return "is too easy to guess"
        return None
