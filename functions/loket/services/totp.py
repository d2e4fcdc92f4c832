"""Agents' second factor: a TOTP code (RFC 6238) from an authenticator app, or a
recovery code, after the password and before the session.

- With `accounts.agents_second_factor` on, a right password gives an agent no session
  but a short-lived, single-use pending link (a OneTimeToken of purpose
  SECOND_FACTOR, its secret in a cookie): the session starts only with a right code.
- The first time, the agent gets a new authenticator key, shown as a QR code and as
  text; the first right code confirms it and makes ten recovery codes, shown once and
  kept only as argon2 hashes, like passwords. Until then a new sign-in makes a new
  key, so a key someone else saw on the way is never the one set up.
- Each code counts once: a TOTP time step and a recovery code are each taken by an
  atomic store counter (`add_to_counter(..., at_most=1)`), so a code seen over a
  shoulder or sent twice at once opens one session at most.
- Wrong and reused codes count against the same limits as wrong passwords
  (services/sign_in_limits.py).

Time comes from the services' clock, so tests move it.
"""

from __future__ import annotations

import hmac
import io
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta

import pyotp

from loket.domain.accounts import (Account, OneTimeToken, SecondFactor, TokenPurpose,
                                   secret_hash)
from loket.domain.errors import FieldError, Refused, ValidationFailed
from loket.services.context import Services
from loket.services.passwords import hash_password, verify_password
from loket.services.sign_in_limits import SignInAttempt

PENDING_MINUTES = 10
RECOVERY_CODES = 10
# Codes from one step before and after now are accepted too: phones' clocks drift.
DRIFT_STEPS = 1
WRONG_CODE = "This code is not right, or it was used already."
# Recovery codes are written in groups of four of these: no 0/o, 1/l/i to confuse.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def required_for(services: Services, account: Account) -> bool:
    return account.is_agent and services.config.accounts.agents_second_factor


@dataclass(frozen=True)
class Pending:
    """An agent between a right password and a right code."""

    account: Account

    @property
    def setting_up(self) -> bool:
        factor = self.account.second_factor
        return factor is None or not factor.confirmed


def begin(services: Services, account: Account) -> str:
    """After a right password: the pending link's secret (for a cookie). An agent
    without a confirmed authenticator gets a new key to set up."""
    factor = account.second_factor
    if factor is None or not factor.confirmed:
        account = replace(account, second_factor=SecondFactor(secret=pyotp.random_base32()))
        services.store.save_account(account)
    secret = secrets.token_urlsafe(32)
    now = services.clock.now()
    services.store.create_token(OneTimeToken(
        hash=secret_hash(secret), purpose=TokenPurpose.SECOND_FACTOR, email=account.email,
        created_at=now, expires_at=now + timedelta(minutes=PENDING_MINUTES)))
    return secret


def pending(services: Services, secret: str | None) -> Pending | None:
    if not secret:
        return None
    token = services.store.get_token(secret_hash(secret), TokenPurpose.SECOND_FACTOR,
                                     services.clock.now())
    account = services.store.get_account(token.email) if token else None
    if account is None or account.second_factor is None:
        return None
    return Pending(account)


def setup_uri(services: Services, account: Account) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(account.second_factor.secret).provisioning_uri(
        name=account.email, issuer_name=services.config.vendor)


def qr_svg(uri: str) -> bytes:
    """The QR code of `uri` as a standalone SVG image (served as a file, so the page's
    CSP needs no inline image or script)."""
    import segno

    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=2, dark="#000",
                                    light="#fff", title="Authenticator set-up code")
    return out.getvalue()


def finish(services: Services, secret: str, code: object, *,
           client_address: str) -> tuple[Account, list[str]]:
    """Check the code of a pending sign-in. Returns the account (its session may
    start) and, when this confirmed a new authenticator, the recovery codes to show
    once. ValidationFailed (field `code`) for a wrong or reused code; Refused when
    the pending link expired or was used."""
    found = pending(services, secret)
    if found is None:
        raise _expired()
    account = found.account
    attempt = SignInAttempt.begin(services, client_address)
    attempt.for_account(account.email, client_address)
    if not _take_code(services, account, _normalized(code)):
        raise ValidationFailed([FieldError("code", WRONG_CODE)])
    attempt.succeeded()
    if services.store.take_token(secret_hash(secret), TokenPurpose.SECOND_FACTOR,
                                 services.clock.now()) is None:
        raise _expired()
    if not found.setting_up:
        return services.store.get_account(account.email), []
    return _confirm(services, account)


def _expired() -> Refused:
    return Refused("The sign-in took too long or was finished already. Sign in again.",
                   kind="second-factor-expired", title="Sign in again")


def _normalized(code: object) -> str:
    if not isinstance(code, str):
        return ""
    return "".join(code.split()).replace("-", "").lower()[:64]


def _take_code(services: Services, account: Account, code: str) -> bool:
    factor = account.second_factor
    if code.isdigit() and len(code) == 6:
        step = _matching_step(services, factor.secret, code)
        return step is not None and _take_once(services, f"totp-used:{account.email}:{step}")
    if factor.confirmed and len(code) == 16:
        return _take_recovery_code(services, account, code)
    return False


def _matching_step(services: Services, key: str, code: str) -> int | None:
    totp = pyotp.TOTP(key)
    now = services.clock.now()
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _take_once(services: Services, name: str) -> bool:
    return services.store.add_to_counter(name, 1, at_most=1) is not None


def _take_recovery_code(services: Services, account: Account, code: str) -> bool:
    factor = account.second_factor
    code_id = code[:4]
    hashes = [h for i, h in factor.recovery if i == code_id]
    if not hashes or not verify_password(services, hashes[0], code):
        return False
    if not _take_once(services, f"recovery-used:{account.email}:{code_id}"):
        return False
    current = services.store.get_account(account.email)
    kept = tuple(pair for pair in current.second_factor.recovery if pair[0] != code_id)
    services.store.save_account(replace(current, second_factor=replace(
        current.second_factor, recovery=kept)))
    return True


def _confirm(services: Services, account: Account) -> tuple[Account, list[str]]:
    codes = new_recovery_codes()
    current = services.store.get_account(account.email)
    confirmed = replace(current.second_factor, confirmed=True, recovery=tuple(
        (code[:4], hash_password(services, code)) for code in codes))
    current = replace(current, second_factor=confirmed)
    services.store.save_account(current)
    return current, [shown(code) for code in codes]


def new_recovery_codes() -> list[str]:
    """Ten codes of 16 characters (about 79 bits each), with distinct first groups:
    the first group picks the one hash to check."""
    codes: dict[str, str] = {}
    while len(codes) < RECOVERY_CODES:
        code = "".join(secrets.choice(_ALPHABET) for _ in range(16))
        codes.setdefault(code[:4], code)
    return list(codes.values())


def shown(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def recovery_codes_left(account: Account) -> int:
    return len(account.second_factor.recovery) if account.second_factor else 0


def forget(services: Services, email: str) -> Account:
    """The operator's way back for an agent who lost both their authenticator and their
    recovery codes: the next sign-in sets up a new one. Every session ends."""
    account = services.store.get_account(email)
    if account is None:
        raise Refused(f"There is no account {email}.", kind="not-found", title="Not found")
    account = replace(account, second_factor=None, session_epoch=account.session_epoch + 1)
    services.store.save_account(account)
    return account
