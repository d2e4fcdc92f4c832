"""The fast path for plain addresses (domain/email_address.py) answers exactly as
email-validator does, and leaves every other address to it."""

from __future__ import annotations

import random
import string

import email_validator
import pytest
from email_validator import EmailNotValidError, validate_email

from loket.domain.email_address import SPECIAL_USE, normalized_address, plain_address

EDGES = ["ann@example.com", "Ann.Smith@Example.COM", "a@b.co", "a+tag@sub.example.org",
         "o'brien@example.ie", "x@123.com", "x@foo.123", "x@localhost", "x@foo.test",
         "x@foo.local", "x@a.arpa", "a@ab--cd.com", "a@xn--bcher-kva.example",
         "a..b@example.com", ".a@example.com", "a.@example.com", "a@-x.com", "a@x-.com",
         "a@x.c", "a@example", "@example.com", "a@@example.com", "ann @example.com",
         "ann@example.com ", "\"quoted\"@example.com", "ännie@example.com", "a@exämple.com",
         "a" * 64 + "@example.com", "a" * 65 + "@example.com",
         "a@" + "b" * 63 + ".com", "a@" + "b" * 64 + ".com",
         "a@" + ".".join(["c" * 60] * 4) + ".com", "a@EXAMPLE.travel", "a{b}|c@x.nl"]


def validator_answer(address: str) -> str | None:
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def generated(count: int) -> list[str]:
    rng = random.Random(10)
    local_chars = string.ascii_letters + string.digits + ".+-_'!#~" + "é\""
    domain_chars = string.ascii_letters + string.digits + "-." + "ü"
    return [("".join(rng.choice(local_chars) for _ in range(rng.randint(0, 12))) + "@"
             + "".join(rng.choice(domain_chars) for _ in range(rng.randint(0, 14)))
             + rng.choice(["", ".com", ".nl", ".x", ".123", ".test", ".COM"]))
            for _ in range(count)]


@pytest.mark.parametrize("address", EDGES + generated(1500))
def test_the_fast_path_takes_only_what_the_package_takes_and_normalizes_alike(address):
    fast = plain_address(address)
    if fast is not None:
        assert fast == validator_answer(address)
    expected = validator_answer(address)
    if expected is None:
        with pytest.raises(ValueError, match="is not a valid e-mail address"):
            normalized_address(address)
    else:
        assert normalized_address(address) == expected


def test_plain_addresses_take_the_fast_path():
    assert plain_address("Ann.Smith@Example.COM") == "Ann.Smith@example.com"
    assert plain_address("ännie@example.com") is None


def test_the_special_use_names_are_the_packages():
    assert set(SPECIAL_USE) == set(email_validator.SPECIAL_USE_DOMAIN_NAMES)
