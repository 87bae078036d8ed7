"""The files tests' fixtures (defined in `fixtures.py`, helpers in `helpers.py`)."""

from tests.integration.files.fixtures import moto_s3, settings, storage_url

__all__ = ["moto_s3", "settings", "storage_url"]
