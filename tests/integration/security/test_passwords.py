"""Password hashes are argon2id with at least OWASP's recommended work factors."""

from __future__ import annotations

import re

from edtech.platform.security.passwords import hash_password, verify_password

# OWASP Password Storage Cheat Sheet, argon2id: equivalent minimum (memory KiB, iterations)
# pairs, parallelism 1 — from 47104 KiB with 1 pass down to 7168 KiB with 5 passes.
OWASP_ARGON2ID_MINIMUMS = [(47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5)]

PHC = re.compile(r"^\$(?P<type>argon2\w+)\$v=(?P<v>\d+)\$m=(?P<m>\d+),t=(?P<t>\d+),p=(?P<p>\d+)\$")


def parameters(password_hash: str) -> dict[str, str]:
    found = PHC.match(password_hash)
    assert found, password_hash
    return found.groupdict()


def test_hashes_are_argon2id_version_13() -> None:
    params = parameters(hash_password("a-long-password"))
    assert params["type"] == "argon2id"
    assert params["v"] == "19"  # 0x13, the current version of the algorithm


def test_work_factors_meet_owasps_recommendation() -> None:
    params = parameters(hash_password("a-long-password"))
    memory_kib, passes = int(params["m"]), int(params["t"])
    assert int(params["p"]) >= 1
    assert any(memory_kib >= m and passes >= t for m, t in OWASP_ARGON2ID_MINIMUMS), params


def test_each_hash_has_its_own_salt_and_verifies() -> None:
    first, second = hash_password("same password"), hash_password("same password")
    assert first != second
    assert verify_password("same password", first)
    assert not verify_password("other password", first)
    assert "same password" not in first
