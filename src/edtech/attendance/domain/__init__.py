"""The attendance domain: pure rules for codes, sessions, marks, scans and absence notes."""

from edtech.attendance.domain.codes import (
    DEFAULT_CODES,
    AttendanceCode,
    Category,
    CodeBook,
    default_codes,
)
from edtech.attendance.domain.events import (
    AbsenceReported,
    ExcuseDecided,
    ExcuseSubmitted,
    MarkChanged,
    ScanRecorded,
    SessionCancelled,
    SessionClosed,
    SessionLocked,
    SessionOpened,
)
from edtech.attendance.domain.excuses import Excuse, ExcuseState
from edtech.attendance.domain.marks import Editor, Mark, MarkChange, Source, StaleMarkError
from edtech.attendance.domain.reports import MarkFigure, Summary, summarize
from edtech.attendance.domain.scans import (
    MAX_BATCH,
    QR_TOKEN_TYPE,
    QR_TTL,
    CredentialKind,
    ScanResult,
    credential_hash,
    qr_device_refusal,
    time_problem,
)
from edtech.attendance.domain.sessions import (
    Arrival,
    AttendanceSession,
    PlannedMeeting,
    SessionKind,
    SessionState,
    Windows,
    plan_session,
)

__all__ = [
    "DEFAULT_CODES",
    "MAX_BATCH",
    "QR_TOKEN_TYPE",
    "QR_TTL",
    "AbsenceReported",
    "Arrival",
    "AttendanceCode",
    "AttendanceSession",
    "Category",
    "CodeBook",
    "CredentialKind",
    "Editor",
    "Excuse",
    "ExcuseDecided",
    "ExcuseState",
    "ExcuseSubmitted",
    "Mark",
    "MarkChange",
    "MarkChanged",
    "MarkFigure",
    "PlannedMeeting",
    "ScanRecorded",
    "ScanResult",
    "SessionCancelled",
    "SessionClosed",
    "SessionKind",
    "SessionLocked",
    "SessionOpened",
    "SessionState",
    "Source",
    "StaleMarkError",
    "Summary",
    "Windows",
    "credential_hash",
    "default_codes",
    "plan_session",
    "qr_device_refusal",
    "summarize",
    "time_problem",
]
