"""The AWS mail sender: raw MIME through Amazon SES."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

from loket.aws import LazyClient


class SESMailer:
    def __init__(self, *, region: str | None = None, client=None):
        self._client = LazyClient("ses", region=region, client=client)

    @property
    def client(self):
        return self._client.get()

    def send(self, message: EmailMessage) -> None:
        self.client.send_raw_email(RawMessage={"Data": message.as_bytes(policy=SMTP)})
