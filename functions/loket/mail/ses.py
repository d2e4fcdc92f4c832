"""The AWS mail sender: raw MIME through Amazon SES.

With a configuration set, SES reports bounces and complaints to SNS, and the feedback
function (handlers/ses_feedback.py) suppresses those addresses. Errors are sorted for
the dispatcher: throttling and service trouble are temporary; a rejected message or an
unverified sender is refused for good, and kept visible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from loket.aws import LazyClient
from loket.domain.outgoing import MailFailure

if TYPE_CHECKING:
    from email.message import EmailMessage

# Error codes worth another try later; every other one is refused for good
# (MessageRejected, MailFromDomainNotVerified, ConfigurationSetDoesNotExist, ...).
TEMPORARY_ERRORS = {"Throttling", "ThrottlingException", "ServiceUnavailable",
                    "InternalFailure", "RequestTimeout", "TooManyRequestsException"}


class SESMailer:
    def __init__(self, *, region: str | None = None, client=None,
                 configuration_set: str | None = None):
        self._client = LazyClient("ses", region=region, client=client)
        self.configuration_set = configuration_set

    @property
    def client(self):
        return self._client.get()

    def send(self, message: EmailMessage) -> None:
        # Imported here, not with the module: email.policy (its header registry and
        # content manager) is for sending, and the http function wires this mailer on
        # every cold start without sending (mail is queued; the dispatcher sends).
        from email.policy import SMTP

        extra = ({"ConfigurationSetName": self.configuration_set}
                 if self.configuration_set else {})
        try:
            self.client.send_raw_email(RawMessage={"Data": message.as_bytes(policy=SMTP)},
                                       **extra)
        except ClientError as error:
            details = error.response.get("Error", {})
            code = details.get("Code", "")
            raise MailFailure(f"SES {code}: {details.get('Message', '')}",
                              temporary=code in TEMPORARY_ERRORS) from None
        except BotoCoreError as error:  # no connection, a timeout: try again later
            raise MailFailure(f"SES unreachable: {error}", temporary=True) from None
