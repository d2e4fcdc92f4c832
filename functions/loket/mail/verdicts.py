"""What the receiving mail system says about a message: SES's spam and virus scans and
the sender's authentication (DMARC).

SES writes its verdicts into the mail it stores (X-SES-Spam-Verdict,
X-SES-Virus-Verdict, and an Authentication-Results header of its own on top), and
passes them in the receipt of a Lambda or SNS action. Another MTA (Postfix with
OpenDMARC, rspamd) writes Authentication-Results the same way.

Only a failing verdict is acted on. A sender can write such headers into their own
mail, but a forged "fail" only holds back their own mail, and a forged "pass" is never
trusted: mail without a verdict is taken in as it always was. Of several
Authentication-Results headers only the topmost counts: the receiving server adds it
last, and RFC 8601 has it remove any copy that claims its name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from typing import Any, Mapping

_DMARC = re.compile(r"(?:^|[;\s])dmarc\s*=\s*([a-z]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdicts:
    """Each "" when unknown; else SES's status (PASS, FAIL, GRAY, PROCESSING_FAILED)
    or the Authentication-Results result (pass, fail, none, ...), upper-cased."""

    spam: str = ""
    virus: str = ""
    dmarc: str = ""

    @property
    def spam_failed(self) -> bool:
        return self.spam == "FAIL"

    @property
    def virus_failed(self) -> bool:
        return self.virus == "FAIL"

    @property
    def dmarc_failed(self) -> bool:
        return self.dmarc == "FAIL"

    def over(self, other: "Verdicts | None") -> "Verdicts":
        """These verdicts, with `other`'s where these know nothing."""
        if other is None:
            return self
        return Verdicts(spam=self.spam or other.spam, virus=self.virus or other.virus,
                        dmarc=self.dmarc or other.dmarc)


def verdicts_in_headers(msg: Message) -> Verdicts:
    """The verdicts the receiving servers wrote into the mail's headers."""
    results = msg.get_all("Authentication-Results") or []
    dmarc = _DMARC.search(" ".join(str(results[0]).split())) if results else None
    return Verdicts(spam=_status(msg.get("X-SES-Spam-Verdict")),
                    virus=_status(msg.get("X-SES-Virus-Verdict")),
                    dmarc=dmarc.group(1).upper() if dmarc else "")


def verdicts_in_receipt(receipt: Mapping[str, Any]) -> Verdicts:
    """The verdicts of an SES receipt (the `receipt` of a Lambda or SNS action's event)."""
    def status(name: str) -> str:
        value = receipt.get(name)
        return _status(value.get("status") if isinstance(value, Mapping) else None)

    return Verdicts(spam=status("spamVerdict"), virus=status("virusVerdict"),
                    dmarc=status("dmarcVerdict"))


def _status(value: object) -> str:
    return str(value).strip().upper() if value else ""
