"""Comparing secrets that strangers send: access keys, CSRF tokens, link signatures.

What arrives may be any text (non-ASCII, NUL, megabytes, lone surrogates). It must
answer exactly as a wrong secret does, never raise, and take no time that depends on
where it differs: so both sides are compared as bytes, in constant time.
"""

from __future__ import annotations

import hmac

# No secret Loket hands out is longer; anything longer is wrong without a look.
MAX_SECRET_LENGTH = 512


def same_secret(expected: str, given: object) -> bool:
    """True when `given` is exactly `expected`; False for anything else, whatever it is."""
    if not expected or not isinstance(given, str) or not given or len(given) > MAX_SECRET_LENGTH:
        return False
    return hmac.compare_digest(expected.encode("utf-8"),
                               given.encode("utf-8", "surrogatepass"))
