"""A store filled with one of every kind of record, through the store's own ports: what
the export, migration and erase tests move around and look for."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from io import BytesIO

from loket.domain.accounts import Account, Organization, Rating, Role
from loket.domain.attachments import Attachment, Upload
from loket.domain.outgoing import MailState, OutgoingMail, Suppression
from loket.domain.refused import KEEP_REFUSED, RefusalKind, RefusedMail
from loket.domain.tickets import AuthorRole, Message
from tests.contract.test_store_contract import T0, new_ticket

try:  # A store takes no change without its events, once the timeline has landed.
    from tests.stores import save_audited
except ImportError:  # pragma: no cover - before it
    def save_audited(store, ticket, **options):
        return store.save_ticket(ticket, **options)

PERSON = "zoe.vanderberg@example.org"
PERSON_NAME = ("Zoë", "Vanderberg")
FILE_ID = "f" * 22


def mail(to: str, *, ticket: int | None = None, state=MailState.PENDING, n: int = 0):
    return OutgoingMail(kind="receipt", lang="en", to=to, data={"number": ticket, "n": n},
                        created_at=T0 + timedelta(minutes=n), message_id=f"<m{n}@loket>",
                        ticket=ticket, id=f"mail-{to}-{n}", state=state,
                        next_attempt_at=T0 if state is MailState.PENDING else None,
                        sent_at=T0 if state is MailState.SENT else None)


def fill(store, blobs=None, *, person: str = PERSON) -> dict:
    """One organization, two accounts, tickets of the person and of someone else (with
    replies, an attachment, a keyed message, a rating, an idempotency key), queued and
    sent mail, a suppression and the record of an earlier one lifted, a known-issue link,
    refused mail with its raw blob, uploads."""
    store.create_organization(Organization("acme", "Acme BV", T0, frozenset({"planner"})))
    store.create_account(Account(person, Role.CUSTOMER, T0, organization="acme",
                                 first_name=PERSON_NAME[0], last_name=PERSON_NAME[1],
                                 password_hash="scrypt$secret"))
    store.create_account(Account("bob@example.com", Role.AGENT, T0,
                                 products=frozenset({"planner"}), first_name="Bob"))
    shot = Attachment(FILE_ID, "screen.png", "image/png", 4, f"attachments/{FILE_ID}",
                      f"thumbnails/{FILE_ID}.png")
    mine, _ = store.create_ticket(
        new_ticket("Zoë's export fails", email=person, organization="acme",
                   attachments=(shot,), description=f"Call me, {PERSON_NAME[0]}."),
        idempotency_key="submit-1", fingerprint="fp")
    other, _ = store.create_ticket(new_ticket("Someone else's question"))
    replies = [Message(author="bob@example.com", role=AuthorRole.AGENT,
                       body=f"Hello {PERSON_NAME[0]}, try again.",
                       created_at=T0 + timedelta(hours=1)),
               Message(author=person, role=AuthorRole.CUSTOMER, body="Still broken.",
                       created_at=T0 + timedelta(hours=2), idempotency_key="mail:<x@y>")]
    updated = save_audited(store, replace(mine, updated_at=T0 + timedelta(hours=2)),
                           expected_version=1, messages=replies,
                           mails=[mail(person, ticket=mine.number, n=1)])
    store.rate_ticket(Rating(mine.number, True, "Thanks!", T0 + timedelta(hours=3), person))
    store.add_to_counter("plan:acme:2026-11", 2)
    store.enqueue_mail([mail(person, ticket=mine.number, n=2, state=MailState.SENT),
                        mail("ann@example.com", ticket=other.number, n=3)])
    store.suppress_address(Suppression(person, "complaint", "marked as spam",
                                       T0 - timedelta(days=2)))
    store.lift_suppression(person, lifted_by="bob@example.com",
                           lifted_at=T0 - timedelta(days=1), note="her filter is fixed")
    store.suppress_address(Suppression(person, "bounce", "550 no such user", T0))
    store.add_known_issue_link("PLN-142", mine.number, T0 + timedelta(hours=4))
    raw_key = "refused/r1.eml"
    store.keep_refused(RefusedMail("r1", T0, T0 + KEEP_REFUSED, RefusalKind.RATE_LIMITED,
                                   "too many", sender=person, subject="Again",
                                   message_id="<r1@x>", raw_key=raw_key, size=5))
    store.create_upload(Upload(id="u" * 22, name="log.txt", content_type="text/plain",
                               size=3, created_at=T0, expires_at=T0 + timedelta(days=1)))
    if blobs is not None:
        blobs.put(shot.key, BytesIO(b"\x89PNG"), content_type="image/png")
        blobs.put(shot.thumbnail_key, BytesIO(b"\x89PNG-thumb"), content_type="image/png")
        blobs.put(raw_key, BytesIO(f"From: {person}\r\n\r\nhi".encode()),
                  content_type="message/rfc822")
    return {"mine": updated, "other": other}


def many_tickets(store, count: int) -> None:
    """`count` tickets through create_ticket, each with its receipt queued and its place
    in the desk's queues (as Workflow.start gives it: so on DynamoDB it is on the desk's
    indexes, as a real one is); every tenth with a reply and a second mail (the
    generated set of the 10,000-ticket round trip and of bench/export_bench.py)."""
    from loket.domain.desk_queues import NO_SLA_MOMENT, SEPARATOR, order_moment

    for i in range(count):
        email = f"customer{i % 500}@example.com"
        at = T0 + timedelta(seconds=i)
        ticket, _ = store.create_ticket(
            new_ticket(f"Generated ticket {i}", email=email, created_at=at,
                       description=f"Generated description {i}, " + "text " * 40,
                       queue_category="new",
                       queue_order=SEPARATOR.join((NO_SLA_MOMENT, "01", order_moment(at)))),
            mails=lambda t, email=email, i=i: [mail(email, ticket=t.number, n=10 * i)])
        if i % 10 == 0:
            answer = Message(author="bob@example.com", role=AuthorRole.AGENT,
                             body=f"Answer {i}", created_at=ticket.created_at + timedelta(hours=1))
            save_audited(store, replace(ticket, updated_at=answer.created_at),
                         expected_version=1, messages=[answer],
                         mails=[mail(email, ticket=ticket.number, n=10 * i + 1)])
