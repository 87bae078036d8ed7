"""The frame checker itself: what it lets through and what it catches."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.contract.frames import ContractViolation, contract


class _Socket:
    """Stands for a client connection: the checker only remembers its refs by it."""


SOCKET: Any = _Socket()
SESSION = f"attendance.session.{uuid.uuid4()}"
INBOX = f"user.{uuid.uuid4()}"
ID = str(uuid.uuid4())
TS = "2026-12-04T08:00:00+00:00"


def _sent(**frame: Any) -> None:
    contract().sending(SOCKET, json.dumps(frame))


def _received(**frame: Any) -> None:
    contract().received(SOCKET, json.dumps(frame))


def _event(channel: str, type_: str, data: dict[str, Any]) -> None:
    _received(op="event", channel=channel, offset=3, type=type_, data=data, ts=TS)


def _scan(mark: dict[str, Any]) -> dict[str, Any]:
    return {"session_id": ID, "student_id": ID, "scanned_at": TS, "source": "scan", "mark": mark}


ATTENDANCE_MARK = {
    "student_id": ID,
    "teacher_code": "P",
    "official_code": "P",
    "category": "present",
    "minutes_late": None,
    "arrived_at": TS,
    "departed_at": None,
    "source": "scan",
    "version": 1,
}


def test_a_subscribe_reply_needs_the_epoch_and_offset() -> None:
    _sent(op="subscribe", ref="s1", channel=SESSION)
    _received(op="reply", ref="s1", ok=True, data={"channel": SESSION, "epoch": "e", "offset": 0})
    with pytest.raises(ContractViolation, match="epoch"):
        _received(op="reply", ref="s1", ok=True, data={"channel": SESSION})


def test_a_ping_is_answered_by_pong_not_reply() -> None:
    _sent(op="ping", ref="p1")
    _received(op="pong", ref="p1")
    with pytest.raises(ContractViolation):
        _received(op="reply", ref="p1", ok=True, data={})


def test_an_error_reply_may_answer_any_op_and_a_bad_frame() -> None:
    _sent(op="subscribe", ref="s2", channel=SESSION)
    _received(op="reply", ref="s2", ok=False, error={"code": "forbidden", "message": "No."})
    _sent(op="ping", ref="p2", extra=1)  # refused by the server: answered by an error reply
    _received(op="reply", ref="p2", ok=False, error={"code": "bad_frame", "message": "extra"})


def test_an_attendance_mark_is_checked_against_the_attendance_model() -> None:
    _event(SESSION, "attendance.scan_recorded", _scan(ATTENDANCE_MARK))
    grades_mark = {"points": "8", "entered": "8", "comment": None, "flags": []}
    with pytest.raises(ContractViolation, match="breaks the contract"):
        _event(SESSION, "attendance.scan_recorded", _scan(grades_mark))


def test_an_event_type_the_channel_does_not_list_fails() -> None:
    with pytest.raises(ContractViolation, match="not listed"):
        _event(INBOX, "attendance.scan_recorded", {})
    with pytest.raises(ContractViolation, match="does not declare"):
        _event(f"nowhere.{ID}", "x.y", {})


def test_an_unknown_op_fails() -> None:
    with pytest.raises(ContractViolation, match="does not know"):
        _received(op="surprise")
