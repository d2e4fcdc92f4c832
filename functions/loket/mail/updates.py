"""The e-mails about a ticket's progress: a status change, a reminder, an agent's answer
to the customer, and news for the product's review board. Each function only gathers
its template's data into a queued mail (letter()); the dispatcher renders and sends it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from loket.domain.tickets import Ticket
from loket.domain.outgoing import OutgoingMail
from loket.locale import NP_, N_, gettext_in, pgettext_in
from loket.mail.compose import letter
from loket.mail.notices import thread_root

if TYPE_CHECKING:
    from loket.services.context import Services

_DAYS = (NP_("weekday", "Monday"), NP_("weekday", "Tuesday"), NP_("weekday", "Wednesday"),
         NP_("weekday", "Thursday"), NP_("weekday", "Friday"), NP_("weekday", "Saturday"),
         NP_("weekday", "Sunday"))
_MONTHS = (NP_("month", "January"), NP_("month", "February"), NP_("month", "March"),
           NP_("month", "April"), NP_("month", "May"), NP_("month", "June"),
           NP_("month", "July"), NP_("month", "August"), NP_("month", "September"),
           NP_("month", "October"), NP_("month", "November"), NP_("month", "December"))
# Translators: a moment in an e-mail, "Tuesday 5 January 2027, 14:00".
_MOMENT = N_("{weekday} {day} {month} {year}, {time}")


def status_email(services: "Services", ticket: Ticket, old_status: str, *,
                 reopened: bool = False, move=None) -> OutgoingMail:
    """`reopened`: the customer's own message opened the finished ticket again. `move`
    (domain/workflow.StatusChanged): a timer's move says why, since when the ticket
    waited and when the reminder went out."""
    data = _ticket_data(services, ticket)
    data["reopened"] = reopened
    waited = getattr(move, "waited_since", None)
    reminded = getattr(move, "reminded_at", None)
    data["waited_since"] = when(services, waited, ticket.language) if waited else None
    data["reminded_at"] = when(services, reminded, ticket.language) if reminded else None
    data["old_status"] = services.config.status(old_status).label(ticket.language)
    data["rating_url"] = _rating_url(services, ticket)
    return _to_customer(services, "status-change", ticket, data)


def reminder_email(services: "Services", ticket: Ticket) -> OutgoingMail:
    """Asks the customer for an answer, saying until when, if a timer will move on."""
    workflow = services.config.workflow
    data = _ticket_data(services, ticket)
    deadline = workflow.answer_before(ticket)
    data["answer_before"] = when(services, deadline, ticket.language) if deadline else None
    return _to_customer(services, "reminder", ticket, data)


def agent_reply_email(services: "Services", ticket: Ticket, body: str,
                      old_status: str | None, files=()) -> OutgoingMail:
    """The agent's answer; `files` (domain/attachments.Attachment) are named in it, to
    be opened on the ticket page, where only those who may see the ticket get them."""
    from loket.domain.attachments import describe_size

    data = _ticket_data(services, ticket)
    data["body"] = body
    data["files"] = [{"name": a.name, "size": describe_size(a.size)} for a in files]
    data["old_status"] = (services.config.status(old_status).label(ticket.language)
                          if old_status else None)
    data["rating_url"] = _rating_url(services, ticket)
    return _to_customer(services, "agent-reply", ticket, data)


def _rating_url(services: "Services", ticket: Ticket) -> str | None:
    """A link to rate the help, in the e-mail that says the ticket is solved."""
    from loket.domain.tickets import StatusCategory
    from loket.services.ratings import rating_link

    if services.config.status(ticket.status).category is not StatusCategory.SOLVED:
        return None
    return rating_link(services, ticket)


def review_board_email(services: "Services", ticket: Ticket, news: str, *,
                       old_status: str | None = None, target: str | None = None) -> OutgoingMail:
    """News for the product's review board: "new-ticket", "status-change" or "sla-breach".

    In the ticket's language until board members have accounts with a language of their own.
    """
    data = _ticket_data(services, ticket)
    # Not the customer's look-up link: it carries their access key, which is theirs alone.
    del data["lookup_url"]
    data.update(news=news, target=target, email=ticket.email, assignee=ticket.assignee,
                priority=ticket.priority,
                old_status=(services.config.status(old_status).label(ticket.language)
                            if old_status else None))
    root = thread_root(services, ticket.number)
    return letter("review-board", lang=ticket.language, mail_from=services.mail_from,
                  to=services.config.review_boards[ticket.product], data=data,
                  thread_root=root, ticket=ticket.number, created_at=services.clock.now())


def when(services: "Services", moment: datetime, lang: str) -> str:
    """A moment as people read it, in the business calendar's time zone:
    "Tuesday 5 January 2027, 14:00" or "dinsdag 5 januari 2027, 14:00"."""
    local = moment.astimezone(services.config.workflow.calendar.zone)
    return gettext_in(lang, _MOMENT).format(
        weekday=pgettext_in(lang, *_DAYS[local.weekday()]), day=local.day,
        month=pgettext_in(lang, *_MONTHS[local.month - 1]), year=local.year,
        time=f"{local:%H:%M}")


def _ticket_data(services: "Services", ticket: Ticket) -> dict[str, Any]:
    config = services.config
    return {"vendor": config.vendor, "number": ticket.number, "subject": ticket.subject,
            "product": config.products[ticket.product].get(ticket.language),
            "status": config.status(ticket.status).label(ticket.language),
            "lookup_url": services.lookup_url(ticket.number, ticket.access_key)}


def _to_customer(services: "Services", kind: str, ticket: Ticket,
                 data: dict[str, Any]) -> OutgoingMail:
    # Threaded under the receipt, so the whole ticket reads as one conversation.
    return letter(kind, lang=ticket.language, mail_from=services.mail_from, to=ticket.email,
                  data=data, thread_root=thread_root(services, ticket.number),
                  ticket=ticket.number, created_at=services.clock.now())
