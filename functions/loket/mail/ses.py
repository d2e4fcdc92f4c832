"""The AWS mail sender: raw MIME through Amazon SES."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP


class SESMailer:
    def __init__(self, *, region: str | None = None, client=None):
        self._client = client
        self._region = region

    @property
    def client(self):
        if self._client is None:  # Created on first send, never at import (cold start).
            import boto3

            self._client = boto3.client("ses", region_name=self._region)
        return self._client

    def send(self, message: EmailMessage) -> None:
        self.client.send_raw_email(RawMessage={"Data": message.as_bytes(policy=SMTP)})
