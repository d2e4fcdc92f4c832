"""Prefolded content headers (mail/prefolded.py) fold as the header registry folds the
same header under every policy a message is written with, are read back as the same
values, and survive copying; the outbox names a file after the Message-ID as before."""

from __future__ import annotations

import copy
import pickle
import random
import re
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8, default

import pytest

from loket.mail.compose import _boundary, compose
from loket.mail.outbox import OutboxMailer
from loket.mail.prefolded import Prefolded

POLICIES = [default, SMTP, SMTPUTF8, default.clone(max_line_length=40),
            SMTP.clone(max_line_length=None)]
VALUES = [("Content-Type", 'text/plain; charset="utf-8"'),
          ("Content-Type", 'text/html; charset="utf-8"'),
          ("Content-Transfer-Encoding", "quoted-printable"),
          ("Content-Transfer-Encoding", "7bit")]


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("name, value", VALUES)
def test_a_value_folds_as_the_registry_folds_it(policy, name, value):
    assert Prefolded(name, value).fold(policy=policy) == \
        default.header_factory(name, value).fold(policy=policy)


@pytest.mark.parametrize("policy", POLICIES)
def test_every_boundary_folds_as_the_registry_folds_it(policy):
    drawn = random.Random(13)
    boundaries = [_boundary("") for _ in range(20)] + [
        "=" * 15 + f"{drawn.randrange(10**19):019d}==" for _ in range(20)] + [
        "=" * 15 + "9" * 19 + "==", "=" * 15 + "0" * 19 + "=="]
    for boundary in boundaries:
        value = f'multipart/alternative; boundary="{boundary}"'
        prefolded = Prefolded("Content-Type", value, stand_in=re.sub("[0-9]", "0", boundary),
                              actual=boundary)
        assert prefolded.fold(policy=policy) == \
            default.header_factory("Content-Type", value).fold(policy=policy)


def test_the_message_reads_it_as_the_value():
    msg = compose("receipt", lang="en", mail_from="Support <support@example.com>",
                  to="ann@example.com", data=_receipt_data(), message_id="<r-1@example.com>")
    assert msg.get_content_type() == "multipart/alternative"
    assert re.fullmatch(r"={15}[0-9]{19}==", msg.get_boundary())
    plain = msg.get_body(("plain",))
    assert plain.get_content_type() == "text/plain"
    assert plain.get_content_charset() == "utf-8"
    assert plain["Content-Transfer-Encoding"] in ("7bit", "8bit", "quoted-printable", "base64")
    assert "Ticket" in plain.get_content() or "ticket" in plain.get_content()


def test_a_copy_writes_the_same_bytes():
    msg = compose("receipt", lang="en", mail_from="Support <support@example.com>",
                  to="ann@example.com", data=_receipt_data(), message_id="<r-2@example.com>")
    for other in (copy.deepcopy(msg), pickle.loads(pickle.dumps(msg))):
        assert other.as_bytes(policy=SMTP) == msg.as_bytes(policy=SMTP)
        assert isinstance(other.get("Content-Type"), Prefolded)


@pytest.mark.parametrize("message_id", ["<ticket-10001@nordwind.example>",
                                        "<x" + "y" * 80 + "@nordwind.example>"])
def test_the_outbox_file_is_named_after_the_message_id(tmp_path, message_id):
    msg = EmailMessage()
    msg["Message-ID"] = message_id
    msg.set_content("hello")
    OutboxMailer(tmp_path).send(msg)
    [written] = tmp_path.glob("*.eml")
    expected = re.sub(r"[^A-Za-z0-9.@-]+", "_", str(msg["Message-ID"])).strip("_")
    assert written.name.endswith(f"-{expected}.eml")


def _receipt_data() -> dict:
    return {"vendor": "Nordwind Software", "number": 10001, "subject": "Export fails",
            "product": "Nordwind Planner", "status": "Open",
            "lookup_url": "http://127.0.0.1:8000/portal/tickets/10001?token=x",
            "follow_up_of": None, "files": [], "suggestions": []}
