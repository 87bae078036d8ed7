"""Provider answers as FCM HTTP v1, Google's OAuth token endpoint and Twilio's Messages API
document and send them (shapes recorded from their documentation and client libraries' test
suites): the adapters are tested against these, since the providers cannot run here."""

from __future__ import annotations

from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

OAUTH_TOKEN_OK: dict[str, Any] = {
    "access_token": "ya29.c.recorded-access-token",
    "expires_in": 3599,
    "token_type": "Bearer",
}

FCM_SENT: dict[str, Any] = {
    "name": "projects/edtech-test/messages/0:1700000000000000%31bd1c9631bd1c96"
}

FCM_UNREGISTERED: dict[str, Any] = {
    "error": {
        "code": 404,
        "message": "Requested entity was not found.",
        "status": "NOT_FOUND",
        "details": [
            {
                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                "errorCode": "UNREGISTERED",
            }
        ],
    }
}

FCM_UNAVAILABLE: dict[str, Any] = {
    "error": {
        "code": 503,
        "message": "The service is currently unavailable.",
        "status": "UNAVAILABLE",
        "details": [
            {
                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                "errorCode": "UNAVAILABLE",
            }
        ],
    }
}

TWILIO_QUEUED: dict[str, Any] = {
    "account_sid": "AC00000000000000000000000000000000",
    "body": "recorded",
    "direction": "outbound-api",
    "error_code": None,
    "from": "+15550001111",
    "sid": "SM1f0e8ae6ade43cb3c0ce4525424e404f",
    "status": "queued",
    "to": "+15551234567",
}

TWILIO_UNSUBSCRIBED: dict[str, Any] = {
    "code": 21610,
    "message": "Attempt to send to unsubscribed recipient",
    "more_info": "https://www.twilio.com/docs/errors/21610",
    "status": 400,
}

TWILIO_TOO_MANY: dict[str, Any] = {
    "code": 20429,
    "message": "Too Many Requests",
    "more_info": "https://www.twilio.com/docs/errors/20429",
    "status": 429,
}


def service_account(token_uri: str) -> tuple[dict[str, Any], Any]:
    """A Google service account (a fresh RSA key) whose token endpoint is `token_uri`, and the
    public key that verifies the assertions it signs."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    account = {
        "type": "service_account",
        "project_id": "edtech-test",
        "private_key_id": "recorded",
        "private_key": pem,
        "client_email": "push@edtech-test.iam.gserviceaccount.com",
        "token_uri": token_uri,
    }
    return account, key.public_key()


def verify_assertion(assertion: str, public_key: Any, token_uri: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(
        assertion, public_key, algorithms=["RS256"], audience=token_uri
    )
    return claims


# APNs provider API (HTTP/2): a 200 carries the `apns-id` header and no body; errors carry
# `{"reason": …}` (and `timestamp` for 410), as Apple's "Handling notification responses" lists.
APNS_UNREGISTERED: dict[str, Any] = {"reason": "Unregistered", "timestamp": 1700000000000}
APNS_BAD_DEVICE_TOKEN: dict[str, Any] = {"reason": "BadDeviceToken"}
APNS_EXPIRED_PROVIDER_TOKEN: dict[str, Any] = {"reason": "ExpiredProviderToken"}
APNS_TOO_MANY: dict[str, Any] = {"reason": "TooManyRequests"}
APNS_INTERNAL: dict[str, Any] = {"reason": "InternalServerError"}


def apns_key() -> tuple[str, Any]:
    """A fresh P-256 key as Apple's `.p8` file holds it (PKCS #8 PEM), and its public key."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return pem, key.public_key()
