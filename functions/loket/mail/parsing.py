"""The email package's default policy, with parsed headers remembered.

With policy.default every read of a header parses it again (headerregistry), and the
parser itself reads Content-Type several times per part: a third of mail-in's time went
to parsing the same few header values over and over (bench/mail_in_bench.py). Parsed
headers are immutable str subclasses, so one parse of a (name, value) pair can serve
every read, in every message.
"""

from __future__ import annotations

from functools import lru_cache
from email.policy import EmailPolicy, linesep_splitter

_DEFAULT = EmailPolicy()


class RememberingPolicy(EmailPolicy):
    """policy.default, reading each distinct header value once."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return value
        return _parsed(name, "".join(linesep_splitter.split(value)))


@lru_cache(maxsize=8192)
def _parsed(name: str, value: str):
    return _DEFAULT.header_factory(name, value)


PARSING_POLICY = RememberingPolicy()


def forget_parsed_headers() -> None:
    """Start with no header remembered (benchmarks measure mail never seen before)."""
    _parsed.cache_clear()
