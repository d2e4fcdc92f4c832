"""Accounts: invitations, setting a password (first time or after a reset), signing in.

An account is made by invitation only: an operator (CLI) or an agent names the address,
the organization and the products; the invitee gets a single-use, expiring link to a
page where they give their name and a strong password, and are signed in. A password
reset is the same link with another purpose. The store keeps only a hash of each link.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from datetime import timedelta
from typing import Iterable

from loket.mail.durations import describe_duration
from loket.domain.accounts import (Account, OneTimeToken, Role, TokenPurpose, email_key,
                                   secret_hash)
from loket.domain.errors import (AlreadyExists, FieldError, Refused, SignInThrottled,
                                 ValidationFailed)
from loket.domain.forms import LANGUAGES
from loket.domain.text import has_visible_character, single_line
from loket.mail.compose import letter
from loket.services.context import Services
from loket.services.organizations import check_products, require_organization
from loket.services.passwords import (check_strength, hash_password, needs_rehash,
                                      verify_password)
from loket.services.ratelimit import count_in_window
from loket.services.sign_in_limits import SignInAttempt

log = logging.getLogger(__name__)
MAX_NAME_LENGTH = 100
WRONG_SIGN_IN = "The e-mail address or the password is not right."


def clean_email(email: object, field: str = "email") -> str:
    from loket.domain.forms import _clean_email

    if not isinstance(email, str) or not email.strip():
        raise ValidationFailed([FieldError(field, "is required")])
    try:
        return email_key(_clean_email(email.strip()))
    except ValueError as exc:
        raise ValidationFailed([FieldError(field, str(exc))]) from None


# -- invitations -------------------------------------------------------------------------

def invite(services: Services, email: str, *, organization: str | None,
           products: Iterable[str] = (), role: Role = Role.CUSTOMER,
           support_contact: bool = False, language: str = "en",
           invited_by: Account | None = None) -> tuple[Account, str]:
    """Make the account (not active until the invitation is accepted) and e-mail the
    link; inviting an address again that has not accepted yet sends a new link.
    Returns the account and the link. An agent may invite only for products whose
    review board they are on."""
    email = clean_email(email)
    products = check_products(services, products)
    if language not in LANGUAGES:
        raise ValidationFailed([FieldError("language", f"must be one of: {', '.join(LANGUAGES)}")])
    if role is Role.CUSTOMER:
        org = require_organization(services, organization)
        outside = products - org.products
        if outside:
            raise ValidationFailed([FieldError("products", (
                f"organization '{org.id}' has no rights to {', '.join(sorted(outside))}; "
                "grant them to the organization first"))])
    if invited_by is not None:
        _check_agent_may_invite(invited_by, role, products)
    account = Account(email=email, role=role, created_at=services.clock.now(),
                      organization=organization, products=products,
                      support_contact=support_contact, language=language)
    try:
        services.store.create_account(account)
    except AlreadyExists:
        existing = services.store.get_account(email)
        if existing.active:
            raise AlreadyExists(f"{email} has an account already") from None
        if invited_by is not None:
            # A pending invitation of another board's is not the agent's to move.
            _check_agent_may_invite(invited_by, existing.role, existing.products or products)
        account = replace(existing, organization=organization, products=products, role=role,
                          support_contact=support_contact, language=language)
        services.store.save_account(account)
    link = _send_link(services, account, TokenPurpose.INVITATION,
                      timedelta(days=services.config.accounts.invitation_days))
    return account, link


def _check_agent_may_invite(agent: Account, role: Role, products: frozenset[str]) -> None:
    """Agents invite customers, into products of their own review boards only. At least
    one product must be named: the products are what ties the invitation (and the
    organization, which must hold them) to the agent's boards."""
    if not agent.is_agent:
        raise Refused("Only agents and operators invite accounts.")
    if role is not Role.CUSTOMER:
        raise Refused("Agents invite customers; operators invite agents (loket accounts invite).")
    if not products:
        raise ValidationFailed([FieldError("products", (
            "name at least one product whose review board you are on"))])
    if not products <= agent.products:
        raise Refused("Agents invite only for products whose review board they are on.")


def invitation_for(services: Services, secret: str) -> Account | None:
    """The account a link invites, while it is valid; nothing is used up."""
    return _account_of(services, secret, TokenPurpose.INVITATION)


def accept_invitation(services: Services, secret: str, data: dict) -> Account:
    """Set name and password from the invitation page and activate the account. The
    link is used up only when the input is good."""
    return _set_password(services, secret, TokenPurpose.INVITATION, data, with_name=True)


# -- password reset ----------------------------------------------------------------------

def request_password_reset(services: Services, email: object, *, client_address: str) -> None:
    """E-mail a reset link when an active account has this address. The answer is the
    same either way, and comes after the same time (`password_reset_answer_ms`), so no
    one learns which addresses have accounts, by its words or by its timing."""
    answer_at = services.clock.now() + timedelta(
        milliseconds=services.config.accounts.password_reset_answer_ms)
    _throttle(services, f"reset:{client_address}", services.config.accounts.login_limits.per_address,
              "address")
    try:
        email = clean_email(email)
    except ValidationFailed:
        raise
    _throttle(services, f"reset:{email}", 3, "account")
    account = services.store.get_account(email)
    if account is not None and account.active:
        _send_link(services, account, TokenPurpose.PASSWORD_RESET,
                   timedelta(minutes=services.config.accounts.password_reset_minutes))
    _wait_until(services, answer_at)


