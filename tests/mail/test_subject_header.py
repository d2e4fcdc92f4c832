"""Receipt subjects with non-ASCII words read back as written: Python's header folding
put each such word in an encoded word of its own and lost the spaces between them."""

from __future__ import annotations

from email import message_from_bytes
from email.header import decode_header, make_header
from email.policy import SMTP, default
from itertools import takewhile

import pytest

from loket.domain.tickets import NewTicket
from loket.mail.notices import receipt_email, render_mail

SUBJECTS = [
    # Dutch and German customers write like this; the receipt repeats their subject.
    "Überweisung schlägt fehl: Empfänger mit Umlaut, Datei größer als zehn Megabyte",
    "Export naar Excel mislukt — ‘Überweisungsträger’ café crème brûlée résumé naïve façade",
    "エクスポートが失敗します 大きな ファイル で 失敗 します どうすれば よいですか",
    "Ça ne marche pas",
]


def receipt(services, subject: str) -> bytes:
    """The receipt of a Dutch ticket with this subject, as the dispatcher renders it."""
    new = NewTicket(email="ann@example.com", product="planner", type="question",
                    subject=subject, description="De export geeft een fout.", fields={},
                    language="nl", status=services.config.initial_status,
                    created_at=services.clock.now())
    ticket, _ = services.store.create_ticket(new)
    assert ticket.number == 10001
    return render_mail(services, receipt_email(services, ticket)).as_bytes(policy=SMTP)


@pytest.mark.parametrize("subject", SUBJECTS)
def test_a_non_ascii_subject_keeps_every_space(services, subject):
    raw = receipt(services, subject)
    expected = f"[#10001] Wij hebben uw melding ontvangen: {subject}"
    parsed = message_from_bytes(raw, policy=default)
    assert parsed["Subject"] == expected
    # As the RFC 2047 decoder of the older email API reads it, too.
    header = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert str(make_header(decode_header(_unfolded(header, "Subject")))) == expected
    assert all(len(line) <= 78 for line in header.split("\r\n"))


def _unfolded(header: str, name: str) -> str:
    lines = header.split("\r\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}: "))
    value = [lines[start][len(name) + 2:]]
    value += takewhile(lambda line: line[:1] in (" ", "\t"), lines[start + 1:])
    return "".join(value)


def test_an_ascii_subject_stays_plain_text(services):
    raw = receipt(services, "Export to Excel fails")
    assert b"Subject: [#10001] Wij hebben uw melding ontvangen: Export to Excel fails\r\n" in raw
