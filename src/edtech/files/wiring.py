"""The ports of the files use cases, built from the node's services (`use_case(cls, *ports)`)."""

from __future__ import annotations

from edtech.files.application.ports import FileLimits, RecordsFactory
from edtech.files.infrastructure.records import SliceRecords
from edtech.platform.mail import Mail
from edtech.platform.services import Services
from edtech.platform.storage import ObjectStorage, storage_from_settings


def build_storage(services: Services) -> ObjectStorage:
    """The node's store, a component built once (ADR-0006)."""
    return storage_from_settings(services.settings)


def storage(services: Services) -> ObjectStorage:
    return services.components.get(ObjectStorage)  # type: ignore[type-abstract]


def mail(services: Services) -> Mail:
    return services.components.get(Mail)  # type: ignore[type-abstract]


def limits(services: Services) -> FileLimits:
    return FileLimits(services.settings.files_max_bytes, services.settings.files_quota_bytes)


def records(services: Services) -> RecordsFactory:
    return SliceRecords
