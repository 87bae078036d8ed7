"""How the tests are laid out: helpers come from helper modules, never from a `conftest.py`.

A `conftest.py` is pytest's: it holds fixtures and is loaded by pytest itself. Importing one as
a library runs it a second time under another name and hides where a helper lives.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
IMPORTS_A_CONFTEST = re.compile(r"^\s*(from\s+\S*conftest\s+import|import\s+\S*conftest)", re.M)


def test_no_test_module_imports_a_conftest() -> None:
    offenders = [
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if IMPORTS_A_CONFTEST.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], f"import helpers from a helpers module instead: {offenders}"
