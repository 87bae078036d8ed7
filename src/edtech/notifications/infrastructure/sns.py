"""Amazon SNS text messages: `Publish` to a phone number, beside Twilio.

SNS keeps its own opt-out list: a person who answered STOP to one of our texts is on it, and
SNS then accepts a `Publish` to that number but drops the text. So before each text the
adapter asks `CheckIfPhoneNumberIsOptedOut`; an opted-out number fails the attempt at once with
`opted out (STOP)` and is dropped from the person's preferences — as Twilio's error 21610 does.
A number SNS calls malformed (`InvalidParameter` about the phone number) is refused for good
too; throttling, 5xx and transport errors are retried by the ladder.

boto3 in a worker thread, as the SES adapter does: aiobotocore pins botocore to releases
older than the boto3 the project requires, so both cannot be installed together."""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from edtech.notifications.domain.ports import (
    AddressRejectedError,
    Outgoing,
    ProviderFailedError,
    Sms,
)

OPTED_OUT = "opted out (STOP)"
MAX_CHARACTERS = 1600


class SnsSms(Sms):
    """One `Publish` per text (`Transactional`: SNS routes it for delivery over cost), from
    `origination` (an SNS origination number) and/or with `sender_id` where the destination
    country allows one."""

    def __init__(
        self,
        region: str,
        *,
        origination: str = "",
        sender_id: str = "",
        endpoint_url: str | None = None,
    ) -> None:
        self.origination, self.sender_id = origination, sender_id
        config = Config(connect_timeout=10, read_timeout=10, retries={"max_attempts": 2})
        self.client: Any = boto3.client(
            "sns", region_name=region, endpoint_url=endpoint_url, config=config
        )

    def _attributes(self) -> dict[str, dict[str, str]]:
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
        if self.origination:
            attributes["AWS.MM.SMS.OriginationNumber"] = {
                "DataType": "String",
                "StringValue": self.origination,
            }
        if self.sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {
                "DataType": "String",
                "StringValue": self.sender_id,
            }
        return attributes

    async def opted_out(self, number: str) -> bool:
        """Whether the number answered STOP (SNS's opt-out list)."""
        answer = await self._call(
            self.client.check_if_phone_number_is_opted_out, phoneNumber=number
        )
        return bool(answer.get("isOptedOut"))

    async def opted_out_numbers(self) -> list[str]:
        """Every number on the account's opt-out list (all pages)."""
        numbers: list[str] = []
        token: str | None = None
        while True:
            kwargs = {"nextToken": token} if token else {}
            page = await self._call(self.client.list_phone_numbers_opted_out, **kwargs)
            numbers.extend(page.get("phoneNumbers", []))
            token = page.get("nextToken")
            if not token:
                return numbers

    async def send(self, message: Outgoing) -> str:
        if await self.opted_out(message.to):
            raise AddressRejectedError(OPTED_OUT)
        text = f"{message.title}: {message.body} {message.link}"
        answer = await self._call(
            self.client.publish,
            PhoneNumber=message.to,
            Message=text[:MAX_CHARACTERS],
            MessageAttributes=self._attributes(),
        )
        return str(answer["MessageId"])

    async def _call(self, method: Any, **kwargs: Any) -> Any:
        try:
            return await asyncio.to_thread(method, **kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, text = str(error.get("Code", "")), str(error.get("Message", ""))
            if code in ("InvalidParameter", "InvalidParameterValue") and "phone" in text.lower():
                raise AddressRejectedError("invalid number") from exc
            raise ProviderFailedError(f"SNS answered {code}") from exc
        except BotoCoreError as exc:
            raise ProviderFailedError(f"SNS unreachable: {type(exc).__name__}") from exc
