"""Known issues on the agent desk: the ticket page's "Known issue" form links the
ticket to one of its product's known issues (services/known_issues.py), and shows
those it is linked to. Same rights as the rest of the desk (desk_pages.act): only an
agent of the ticket's product; anyone else gets the "not found" page.

The issues come from the built site's known-issues.json (the site build writes it,
also beside the search index, which the AWS function ships)."""

from __future__ import annotations

from flask import Blueprint, request

from loket.domain.events import Actor
from loket.domain.tickets import AuthorRole, Ticket
from loket.services.known_issues import find_issue, link_ticket, linked_issues
from loket.web.current import services
from loket.web.known_issue_pages import catalog

bp = Blueprint("desk_known_issues", __name__, url_prefix="/desk")


@bp.record_once
def _install_template_helper(state) -> None:
    """desk_ticket.html includes desk_known_issue.html, which asks known_issues_of()
    for its data: the desk's page renders through the shared fragment environment
    (web/rendering.py), so the helper is a global there, and desk_pages.py need not
    know of known issues."""
    from loket.web.rendering import _environment

    _environment().globals["known_issues_of"] = known_issues_of


def known_issues_of(ticket: Ticket) -> dict:
    """What desk_known_issue.html shows: the issues of the ticket's product (not yet
    linked) and those linked, with their page's path."""
    issues = catalog()
    linked = linked_issues(services(), ticket.number)
    shown = [issues.issues[i] for i in linked if i in issues.issues]
    return {"linked": shown, "unknown": [i for i in linked if i not in issues.issues],
            "choices": [i for i in issues.for_product(ticket.product) if i.id not in linked]}


@bp.post("/tickets/<int:number>/known-issue")
def link_known_issue(number: int):
    from loket.web.desk_pages import act

    def move(me, ticket):
        issue = find_issue(catalog(), request.form.get("issue", ""))
        link_ticket(services(), ticket.number, issue,
                    by=Actor(me.account.email, AuthorRole.AGENT))

    return act(number, move)
