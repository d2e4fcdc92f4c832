"""'This affects me too' by e-mail address (#16), for a customer who is not signed in.

They give their address on the known issue's portal page; we e-mail a signed link
(itsdangerous, the app's secret keys: the newest signs, all are accepted while a key
changes) that names the address, the issue and the language. Following it and pressing
the button links their open ticket of the issue's product, or a new one about the
issue (services/known_issues.link_ticket: the workflow's event, the timeline, the
workaround e-mailed). Nothing is stored before the link is followed, so an address
typed by someone else gets one e-mail and nothing more. The link is good for
VALID_FOR and is a POST behind a page, so a mail scanner that opens it links nothing.
"""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import (BadSignature, SignatureExpired, TimestampSigner,
                          URLSafeTimedSerializer)

from loket.domain.errors import RateLimited, Refused, TicketNotFound
from loket.domain.events import Actor
from loket.domain.known_issues import KnownIssue
from loket.domain.tickets import AuthorRole
from loket.mail.compose import letter
from loket.mail.known_issues import site_url
from loket.services.accounts import clean_email
from loket.services.context import Services
from loket.services.known_issues import link_ticket
from loket.services.ratelimit import count_in_window
from loket.services.sessions import Viewer
from loket.storage.account_records import TicketQuery

SALT = "loket.known-issue.affects-me"
VALID_FOR = timedelta(days=3)
MAIL_KIND = "known-issue-confirm"
# Requests per hour: from one client, and for one address (each is an e-mail sent).
PER_CLIENT, PER_ADDRESS = 10, 3


class LinkInvalid(Exception):
    """The link is forged, for another issue, or too old."""


def ask_to_confirm(services: Services, issue: KnownIssue, email: object, lang: str, *,
                   client_address: str) -> str:
    """Queue the e-mail with the signed link; the address, cleaned. ValidationFailed
    names the field `email`; RateLimited when asked too often."""
    _throttle(services, f"affects:{client_address}", PER_CLIENT)
    email = clean_email(email)
    _throttle(services, f"affects:{email}", PER_ADDRESS)
    token = _signer(services).dumps({"e": email, "i": issue.id, "l": lang})
    link = (f"{services.base_url.rstrip('/')}/portal/known-issues/{issue.id}/confirm/"
            f"{token}?lang={lang}")
    data = {"vendor": services.config.vendor, "link": link, "issue_id": issue.id,
            "issue_title": issue.title(lang), "issue_url": site_url(services, issue.url(lang)),
            "days": VALID_FOR.days}
    services.store.enqueue_mail([letter(MAIL_KIND, lang=lang, mail_from=services.mail_from,
                                        to=email, data=data,
                                        created_at=services.clock.now())])
    return email


def confirmed_address(services: Services, issue: KnownIssue, token: str) -> str:
    """The address a link was sent to, or LinkInvalid."""
    try:
        payload = _signer(services).loads(token, max_age=int(VALID_FOR.total_seconds()))
    except (SignatureExpired, BadSignature):
        raise LinkInvalid() from None
    if not isinstance(payload, dict) or payload.get("i") != issue.id:
        raise LinkInvalid()
    return str(payload.get("e", ""))


def link_by_address(services: Services, issue: KnownIssue, email: str, *,
                    new_ticket: dict, client_address: str) -> int:
    """Link the address's open ticket of the issue's product (the newest), or a new one;
    its number. An address with an account acts as that account (its rights and
    plan apply); TicketNotFound when the account may not see the issue's product.
    `new_ticket`: the form data of the new ticket, when one is made."""
    from loket.services.access import statuses_of
    from loket.services.submission import submit_ticket

    viewer = _viewer(services, email)
    if viewer is not None and (viewer.account.is_agent
                               or issue.product not in (*viewer.rights, "all")):
        raise TicketNotFound(0)
    found = services.store.list_tickets(TicketQuery(
        products=frozenset({issue.product}), account=email, limit=1,
        statuses=statuses_of(services, "active")))
    if found:
        number = found[0].number
    else:
        receipt = submit_ticket(services, new_ticket, client_address=client_address,
                                viewer=viewer)
        number = receipt.ticket.number
    link_ticket(services, number, issue, by=Actor(email, AuthorRole.CUSTOMER))
    return number


def _viewer(services: Services, email: str) -> Viewer | None:
    account = services.store.get_account(email)
    if account is None:
        return None
    if not account.active:
        raise Refused("This address has an account that is not active yet: accept its "
                      "invitation first.", kind="account-inactive")
    org = services.store.get_organization(account.organization) if account.organization else None
    return Viewer(account, org)


def _signer(services: Services) -> URLSafeTimedSerializer:
    keys = list(services.signing_keys())
    if not keys:
        raise RuntimeError("no secret key to sign links with (LOKET_SECRET_KEY)")
    clock = services.clock

    class ClockSigner(TimestampSigner):
        """Timestamps from the services' clock, so tests move time as everywhere else."""

        def get_timestamp(self) -> int:
            return int(clock.now().timestamp())

    # itsdangerous wants the newest key last.
    return URLSafeTimedSerializer(list(reversed(keys)), salt=SALT, signer=ClockSigner)


def _throttle(services: Services, key: str, limit: int) -> None:
    count, retry_after = count_in_window(services, key, 3600)
    if count > limit:
        raise RateLimited(limit, "hour", retry_after, unit="confirmation e-mails")
