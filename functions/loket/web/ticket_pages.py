"""The customer's moves on the ticket page (close as sign-off, reopen or follow up, rate)
and the rating page that the e-mail about a solved ticket links to. Plain form posts,
so they work without JavaScript; they call the workflow's services (services/status.py)."""

from __future__ import annotations

from flask import Blueprint, redirect, request

from loket.domain.errors import (AlreadyExists, TicketNotFound, TransitionRefused,
                                 ValidationFailed)
from loket.domain.workflow import Event
from loket.services.access import open_for_customer
from loket.services.followups import FINISHED, may_reopen_in_place, reopen_or_follow_up
from loket.services.information import FOLLOW_UP
from loket.services.ratings import (EMAIL_LINK, RATEABLE, rate, ticket_of_rating_link)
from loket.services.status import close_ticket
from loket.web.auth import form_token, viewer
from loket.web.current import services
from loket.web.i18n import strings
from loket.web.pages import field_messages, language, message_page, page, ticket_url
from loket.web.rendering import render_fragment

bp = Blueprint("ticket_pages", __name__, url_prefix="/portal")


def actions_of(ticket, token: str) -> dict:
    """What the ticket page offers: close, reopen (or a follow-up), rate."""
    workflow = services().config.workflow
    now = services().clock.now()
    category = services().config.status(ticket.status).category

    def possible(event: Event) -> bool:
        try:
            workflow.handle(ticket, event, now)  # Pure: nothing is stored.
            return True
        except TransitionRefused:
            return False

    reopen = None
    if possible(Event.CUSTOMER_REOPENS) and may_reopen_in_place(services(), ticket):
        reopen = "reopen"
    elif category in FINISHED:
        reopen = "follow-up"
    rating = services().store.get_rating(ticket.number) if category in RATEABLE else None
    return {"close": possible(Event.CUSTOMER_CLOSES), "reopen": reopen,
            "rate": category in RATEABLE and rating is None, "rating": rating,
            "query": f"?token={token}&lang=" if token else "?lang="}


def _ticket(number: int):
    return open_for_customer(services(), number, token=request.args.get("token"),
                             viewer=viewer())


def _not_found(lang: str):
    return message_page("not_found_title", strings(lang)["not_found_text"], lang, status=404)


def _refused(lang: str, exc: TransitionRefused | AlreadyExists | ValidationFailed):
    text = (" ".join(field_messages(exc).values()) if isinstance(exc, ValidationFailed)
            else str(exc))
    return message_page(None, text, lang, status=409 if not isinstance(
        exc, ValidationFailed) else 422, title=strings(lang)["errors_intro"])


@bp.post("/tickets/<int:number>/close")
def close(number: int):
    lang = language()
    try:
        ticket = _ticket(number)
    except TicketNotFound:
        return _not_found(lang)
    try:
        close_ticket(services(), number, body=request.form.get("body") or None, ticket=ticket)
    except (TransitionRefused, ValidationFailed) as exc:
        return _refused(lang, exc)
    return redirect(ticket_url(ticket, request.args.get("token", ""), lang), code=303)


@bp.post("/tickets/<int:number>/reopen")
def reopen(number: int):
    lang = language()
    try:
        ticket = _ticket(number)
    except TicketNotFound:
        return _not_found(lang)
    token = request.args.get("token", "")
    try:
        done = reopen_or_follow_up(services(), ticket, body=request.form.get("body") or None,
                                   viewer=None if ticket.opens_with(token) else viewer(),
                                   client_address=request.remote_addr or "unknown")
    except (TransitionRefused, ValidationFailed) as exc:
        return _refused(lang, exc)
    if done.follow_up:
        # The follow-up has its own secret link (in its receipt); a token holder is
        # sent there with it, a signed-in customer by their session.
        # The notice says why the customer lands on another ticket, as after adding
        # information (pages.notice_text).
        new_token = done.ticket.access_key if ticket.opens_with(token) else ""
        return redirect(f"{ticket_url(done.ticket, new_token, lang)}&notice={FOLLOW_UP}",
                        code=303)
    return redirect(ticket_url(ticket, token, lang), code=303)


@bp.post("/tickets/<int:number>/rating")
def rate_on_page(number: int):
    lang = language()
    try:
        ticket = _ticket(number)
    except TicketNotFound:
        return _not_found(lang)
    me = viewer()
    try:
        rate(services(), ticket, request.form.get("rating"), request.form.get("comment"),
             by=me.account.email if me else ticket.email)
    except (TransitionRefused, AlreadyExists, ValidationFailed) as exc:
        return _refused(lang, exc)
    return redirect(ticket_url(ticket, request.args.get("token", ""), lang), code=303)


# -- the rating link from the e-mail ----------------------------------------------------------

@bp.get("/ratings/<token>")
def rating_link(token: str):
    """Shows the form only: mail gateways open links on their own, so nothing is stored
    until the customer sends the form."""
    lang = language()
    try:
        ticket = ticket_of_rating_link(services(), token)
    except TicketNotFound:
        return _link_invalid(lang)
    return _rating_page(ticket, token, lang)


def _rating_page(ticket, token: str, lang: str, *, choice: str = "", comment: str = "",
                 error: str = "", done: bool = False, status: int = 200):
    rating = services().store.get_rating(ticket.number)
    content = render_fragment("rate.html", lang=lang, ticket=ticket, rating=rating,
                              action=f"/portal/ratings/{token}?lang={lang}",
                              csrf_token=form_token() if viewer() else "",
                              choice=choice, comment=comment, error=error)
    title = strings(lang)["rated_thanks"] if done else strings(lang)["rating_title"]
    return page(content, title=title, lang=lang, status=status,
                headers={"Referrer-Policy": "no-referrer"})


@bp.post("/ratings/<token>")
def rating_link_post(token: str):
    """The link's signature is the authority here (like a ticket's secret link), so
    the form needs no session; each ticket takes one rating."""
    lang = language()
    try:
        ticket = ticket_of_rating_link(services(), token)
    except TicketNotFound:
        return _link_invalid(lang)
    choice, comment = request.form.get("rating", ""), request.form.get("comment", "")
    try:
        rate(services(), ticket, choice, comment, by=EMAIL_LINK)
    except ValidationFailed as exc:
        return _rating_page(ticket, token, lang, choice=choice, comment=comment,
                            error=" ".join(field_messages(exc).values()), status=422)
    except (TransitionRefused, AlreadyExists) as exc:
        return _refused(lang, exc)
    return _rating_page(ticket, token, lang, done=True, status=201)


def _link_invalid(lang: str):
    t = strings(lang)
    return message_page(None, t["link_invalid_text"], lang, status=404,
                        title=t["link_invalid_title"])
