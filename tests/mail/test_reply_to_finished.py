"""An e-mail reply to a finished ticket is never left unread (issue #11, defect 2): it
reopens a solved ticket within the reopening period, and starts a follow-up ticket
for a closed one (closed is final in the default workflow), telling the customer."""

from __future__ import annotations

from loket.services.mail_in import MailDecision, take_in_mail
from loket.services.status import close_ticket, set_status
from tests.api.conftest import ticket_count
from tests.mail.conftest import make_mail
from tests.mail.test_take_in_mail import reply_to


def text(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_reply_reopens_a_solved_ticket_and_says_so(services, outbox):
    take_in_mail(services, make_mail(sender="ann@example.com"))
    [receipt] = outbox.messages()
    set_status(services, 10001, "solved")
    decision = take_in_mail(services, reply_to(receipt, sender="ann@example.com",
                                               body="It is not solved, still error 42."))
    assert decision == MailDecision("reply", 10001, "reopened the ticket")
    assert services.store.get_ticket(10001).status == "open"
    assert services.store.list_messages(10001)[-1].body == "It is not solved, still error 42."
    told = outbox.messages()[-1]
    assert "Your message reopened ticket 10001" in text(told)


def test_a_reply_to_a_closed_ticket_starts_a_follow_up_once(services, outbox):
    take_in_mail(services, make_mail(sender="ann@example.com"))
    [receipt] = outbox.messages()
    close_ticket(services, 10001)
    answer = reply_to(receipt, sender="ann@example.com", body="One more thing: error 43.")
    decision = take_in_mail(services, answer)
    assert decision.action == "new-ticket" and decision.ticket == 10002
    follow_up = services.store.get_ticket(10002)
    assert follow_up.follow_up_of == 10001 and follow_up.email == "ann@example.com"
    assert services.store.list_messages(10002)[0].body == "One more thing: error 43."
    assert services.store.get_ticket(10001).status == "closed"
    assert "error 43" not in " ".join(m.body for m in services.store.list_messages(10001))
    told = outbox.messages()[-1]
    assert "[#10002]" in told["Subject"]
    assert "Your message came after ticket 10001 was closed" in text(told)
    # The same mail delivered again makes no second follow-up.
    assert take_in_mail(services, answer).ticket == 10002
    assert ticket_count(services) == 2