def _wait_until(services: Services, moment) -> None:
    """Pad the answer to `moment`: whatever work came before (a link stored and
    e-mailed, or nothing) then takes the same time."""
    left = (moment - services.clock.now()).total_seconds()
    if left > 0:
        services.clock.sleep(left)
    elif services.config.accounts.password_reset_answer_ms:
        log.warning("a password-reset answer took %.0f ms beyond accounts."
                    "password_reset_answer_ms: raise it so the time tells nothing", -left * 1000)


def reset_for(services: Services, secret: str) -> Account | None:
    return _account_of(services, secret, TokenPurpose.PASSWORD_RESET)


def reset_password(services: Services, secret: str, data: dict) -> Account:
    return _set_password(services, secret, TokenPurpose.PASSWORD_RESET, data, with_name=False)


# -- signing in --------------------------------------------------------------------------

def sign_in(services: Services, email: object, password: object, *,
            client_address: str) -> Account:
    """The account, when the password fits; ValidationFailed with one message for every
    wrong answer (unknown address, wrong password, not yet activated). Only failures
    count against the limits, per client address and per account and address, so a
    stranger's guesses never lock the owner out (services/sign_in_limits.py)."""
    attempt = SignInAttempt.begin(services, client_address)
    try:
        key = clean_email(email)
    except ValidationFailed:
        raise ValidationFailed([FieldError("email", WRONG_SIGN_IN)]) from None
    attempt.for_account(key, client_address)
    account = services.store.get_account(key)
    if not isinstance(password, str) or not verify_password(
            services, account.password_hash if account else None, password):
        raise ValidationFailed([FieldError("email", WRONG_SIGN_IN)])
    attempt.succeeded()
    if needs_rehash(services, account.password_hash):
        account = replace(account, password_hash=hash_password(services, password))
        services.store.save_account(account)
    return account


def _throttle(services: Services, key: str, limit: int, scope: str) -> None:
    minutes = services.config.accounts.login_limits.window_minutes
    count, retry_after = count_in_window(services, key, minutes * 60)
    if count > limit:
        raise SignInThrottled(scope=scope, retry_after=retry_after)


# -- inside ------------------------------------------------------------------------------

def _send_link(services: Services, account: Account, purpose: TokenPurpose,
               valid_for: timedelta) -> str:
    secret = secrets.token_urlsafe(32)
    now = services.clock.now()
    path = "invitations" if purpose is TokenPurpose.INVITATION else "password-reset"
    # In the account's language: the invitee lands on a page in the e-mail's language.
    link = f"{services.base_url.rstrip('/')}/portal/{path}/{secret}?lang={account.language}"
    org = services.store.get_organization(account.organization) if account.organization else None
    data = {"vendor": services.config.vendor, "link": link, "name": account.first_name,
            "organization": org.name if org else None, "hours": int(valid_for.total_seconds() // 3600),
            "minutes": int(valid_for.total_seconds() // 60), "email": account.email,
            # "7 days", not "168 hours", in the invitee's language.
            "valid_for": describe_duration(valid_for, account.language)}
    # An agent's invitation speaks to an agent: a template folder of its own.
    kind = ("agent-invitation" if purpose is TokenPurpose.INVITATION and account.is_agent
            else purpose.value)
    # The link and the e-mail that carries it are stored in one write: the dispatcher
    # sends it; once sent, the queue keeps no copy of the link (storage/mail_records.py).
    mail = letter(kind, lang=account.language, mail_from=services.mail_from,
                  to=account.email, data=data, created_at=now)
    services.store.create_token(OneTimeToken(hash=secret_hash(secret), purpose=purpose,
                                             email=account.email, created_at=now,
                                             expires_at=now + valid_for), mails=[mail])
    return link


def _account_of(services: Services, secret: str, purpose: TokenPurpose) -> Account | None:
    token = services.store.get_token(secret_hash(secret), purpose, services.clock.now())
    return services.store.get_account(token.email) if token else None


def _set_password(services: Services, secret: str, purpose: TokenPurpose, data: dict, *,
                  with_name: bool) -> Account:
    account = _account_of(services, secret, purpose)
    if account is None:
        raise Refused("This link is not valid: it was used already, or it expired. "
                      "Ask for a new one.", kind="link-invalid", title="Link not valid")
    errors: list[FieldError] = []
    names = {}
    if with_name:
        for field in ("first_name", "last_name"):
            value = single_line(str(data.get(field) or ""))
            if not has_visible_character(value):
                errors.append(FieldError(field, "is required"))
            elif len(value) > MAX_NAME_LENGTH or any(c in value for c in "<>"):
                errors.append(FieldError(field, f"must be at most {MAX_NAME_LENGTH} plain characters"))
            names[field] = value
    password = data.get("password")
    try:
        check_strength(password, min_length=services.config.accounts.password_min_length,
                       personal=[account.email, *account.email.split("@")[0].split("."),
                                 *names.values(), account.first_name, account.last_name,
                                 services.config.vendor])
    except ValidationFailed as exc:
        errors += exc.errors
    if not errors and data.get("password_again") != password:
        errors.append(FieldError("password_again", "is not the same as the password"))
    if errors:
        raise ValidationFailed(errors)
    if services.store.take_token(secret_hash(secret), purpose, services.clock.now()) is None:
        raise Refused("This link is not valid: it was used already, or it expired.",
                      kind="link-invalid", title="Link not valid")
    account = services.store.get_account(account.email)
    account = replace(account, password_hash=hash_password(services, password),
                      session_epoch=account.session_epoch + 1, **names)
    services.store.save_account(account)
    return account
