"""The SMTP sender, for one machine that has a mail server (or a provider's relay).

LOKET_SMTP_URL names it: smtp://user:password@host:587 speaks STARTTLS (refusing to send
the password over a connection that could not be encrypted), smtps://host:465 TLS
from the first byte; no user means no login. Answers are sorted for the dispatcher:
4xx and broken connections are temporary, 5xx permanent.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import getaddresses, parseaddr
from urllib.parse import unquote, urlsplit

from loket.domain.outgoing import MailFailure

TIMEOUT = 30


@dataclass(frozen=True)
class SMTPServer:
    host: str
    port: int
    implicit_tls: bool
    user: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> "SMTPServer":
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("LOKET_SMTP_URL must look like smtp://user:password@host:587 "
                             "or smtps://user:password@host:465")
        implicit = parts.scheme == "smtps"
        return cls(host=parts.hostname, port=parts.port or (465 if implicit else 587),
                   implicit_tls=implicit,
                   user=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)


class SMTPMailer:
    """Sends each message over its own connection: a dispatcher sends a few mails a
    minute, and a fresh connection never trips over one the server has dropped."""

    def __init__(self, url: str, *, tls_context: ssl.SSLContext | None = None,
                 timeout: float = TIMEOUT):
        self.server = SMTPServer.from_url(url)
        self.tls_context = tls_context or ssl.create_default_context()
        self.timeout = timeout

    def send(self, message: EmailMessage) -> None:
        sender = parseaddr(str(message["From"]))[1]
        recipients = [addr for _, addr in getaddresses(message.get_all("To", []))]
        try:
            with self._connect() as smtp:
                smtp.sendmail(sender, recipients, message.as_bytes(policy=SMTP))
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise MailFailure(f"recipients refused: {error.recipients}",
                              temporary=all(400 <= code < 500 for code in codes)) from None
        except smtplib.SMTPResponseException as error:
            text = error.smtp_error.decode(errors="replace") if isinstance(
                error.smtp_error, bytes) else str(error.smtp_error)
            raise MailFailure(f"{error.smtp_code} {text}",
                              temporary=400 <= error.smtp_code < 500) from None
        except (smtplib.SMTPException, OSError) as error:
            # Refused or dropped connections, timeouts, a failed TLS handshake: the
            # server may be back later.
            raise MailFailure(f"{type(error).__name__}: {error}", temporary=True) from None

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        if server.implicit_tls:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout,
                                    context=self.tls_context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
            try:
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls(context=self.tls_context)
                    smtp.ehlo()
                elif server.user:
                    raise MailFailure("the SMTP server offers no STARTTLS; the password "
                                      "is not sent in the clear", temporary=False)
            except BaseException:
                smtp.close()
                raise
        if server.user:
            smtp.login(server.user, server.password or "")
        return smtp
