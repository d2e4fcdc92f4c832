"""take_in_mail end to end over SQLite and the outbox: new tickets with a receipt,
replies on the right ticket, strangers kept apart, nothing twice, nothing for refusals."""

from __future__ import annotations

from email.policy import SMTP

from loket.services.mail_in import MailDecision, take_in_mail
from tests.api.conftest import ticket_count
from tests.mail.conftest import corpus_mail, make_mail


def reply_to(receipt, *, sender: str, body: str, subject: str | None = None) -> bytes:
    """What a mail client sends when the customer answers `receipt`."""
    return make_mail(sender=sender, subject=subject or f"Re: {receipt['Subject']}",
                     body=body, headers={"In-Reply-To": receipt["Message-ID"],
                                         "References": receipt["Message-ID"]})


def test_new_ticket_from_mail_is_stored_with_a_receipt(services, outbox):
    decision = take_in_mail(services, make_mail(
        sender="Ann de Vries <Ann@Example.com>", subject="Export to Excel fails",
        body="The export shows error 42.\n\n-- \nAnn de Vries"))
    assert decision == MailDecision("new-ticket", 10001)
    ticket = services.store.get_ticket(10001)
    assert (ticket.email, ticket.product, ticket.type, ticket.subject, ticket.language) == (
        "Ann@example.com", "planner", "question", "Export to Excel fails", "en")
    [message] = services.store.list_messages(10001)
    assert message.body == "The export shows error 42."
    [receipt] = outbox.messages()
    assert receipt["To"] == "Ann@example.com"
    assert receipt["Message-ID"] == "<ticket-10001@nordwind.example>"
    assert "[#10001]" in receipt["Subject"]


def test_reply_to_the_receipt_lands_on_the_ticket(services, outbox):
    take_in_mail(services, make_mail(sender="ann@example.com"))
    [receipt] = outbox.messages()
    answer = reply_to(receipt, sender="ANN@example.com",
                      body="It happens with every file.\n\nOn Thu, 26 Nov 2026 at 09:30, "
                           "Nordwind Support <support@nordwind.example> wrote:\n> We "
                           "received your ticket.\n")
    assert take_in_mail(services, answer) == MailDecision("reply", 10001)
    messages = services.store.list_messages(10001)
    assert [m.body for m in messages][-1] == "It happens with every file."
    assert messages[-1].author == "ANN@example.com"
    assert ticket_count(services) == 1
    assert len(outbox.messages()) == 1  # No second receipt for a reply.


def test_reply_found_by_references_through_a_later_mail(services, outbox):
    take_in_mail(services, make_mail(sender="ann@example.com"))
    # A later mail of ours has its own Message-ID but carries the thread root.
    answer = make_mail(sender="ann@example.com", subject="Re: update", body="Thanks!",
                       headers={"In-Reply-To": "<update-7@nordwind.example>",
                                "References": "<ticket-10001@nordwind.example> "
                                              "<update-7@nordwind.example>"})
    assert take_in_mail(services, answer) == MailDecision("reply", 10001)


def test_reply_found_by_the_subject_tag_alone(services, outbox):
    take_in_mail(services, make_mail(sender="ann@example.com"))
    answer = make_mail(sender="ann@example.com", subject="RE: [#10001] We received your "
                       "ticket: Export to Excel fails", body="Another detail.")
    assert take_in_mail(services, answer) == MailDecision("reply", 10001)


def test_reply_from_another_address_makes_a_new_ticket(services, outbox):
    take_in_mail(services, make_mail(sender="ann@example.com"))
    [receipt] = outbox.messages()
    stranger = reply_to(receipt, sender="mallory@example.org", body="Let me in.")
    decision = take_in_mail(services, stranger)
    assert decision.action == "new-ticket" and decision.ticket == 10002
    assert "another address" in decision.reason
    assert [m.body for m in services.store.list_messages(10001)] == [
        "The export shows an error."]
    new = services.store.get_ticket(10002)
    assert new.email == "mallory@example.org"
    assert new.subject == "We received your ticket: Export to Excel fails"
    # The new ticket's receipt goes to the stranger, not to the ticket's owner.
    assert outbox.messages()[-1]["To"] == "mallory@example.org"


