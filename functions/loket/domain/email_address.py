"""An e-mail address as a form takes it: checked and normalized as email-validator does.

Why a fast path: importing email-validator (its rule tables, idna) costs a Lambda
cold start some 5% of a bare Flask handler's whole start, and nearly every address
customers type is a plain one: ASCII words joined by dots, an @, and ordinary domain
labels. For those the answer is known without the package: the address as typed with
its domain in lower case. Anything else (Unicode, quotes, IDNA, odd lengths, special-use
names) goes to email-validator itself, as does every address it would refuse, so the
package alone decides what is refused and how the refusal reads. tests/unit/
test_email_address.py holds the fast path to the package's answers.
"""

from __future__ import annotations

import re

# RFC 5322 dot-atom text of the local part; domain labels of letters, digits and inner
# hyphens; a top-level domain of letters only (email-validator refuses numeric ones).
_PLAIN = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})")
# email-validator's special-use names (SPECIAL_USE_DOMAIN_NAMES): refused there, so
# never taken here. The test checks the list against the package's.
SPECIAL_USE = ("arpa", "invalid", "local", "localhost", "onion", "test")


def normalized_address(value: str) -> str:
    """The address as email-validator normalizes it (without asking DNS), or ValueError
    saying why it is not valid."""
    plain = plain_address(value)
    if plain is not None:
        return plain
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid e-mail address: {exc}") from None


def plain_address(value: str) -> str | None:
    """The normalized form of a plain ASCII address, None for any other."""
    found = _PLAIN.fullmatch(value)
    if found is None or len(value) > 254 or value.index("@") > 64:
        return None
    domain = found.group(1).lower()
    # Any domain ending in a special-use name's letters is left to the package: a few
    # more addresses take the slow path, none is taken wrongly.
    if "--" in domain or domain.endswith(SPECIAL_USE):
        return None
    return value[:found.start(1)] + domain


# What no stored address holds: blanks, C0/C1 controls, line separators, zero-width and
# bidi formatting characters (an RTL override makes one address read as another).
_NEVER_IN_AN_ADDRESS = re.compile(
    "[\\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]")


def could_be_address(value: str) -> bool:
    """A loose check for an address the desk is given to look up (it may name mail the
    stores hold that email-validator would refuse today): something@something, at most
    254 characters, none of them blank, control or invisible formatting."""
    local, at, domain = value.rpartition("@")
    return (bool(at and local and domain) and len(value) <= 254
            and _NEVER_IN_AN_ADDRESS.search(value) is None)
