"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1): it keeps what it accepts
and answers DATA as told, so a test can make it refuse (4xx, 5xx), then accept."""

from __future__ import annotations

import email
import socket
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


class Recorder:
    """aiosmtpd's handler: refuses with the queued answers first, then accepts."""

    def __init__(self):
        self.received: list[email.message.EmailMessage] = []
        self.answers: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        if self.answers:
            return self.answers.pop(0)
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=default_policy)
        self.received.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    """Start and stop a server on a fixed port, so a test can take it down and bring
    it back at the same address."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.recorder = Recorder()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> "SMTPServer":
        self._controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[email.message.EmailMessage]:
        return self.recorder.received

    def refuse_next(self, *answers: str) -> None:
        self.recorder.answers.extend(answers)