def test_reply_to_an_unknown_ticket_makes_a_new_ticket(services):
    decision = take_in_mail(services, make_mail(subject="Re: [#99999] old question",
                                                headers={"In-Reply-To":
                                                         "<ticket-99999@nordwind.example>"}))
    assert decision.action == "new-ticket" and "no such ticket" in decision.reason
    assert services.store.get_ticket(decision.ticket).subject == "old question"


def test_thread_roots_of_another_domain_are_not_ours(services):
    take_in_mail(services, make_mail(sender="ann@example.com"))
    other = make_mail(sender="ann@example.com", subject="Re: hello",
                      headers={"In-Reply-To": "<ticket-10001@elsewhere.example>"})
    assert take_in_mail(services, other).action == "new-ticket"


def test_re_delivered_mail_makes_nothing_new(services, outbox):
    first = make_mail(sender="ann@example.com", message_id="<once@client.example>")
    assert take_in_mail(services, first) == MailDecision("new-ticket", 10001)
    again = take_in_mail(services, first)
    assert again.action == "new-ticket" and again.ticket == 10001
    assert "already taken in" in again.reason
    [receipt] = outbox.messages()
    answer = reply_to(receipt, sender="ann@example.com", body="More detail.")
    assert take_in_mail(services, answer) == MailDecision("reply", 10001)
    assert "already taken in" in take_in_mail(services, answer).reason
    assert ticket_count(services) == 1
    assert [m.body for m in services.store.list_messages(10001)] == [
        "The export shows an error.", "More detail."]
    assert len(outbox.messages()) == 1


def test_the_same_words_in_a_new_mail_are_heard_twice(services, outbox):
    take_in_mail(services, make_mail(sender="ann@example.com"))
    [receipt] = outbox.messages()
    for _ in range(2):  # Two mails (two Message-IDs) that say the same.
        take_in_mail(services, reply_to(receipt, sender="ann@example.com", body="Any news?"))
    assert [m.body for m in services.store.list_messages(10001)][-2:] == ["Any news?"] * 2


def test_a_retry_after_a_failed_save_still_adds_the_reply(services, outbox, monkeypatch):
    take_in_mail(services, make_mail(sender="ann@example.com"))
    [receipt] = outbox.messages()
    answer = reply_to(receipt, sender="ann@example.com", body="Detail after a crash.")
    save = services.store.save_ticket

    def crash(*args, **kwargs):
        raise ConnectionError("store down")

    monkeypatch.setattr(services.store, "save_ticket", crash)
    try:
        take_in_mail(services, answer)
    except ConnectionError:
        pass
    monkeypatch.setattr(services.store, "save_ticket", save)
    assert take_in_mail(services, answer) == MailDecision("reply", 10001)
    assert services.store.list_messages(10001)[-1].body == "Detail after a crash."


def test_refused_mail_changes_nothing(services, outbox):
    for raw in (corpus_mail("sisimai/bsd/lhost-amazonses-01.eml"),
                corpus_mail("sisimai/bsd/rfc3834-01.eml"),
                make_mail(sender="support@nordwind.example"),
                make_mail(headers={"X-Autoreply": "yes"})):
        decision = take_in_mail(services, raw)
        assert decision.action == "refused" and decision.ticket is None
        assert str(decision).startswith("refused: ")
    assert ticket_count(services) == 0
    assert outbox.messages() == []


def test_our_own_receipt_coming_back_is_refused(services, outbox):
    take_in_mail(services, make_mail(sender="ann@example.com"))
    [receipt] = outbox.messages()
    assert take_in_mail(services, receipt.as_bytes(policy=SMTP)).action == "refused"
    assert len(services.store.list_messages(10001)) == 1


