"""The ports of the files use cases, built from the node's services (`use_case(cls, *ports)`)."""

from __future__ import annotations

from edtech.files.application.ports import FileLimits, RecordsFactory
from edtech.files.infrastructure.attachments import FileAttachmentClaims
from edtech.files.infrastructure.records import SliceRecords
from edtech.files.infrastructure.scanner import MalwareScanner, scanner_from_url
from edtech.files.infrastructure.signing import UploadSigner
from edtech.platform.mail import Mail
from edtech.platform.services import Services
from edtech.platform.storage import ObjectStorage, storage_from_settings


def build_storage(services: Services) -> ObjectStorage:
    """The node's store, a component built once (ADR-0006)."""
    return storage_from_settings(services.settings)


def build_scanner(services: Services) -> MalwareScanner:
    """The node's malware scanner (`EDTECH_CLAMD_URL`), a component built once."""
    return scanner_from_url(services.settings.clamd_url)


def build_attachment_claims(services: Services) -> FileAttachmentClaims:
    """Communication's `AttachmentClaims` port, answered by this slice (a component)."""
    return FileAttachmentClaims()


def storage(services: Services) -> ObjectStorage:
    return services.components.get(ObjectStorage)  # type: ignore[type-abstract]


def mail(services: Services) -> Mail:
    return services.components.get(Mail)  # type: ignore[type-abstract]


def limits(services: Services) -> FileLimits:
    s = services.settings
    return FileLimits(s.files_max_bytes, s.files_quota_bytes, s.files_upload_ttl_seconds)


def scanner(services: Services) -> MalwareScanner:
    return services.components.get(MalwareScanner)  # type: ignore[type-abstract]


def signer(services: Services) -> UploadSigner:
    return UploadSigner(services.settings.secret_key.encode())


def records(services: Services) -> RecordsFactory:
    return SliceRecords
