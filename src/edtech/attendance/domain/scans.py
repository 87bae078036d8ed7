"""Rules for scans and QR check-ins: their results, the time limits, the one-device guard."""

from __future__ import annotations

import enum
import hashlib
import uuid
from datetime import datetime, timedelta

OFFLINE_RETENTION = timedelta(days=7)
"""How long a device may hold scans offline before uploading them."""
FUTURE_TOLERANCE = timedelta(minutes=5)
"""Device clocks drift; a scan further ahead of the server's clock is refused."""
MAX_BATCH = 1000
QR_TTL = timedelta(seconds=15)
QR_TOKEN_TYPE = "attendance_qr"


class ScanResult(enum.StrEnum):
    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    ALREADY_MARKED = "already_marked"
    UNKNOWN_CREDENTIAL = "unknown_credential"
    NO_SESSION = "no_session"
    SESSION_CLOSED = "session_closed"
    REJECTED = "rejected"


class CredentialKind(enum.StrEnum):
    CARD = "card"
    NFC = "nfc"
    BARCODE = "barcode"
    QR = "qr"


def time_problem(scanned_at: datetime, now: datetime) -> str | None:
    """Why a scan time cannot be right, or None: not in the future, not past offline retention."""
    if scanned_at > now + FUTURE_TOLERANCE:
        return "scanned_at is in the future"
    if scanned_at < now - OFFLINE_RETENTION:
        return (
            f"scanned_at is older than the {OFFLINE_RETENTION.days}-day retention of offline scans"
        )
    return None


def normalize_credential(value: str) -> str:
    """Readers differ in case and padding: `04a1b2` and ` 04A1B2 ` are the same card."""
    return value.strip().upper()


def credential_hash(institution_id: uuid.UUID, value: str) -> str:
    """Credentials are stored only as this hash, salted with the institution."""
    data = f"{institution_id}:{normalize_credential(value)}".encode()
    return hashlib.sha256(data).hexdigest()


def qr_device_refusal(used_by: uuid.UUID | None, student_id: uuid.UUID) -> str | None:
    """One device checks in one student per session: a second student on it is refused."""
    if used_by is not None and used_by != student_id:
        return "this device already checked in another student for this session"
    return None
