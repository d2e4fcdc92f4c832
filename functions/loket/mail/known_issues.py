"""The e-mails of known issues (domain/known_issues.py): the customer's ticket was
linked to one (its page and the workaround), and the fix was released (the release
note's link, and where that leaves the ticket). Like mail/updates.py, each function
only gathers its template's data into a queued mail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from loket.domain.known_issues import KnownIssue
from loket.domain.outgoing import OutgoingMail
from loket.domain.tickets import Ticket
from loket.mail.updates import _rating_url, _ticket_data, _to_customer

if TYPE_CHECKING:
    from loket.services.context import Services


def known_issue_email(services: "Services", ticket: Ticket, issue: KnownIssue) -> OutgoingMail:
    data = _issue_data(services, ticket, issue)
    return _to_customer(services, "known-issue", ticket, data)


def fix_released_email(services: "Services", ticket: Ticket, issue: KnownIssue) -> OutgoingMail:
    data = _issue_data(services, ticket, issue)
    data["release_title"] = issue.release.title if issue.release else ""
    data["release_url"] = site_url(services, issue.release.url) if issue.release else ""
    data["fixed_in"] = issue.fixed_in
    data["rating_url"] = _rating_url(services, ticket)
    return _to_customer(services, "fix-released", ticket, data)


def _issue_data(services: "Services", ticket: Ticket, issue: KnownIssue) -> dict:
    lang = ticket.language
    data = _ticket_data(services, ticket)
    data.update(issue_id=issue.id, issue_title=issue.title(lang),
                issue_url=site_url(services, issue.url(lang)),
                workaround=issue.workaround_in(lang))
    return data


def site_url(services: "Services", path: str) -> str:
    """A page of the site, which is served beside the portal (base_url)."""
    return services.base_url.rstrip("/") + "/" + path.lstrip("/")