def test_product_from_the_plus_address(services):
    take_in_mail(services, make_mail(to="support+payroll@nordwind.example"))
    take_in_mail(services, make_mail(to="support+nonsense@nordwind.example"))
    take_in_mail(services, make_mail(to="someone+payroll@elsewhere.example"))
    assert [services.store.get_ticket(n).product for n in (10001, 10002, 10003)] == [
        "payroll", "planner", "planner"]


def test_dutch_mail_makes_a_dutch_ticket_and_receipt(services, outbox):
    take_in_mail(services, make_mail(subject="Export naar Excel werkt niet",
                                     body="Bij het exporteren krijg ik een foutmelding."))
    take_in_mail(services, make_mail(subject="Export", body="Fails.",
                                     headers={"Content-Language": "nl-NL"}))
    take_in_mail(services, make_mail(subject="Export", body="Fails.",
                                     to="support@nordwind.nl"))
    take_in_mail(services, make_mail(subject="Export to Excel does not work",
                                     body="I get an error when I export the plan."))
    assert [services.store.get_ticket(n).language for n in (10001, 10002, 10003, 10004)] == [
        "nl", "nl", "nl", "en"]
    assert "Wij hebben uw melding ontvangen" in outbox.messages()[0]["Subject"]


def test_german_mail_makes_a_german_ticket_and_receipt(services, outbox):
    take_in_mail(services, make_mail(subject="Export", body="Geht nicht.",
                                     headers={"Content-Language": "de-DE"}))
    take_in_mail(services, make_mail(subject="AW: Export", body="Geht immer noch nicht."))
    take_in_mail(services, make_mail(subject="Export", body="Fails.",
                                     headers={"Content-Language": "fr"}))
    assert [services.store.get_ticket(n).language for n in (10001, 10002, 10003)] == [
        "de", "de", "en"]
    assert "Wir haben Ihr Ticket erhalten" in outbox.messages()[0]["Subject"]


def test_long_subject_and_description_are_shortened_with_a_note(services):
    subject = "Export " * 60
    body = "x" * 25_000
    take_in_mail(services, make_mail(subject=subject, body=body))
    ticket = services.store.get_ticket(10001)
    assert len(ticket.subject) <= 150 and ticket.subject.endswith("…")
    [message] = services.store.list_messages(10001)
    assert len(message.body) <= 20_000
    assert message.body.endswith("[Shortened: the e-mail had 25000 characters; "
                                 "the rest is not kept.]")


def test_empty_subject_and_body(services):
    take_in_mail(services, make_mail(subject="", body=""))
    ticket = services.store.get_ticket(10001)
    assert ticket.subject == "(no subject)"
    assert services.store.list_messages(10001)[0].body == "(The e-mail had no text.)"


def test_attachments_are_mentioned_in_the_ticket(services):
    take_in_mail(services, corpus_mail("cpython-test_email/msg_07.txt"))
    [message] = services.store.list_messages(10001)
    assert message.body.endswith("[attachment: dingusfish.gif (image/gif, 3.4 kB)]")


def test_a_forward_keeps_the_forwarded_text(services):
    body = ("See below.\n\n-----Original Message-----\nFrom: Planner <planner@ann.example>\n"
            "Sent: Thursday\nSubject: Error 42\n\nThe export failed with error 42.")
    take_in_mail(services, make_mail(subject="Fwd: Error 42", body=body))
    assert "error 42" in services.store.list_messages(10001)[0].body


def test_mail_over_the_rate_limit_is_refused(services):
    limit = services.config.submissions.per_hour
    decisions = [take_in_mail(services, make_mail(subject=f"Question {i}"))
                 for i in range(limit + 1)]
    assert decisions[-1].action == "refused" and "rate limited" in decisions[-1].reason
    assert ticket_count(services) == limit


def test_a_sender_the_form_refuses(services):
    decision = take_in_mail(services, make_mail(sender="ann@example.invalid"))
    assert decision.action == "refused" and "email" in decision.reason
    assert ticket_count(services) == 0
