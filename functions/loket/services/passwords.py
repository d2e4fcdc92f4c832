"""Passwords: argon2id hashes, and a strength check that says why it refuses one.

Hashing uses argon2-cffi's RFC 9106 "low memory" profile (argon2id, 3 passes over
64 MiB, 4 lanes): it fits a Lambda of 512 MB next to the app. A hash made with older
parameters is replaced at the next sign-in (needs_rehash), so raising them later is
safe. zxcvbn scores the password against lists of common passwords, names, words,
keyboard patterns and dates; it is imported only where a password is set.
"""

from __future__ import annotations

import re
from functools import lru_cache

from loket.domain.errors import FieldError, ValidationFailed

MAX_PASSWORD_LENGTH = 256
# zxcvbn's scores run 0 to 4; 3 is "safely unguessable: moderate protection from an
# offline slow-hash scenario" (10^8 guesses and more).
MIN_SCORE = 3


@lru_cache(maxsize=1)
def default_hasher():
    from argon2 import PasswordHasher
    from argon2.profiles import RFC_9106_LOW_MEMORY

    return PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)


def hasher(services) -> object:
    return services.password_hasher or default_hasher()


def hash_password(services, password: str) -> str:
    return hasher(services).hash(password)


def verify_password(services, password_hash: str | None, password: str) -> bool:
    """True when `password` fits the hash. Without a hash (no such account, or one not
    yet activated) a dummy hash is checked, so the answer takes as long either way
    and the time tells no one which addresses have accounts."""
    from argon2.exceptions import InvalidHashError, VerificationError

    ph = hasher(services)
    try:
        return ph.verify(password_hash or _dummy_hash(ph), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(services, password_hash: str) -> bool:
    return hasher(services).check_needs_rehash(password_hash)


_DUMMIES: dict[int, str] = {}


def _dummy_hash(ph) -> str:
    key = id(ph)
    if key not in _DUMMIES:
        _DUMMIES[key] = ph.hash("not a password anyone has")
    return _DUMMIES[key]


def check_strength(password: object, *, min_length: int, personal: list[str],
                   field: str = "password") -> str:
    """The password, or ValidationFailed with the reason in plain words: too short,
    too long, or easy to guess (common, a name or address of the account's, a
    keyboard pattern), with zxcvbn's hint how to make it stronger."""
    if not isinstance(password, str) or not password:
        raise ValidationFailed([FieldError(field, "is required")])
    if len(password) < min_length:
        raise ValidationFailed([FieldError(
            field, f"is too short: use at least {min_length} characters")])
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed([FieldError(
            field, f"is too long: use at most {MAX_PASSWORD_LENGTH} characters")])
    from zxcvbn import zxcvbn

    # Each word of a name, address or the vendor's name counts as easy to guess.
    words = {w.lower() for text in personal if text for w in re.split(r"[\s@._+-]+", text)
             if len(w) >= 3}
    result = zxcvbn(password, user_inputs=sorted(words | {p.lower() for p in personal if p}))
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        reason = feedback.get("warning") or "This password is easy to guess."
        hints = " ".join(feedback.get("suggestions") or ["Use a few uncommon words together."])
        raise ValidationFailed([FieldError(field, f"is too weak. {reason} {hints}".strip())])
    return password
