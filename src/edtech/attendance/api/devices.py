"""Routes for scanners and self check-in: scan batches, credentials, the rotating QR code."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, status

from edtech.attendance.api.common import PREFIX, TAG, roster, signer
from edtech.attendance.api.schemas import (
    CheckInIn,
    CheckInOut,
    CredentialIn,
    CredentialOut,
    QrOut,
    ScanBatchIn,
    ScanBatchOut,
    ScanResultOut,
)
from edtech.attendance.application.assign_credential import AssignCredential, CredentialCommand
from edtech.attendance.application.check_in import CheckIn
from edtech.attendance.application.ingest_scans import IngestScans
from edtech.attendance.application.issue_qr_code import IssueQrCode
from edtech.attendance.application.record_scans import ScanIn
from edtech.attendance.application.revoke_credential import RevokeCredential
from edtech.identity.public import CurrentDeviceDep, CurrentPrincipalDep
from edtech.kernel.principal import DevicePrincipal
from edtech.platform.http.deps import component, use_case

router = APIRouter(prefix=PREFIX, tags=[TAG])


IngestScansDep = Annotated[IngestScans, Depends(component(IngestScans))]


async def upload_scans(
    ingester: IngestScans, device: DevicePrincipal, body: ScanBatchIn
) -> ScanBatchOut:
    """Record an upload; each item's result, and how many got each."""
    outcomes = await ingester.submit(
        device, [ScanIn(s.id, s.credential, s.scanned_at) for s in body.scans]
    )
    results = [
        ScanResultOut(
            id=o.scan_id,
            result=o.result.value,
            reason=o.reason,
            student_id=o.student_id,
            session_id=o.session_id,
            category=o.category,
            minutes_late=o.minutes_late,
            original=o.original,
        )
        for o in outcomes
    ]
    return ScanBatchOut(results=results, counts=dict(Counter(r.result for r in results)))


@router.post("/scans", response_model=ScanBatchOut, summary="Upload scans from a device")
async def post_scans(
    body: ScanBatchIn, device: CurrentDeviceDep, ingester: IngestScansDep
) -> ScanBatchOut:
    """One scan or an offline batch of up to 1,000, authenticated by `X-Device-Key`.

    Each item gets its own result: `recorded`, `duplicate` (same device and scan id as an
    earlier one; `original` says what that got), `already_marked`, `unknown_credential`,
    `no_session`, `session_closed`, or `rejected` with a `reason` (time far in the future or
    past the offline retention). The batch is applied in one transaction: all or nothing
    (uploads arriving together may share that transaction; each still gets only its results).
    """
    return await upload_scans(ingester, device, body)


@router.post("/credentials", response_model=CredentialOut, status_code=status.HTTP_201_CREATED)
async def assign_credential(
    body: CredentialIn,
    principal: CurrentPrincipalDep,
    assign: Annotated[AssignCredential, Depends(use_case(AssignCredential, roster))],
) -> CredentialOut:
    """Assign a card UID, NFC tag, barcode or static QR to a student (stored hashed)."""
    credential_id = await assign(
        principal, CredentialCommand(body.student_id, body.kind, body.value)
    )
    return CredentialOut(id=credential_id)


@router.delete("/credentials/{credential_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_credential(
    credential_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    revoke: Annotated[RevokeCredential, Depends(use_case(RevokeCredential))],
) -> None:
    await revoke(principal, credential_id)


@router.get("/sessions/{session_id}/qr", response_model=QrOut, summary="The rotating QR code")
async def get_qr(
    session_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    issue: Annotated[IssueQrCode, Depends(use_case(IssueQrCode, roster, signer))],
) -> QrOut:
    """A signed code valid for ~15 s; the board shows it and fetches the next before expiry."""
    qr = await issue(principal, session_id)
    return QrOut(session_id=session_id, token=qr.token, expires_at=qr.expires_at)


@router.post("/check-ins", response_model=CheckInOut, summary="Self check-in with the QR code")
async def check_in(
    body: CheckInIn,
    principal: CurrentPrincipalDep,
    check: Annotated[CheckIn, Depends(use_case(CheckIn, signer))],
) -> CheckInOut:
    """Refused (403, `reason`) when the code expired, the student is not enrolled, the session
    is not taking arrivals, or this device already checked in another student."""
    done = await check(principal, body.token, body.device_id)
    return CheckInOut(
        result=done.result.value,
        session_id=done.session_id,
        category=done.category,
        minutes_late=done.minutes_late,
    )
