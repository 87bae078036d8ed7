"""Signed upload URLs for the filesystem store: the node's own stand-in for a presigned PUT.

The signature is an HMAC-SHA256, under the node's secret key, of the upload's id and the
instant the URL dies: a URL is good for one upload slot, until then, and changing either
breaks it.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from edtech.platform.security.keys import same_secret


@dataclass(frozen=True)
class UploadSigner:
    secret: bytes

    def _mac(self, upload_id: uuid.UUID, expires: int) -> str:
        message = f"files.upload:{upload_id}:{expires}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def path(self, upload_id: uuid.UUID, expires_at: datetime) -> str:
        expires = int(expires_at.timestamp())
        signature = self._mac(upload_id, expires)
        return f"/api/v1/files/uploads/{upload_id}/content?expires={expires}&signature={signature}"

    def valid(self, upload_id: uuid.UUID, expires: int, signature: str, now: datetime) -> bool:
        """The signature is ours for this upload and instant, and the instant is still ahead."""
        good = same_secret(self._mac(upload_id, expires), signature)
        return good and now < datetime.fromtimestamp(expires, UTC)
