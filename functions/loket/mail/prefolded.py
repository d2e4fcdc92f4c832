"""Content headers that the email package reads as they are and writes without work.

compose() sets each message's Content-Type and its parts' Content-Type and
Content-Transfer-Encoding. The generator reads them a dozen times while it writes a
message (type, subtype, boundary, encoding): a value set as a plain string is parsed by
the header registry at every read, so they were header objects, read as they are. But
a header object folds itself anew every time the message is written (its parse tree
refolded), and the message's own, whose boundary differs every time, was parsed once
per message to make it: together a third of composing and writing a receipt.

A Prefolded value is what the header registry's object would be to the email package,
at neither cost: a str (what every reader of the header takes it for) with the `name`
that makes the policy keep it as it is, and a fold() that gives the registry's own
folding of it, worked out once per policy and value shape. All boundaries of compose()
have one shape (15 "=", 19 digits, "=="), and a header's folding depends on the lengths
and kinds of its characters, not on which digits they are: the multipart header is
folded once with a stand-in boundary, which each message's boundary then replaces
(unless the policy's lines are too short to hold it whole: then it is folded itself).
tests/mail/test_prefolded.py compares with the registry's folding.
"""

from __future__ import annotations


class Prefolded(str):
    """A header value that folds as the header registry folds `name: value`, read as
    the plain string it is. `stand_in` and `actual`: fold `value` with `stand_in` in
    place of `actual` and put `actual` back (a value of the same shape)."""

    defects = ()  # as a header object without defects has them

    def __new__(cls, name: str, value: str, stand_in: str = "", actual: str = ""):
        header = super().__new__(cls, value)
        header.name = name
        header._shape = (value.replace(actual, stand_in, 1) if actual else value, stand_in,
                         actual)
        return header

    def fold(self, *, policy) -> str:
        shape, stand_in, actual = self._shape
        folded = _fold(self.name, shape, policy)
        if not actual:
            return folded
        if stand_in in folded:  # written as it is, on one line: put the actual one in
            return folded.replace(stand_in, actual, 1)
        # Lines too short for it (the registry splits and encodes it): fold this one.
        from email.policy import default

        return default.header_factory(self.name, str(self)).fold(policy=policy)

    def __reduce__(self):  # copy and pickle make a Prefolded again, not a plain str
        shape, stand_in, actual = self._shape
        return (Prefolded, (self.name, str(self), stand_in, actual))


# The registry's folding by header and by what it reads from a policy (not the policy
# itself: smtplib clones one for every message it sends). A few shapes in all.
_FOLDED: dict[tuple, str] = {}
_MOST = 256


def _fold(name: str, value: str, policy) -> str:
    key = (name, value, policy.linesep, policy.max_line_length, policy.utf8)
    folded = _FOLDED.get(key)
    if folded is None:
        from email.policy import default

        if len(_FOLDED) >= _MOST:  # never reached by compose(): a bound all the same
            _FOLDED.clear()
        folded = _FOLDED[key] = default.header_factory(name, value).fold(policy=policy)
    return folded
