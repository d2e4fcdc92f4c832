"""The record of a ticket on its desk page: the timeline (who, when in the business
time zone, what), the rating, linked tickets and merges; and the moves that add to it
(merge a duplicate, link a related ticket). Same rights as the rest of the desk: only
an agent of the ticket's product, and only tickets of their products are named."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, jsonify, request

from loket.config.model import PortalConfig
from loket.domain.errors import TicketNotFound
from loket.domain.events import (EventKind, TicketEvent, links_of, merged_from, merged_into)
from loket.domain.tickets import AuthorRole, Ticket
from loket.services.collision import StaleView, here
from loket.services.context import Services
from loket.services.desk import open_for_agent
from loket.services.merging import link, merge
from loket.services.ratings import EMAIL_LINK
from loket.web import desk_view
from loket.web.auth import require_viewer
from loket.web.current import services
from loket.web.pages import language

bp = Blueprint("desk_record", __name__, url_prefix="/desk")


@dataclass(frozen=True)
class TimelineRow:
    at: object          # datetime
    who: str
    what: str
    kind: str
    ticket: int | None  # a ticket the row points to (merge, link)


def record_context(svc: Services, viewer, ticket: Ticket, lang: str) -> dict:
    """What desk_ticket.html shows of the record, from one read of the events."""
    events = svc.store.list_events(ticket.number)
    linked = _visible(svc, viewer, links_of(events))
    into = _visible(svc, viewer, [n for n in [merged_into(events)] if n])
    sources = _visible(svc, viewer, merged_from(events))
    shown = {t.number for t in linked + into + sources}
    rows = [_hidden_if_foreign(timeline_row(svc.config, e, lang), shown) for e in events]
    return {"timeline": rows[::-1],  # newest first, as the conversation is read
            "rating": svc.store.get_rating(ticket.number),
            "linked": linked, "merged_into": into,
            "merged_from": [(t, svc.store.list_messages(t.number)) for t in sources],
            "last_version": ticket.version}


def _hidden_if_foreign(row: TimelineRow, shown: set[int]) -> TimelineRow:
    """A merge or link with a ticket the agent may not open keeps its row without the
    number: it was linked by an agent of both products, and tells this one nothing."""
    if row.ticket is None or row.ticket in shown:
        return row
    return TimelineRow(row.at, row.who, row.what.replace(f"#{row.ticket}",
                                                         "a ticket of another product"),
                       row.kind, None)


def _visible(svc: Services, viewer, numbers: list[int]) -> list[Ticket]:
    """The tickets the agent may open; others are left out, as if never linked."""
    found = []
    for number in numbers:
        try:
            found.append(open_for_agent(svc, viewer, number))
        except TicketNotFound:
            continue
    return found


def timeline_row(config: PortalConfig, event: TicketEvent, lang: str) -> TimelineRow:
    who = event.by
    if event.role is AuthorRole.SYSTEM:  # A timer, or `loket publish` (a fix released).
        who = "Loket (publish)" if event.kind is EventKind.FIX_RELEASED else "Loket (timer)"
    if who == EMAIL_LINK:  # Rated from the e-mail's link, signed in or not.
        who = "the customer (e-mail link)"
    other = event.detail.get("other")
    return TimelineRow(event.at, who, describe(config, event, lang), event.kind.value,
                       int(other) if other and other.isdigit() else None)


def describe(config: PortalConfig, event: TicketEvent, lang: str) -> str:
    """One line in words an agent reads (statuses by their agent labels)."""
    d, status = event.detail, (lambda s: desk_view.status_label(config, s, lang))
    texts = {
        EventKind.CREATED: lambda: (f"Took the ticket by telephone for {d['for']}"
                                    if d.get("for") else "Submitted the ticket")
                                   + f" ({status(d.get('status', ''))})",
        EventKind.STATUS: lambda: (f"Status {status(d['old'])} → {status(d['new'])}"
                                   + _cause(d.get("cause", ""))),
        EventKind.PRIORITY: lambda: (f"Priority {d['old'] or '—'} → {d['new']} (impact "
                                     f"{d.get('impact')}, urgency {d.get('urgency')})"),
        EventKind.ASSIGNED: lambda: (f"Assigned to {d['new'] or 'nobody'}"
                                     + (f" (was {d['old']})" if d["old"] else "")),
        EventKind.WARRANTY: lambda: ("Marked as warranty" if d["new"] == "yes"
                                     else "Warranty mark taken off"),
        EventKind.CUSTOMER_MESSAGE: lambda: "Customer wrote: " + _excerpt(d),
        EventKind.REPLY: lambda: "Replied to the customer: " + _excerpt(d),
        EventKind.NOTE: lambda: "Internal note: " + _excerpt(d),
        EventKind.REMINDER: lambda: f"Reminder sent to the customer ({d.get('timer')})",
        EventKind.BREACH: lambda: f"SLA {d.get('target', '').replace('-', ' ')} target breached",
        EventKind.MERGED_INTO: lambda: f"Merged into #{d['other']} and closed",
        EventKind.MERGED_FROM: lambda: f"#{d['other']} was merged into this ticket",
        EventKind.LINKED: lambda: f"Linked to #{d['other']}",
        EventKind.KNOWN_ISSUE: lambda: f"Linked to known issue {d.get('issue')}",
        EventKind.FIX_RELEASED: lambda: (f"Fix for known issue {d.get('issue')} released "
                                         f"({d.get('release')})"),
        EventKind.RATED: lambda: (f"Rated the help {d['rating']}"
                                  + (f": “{d['comment']}”" if d.get("comment") else "")),
        EventKind.UPDATED: lambda: "Timers rescheduled",
        EventKind.PERSONAL_DATA_REMOVED: lambda: "Personal data removed (retention period)",
    }
    # A kind this page does not know yet still shows, by its name.
    return texts.get(event.kind, lambda: event.kind.value.replace("-", " ").capitalize())()


def _cause(cause: str) -> str:
    if cause == "timer":
        return " (timer)"
    if cause.endswith("-breached"):
        return " (SLA breach)"
    if cause in ("agent", "customer", "system", ""):
        return ""
    return f" ({cause.replace('-', ' ')})"


def _excerpt(detail) -> str:
    files = detail.get("files")
    return (detail.get("excerpt") or "") + (f" (+{files} file{'s' * (files != '1')})"
                                            if files else "")


def shown_row(svc: Services, viewer, event: TicketEvent, lang: str) -> TimelineRow:
    """One event's row for this agent: a merge or link with a ticket they may not open
    loses its number (as on the page), wherever the row goes (presence JSON, stale
    notice)."""
    row = timeline_row(svc.config, event, lang)
    if row.ticket is None:
        return row
    return _hidden_if_foreign(row, {t.number for t in _visible(svc, viewer, [row.ticket])})


def stale_text(svc: Services, viewer, stale: StaleView, lang: str) -> str:
    """Why a move was not made: what others did since the page was shown."""
    done = "; ".join(f"{row.who}: {row.what}" for row in
                     (shown_row(svc, viewer, e, lang) for e in stale.changes[-5:]))
    return (f"Not sent: the ticket changed since you opened it ({done}). Below is the "
            "ticket as it is now; your text is kept, so check it and send it again.")


# -- who else is here (polled by desk_presence.js) --------------------------------------

@bp.get("/tickets/<int:number>/presence")
def presence(number: int):
    """JSON for the page's poll: other agents with the ticket open, and what others
    changed since the page's version. Marks the caller present. Anyone but an agent of
    the ticket's product gets 404, as for the page."""
    me = require_viewer()
    try:
        ticket = open_for_agent(services(), me, number)
    except TicketNotFound:
        return jsonify({"title": "Not found"}), 404
    seen = request.args.get("version", "")
    found = here(services(), ticket, me.account.email,
                 int(seen) if seen.isdigit() and len(seen) < 19 else ticket.version)
    lang = language()
    return jsonify({
        "version": found.version, "others": found.others,
        "changes": [{"who": row.who, "what": row.what, "kind": row.kind,
                     "at": desk_view.local_time(services().config, row.at, lang)}
                    for row in (shown_row(services(), me, e, lang)
                                for e in found.changes)]})


# -- moves -------------------------------------------------------------------------------
# desk_pages imports this module (record_context, stale_text), so its act() is imported
# when a move runs: the same checks, page and answers as the desk's other moves.

@bp.post("/tickets/<int:number>/merge")
def merge_into(number: int):
    from loket.web.desk_pages import act

    return act(number, lambda me, t: merge(services(), me, t.number,
                                           request.form.get("into", "")))


@bp.post("/tickets/<int:number>/link")
def link_to(number: int):
    from loket.web.desk_pages import act

    return act(number, lambda me, t: link(services(), me, t.number,
                                          request.form.get("other", "")))
