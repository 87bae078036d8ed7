"""Pairing codes expire after their week and when replaced; requests are decided once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from edtech.institutions.application.issue_pairing_code import hash_code, new_code
from edtech.institutions.domain.pairing import (
    PairingCode,
    PairingCodeError,
    PairingRequest,
    PairingState,
)
from edtech.kernel.errors import ConflictError

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def code(**changes: object) -> PairingCode:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "institution_id": uuid.uuid4(),
        "student_id": uuid.uuid4(),
        "code_hash": "h",
        "created_at": NOW,
        "expires_at": NOW + timedelta(days=7),
        "issued_by": uuid.uuid4(),
    }
    fields.update(changes)
    return PairingCode(**fields)  # type: ignore[arg-type]


def test_a_code_works_for_a_week_and_not_once_replaced() -> None:
    live = code()
    live.check_usable(NOW + timedelta(days=7) - timedelta(seconds=1))
    with pytest.raises(PairingCodeError):
        live.check_usable(NOW + timedelta(days=7))
    live.revoke(NOW)
    with pytest.raises(PairingCodeError):
        live.check_usable(NOW)


def test_codes_are_typed_back_however_they_were_read() -> None:
    issued = new_code()
    assert len(issued) == 14
    assert not set(issued.replace("-", "")) & set("01OI")
    assert hash_code(issued.lower().replace("-", " ")) == hash_code(issued)


def test_a_request_is_decided_once() -> None:
    request = PairingRequest(
        id=uuid.uuid4(),
        institution_id=uuid.uuid4(),
        student_id=uuid.uuid4(),
        guardian_id=uuid.uuid4(),
        code_id=uuid.uuid4(),
        relationship="mother",
        requested_at=NOW,
    )
    request.reject(NOW, uuid.uuid4())
    assert request.state is PairingState.REJECTED
    with pytest.raises(ConflictError):
        request.approve(uuid.uuid4(), NOW, uuid.uuid4())
