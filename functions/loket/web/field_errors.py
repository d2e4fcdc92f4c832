"""A validator's message (FieldError: "is required", "is too long (…)") as a whole
sentence in the page's language, for the message under a form's field.

The services speak short English fragments meant for API clients and logs; a page
shows people a sentence they can act on. Each rule matches a fragment (its numbers
carried over); a fragment no rule knows keeps its English words as a sentence, and
tests/unit/test_field_errors.py lists the fragments customers meet, so a new one
without a translation fails there."""

from __future__ import annotations

import re

from loket.locale import N_, decimal_mark, gettext_in, translations

# services/accounts.py's WRONG_SIGN_IN (tests/unit/test_field_errors.py checks they
# match); not imported, so the API's error path loads no account code.
WRONG_SIGN_IN = "The e-mail address or the password is not right."

# (field or None for any field, fragment pattern, sentence). The sentence is English,
# translated by the catalogs; its {names} are the pattern's groups.
RULES: list[tuple[str | None, re.Pattern, str]] = [
    ("email", re.compile(r"is not a valid e-mail address"),
     N_("This is not a valid e-mail address: enter one like name@example.com.")),
    ("email", re.compile(r"is required"), N_("Enter your e-mail address.")),
    ("password", re.compile(r"is required"), N_("Enter your password.")),
    (None, re.compile(re.escape(WRONG_SIGN_IN)),
     N_("The e-mail address or the password is not right.")),
    (None, re.compile(r"is required\b"), N_("This field is required.")),
    (None, re.compile(r"is too long \((?P<typed>\d+) characters; at most (?P<max>\d+)\)"),
     N_("Use at most {max} characters; this has {typed}.")),
    (None, re.compile(r"is too short: use at least (?P<min>\d+) characters"),
     N_("This password is too short: use at least {min} characters.")),
    (None, re.compile(r"is too long: use at most (?P<max>\d+) characters"),
     N_("Use at most {max} characters.")),
    (None, re.compile(r"is too weak\.(?P<why> .*)?$"), N_("This password is too weak.")),
    (None, re.compile(r"is not the same as the password"),
     N_("Type the same password twice.")),
    (None, re.compile(r"must be at most (?P<max>\d+) plain characters"),
     N_("Use at most {max} letters, digits and punctuation.")),
    (None, re.compile(r"has no visible character"),
     N_("Write some text here: this has no visible character.")),
    (None, re.compile(r"must be text"), N_("Write some text here.")),
    (None, re.compile(r"must be one of:|is not one of your products|must be good or bad"),
     N_("Choose one of the options.")),
    (None, re.compile(r"must be a whole number"), N_("Enter a whole number.")),
    (None, re.compile(r"must be at least (?P<min>-?\d+)$"), N_("Enter {min} or more.")),
    (None, re.compile(r"must be at most (?P<max>-?\d+)$"), N_("Enter {max} or less.")),
    (None, re.compile(r"must be a date and time"), N_("Enter a date and time.")),
    (None, re.compile(r"must be at most (?P<max>\d+) characters"),
     N_("Use at most {max} characters.")),
    (None, re.compile(r"are too many: (?:(?P<count>\d+) files; )?at most (?P<max>\d+)"),
     N_("Attach at most {max} files to one message.")),
    (None, re.compile(r"are too large together: .*; a ticket holds at most (?P<max>.+)$"),
     N_("These files are too large together: a ticket holds at most {max}.")),
    (None, re.compile(r"is too large: (?P<size>.+); at most (?P<max>.+) a file"),
     N_("This file is too large ({size}): at most {max} a file.")),
    (None, re.compile(r"this form takes no files|files cannot be attached here"),
     N_("Files cannot be attached here.")),
    (None, re.compile(r"must be left empty"), N_("Leave this field empty.")),
]


def field_sentence(field: str, message: str, lang: str) -> str:
    """The sentence for one field's message, in `lang` (English when unknown)."""
    for only, pattern, sentence in RULES:
        if only is not None and only != field:
            continue
        found = pattern.search(message)
        if found:
            groups = {k: _number(v or "", lang) for k, v in found.groupdict().items()}
            text = gettext_in(lang, sentence).format(**groups)
            if "why" in groups and translations(lang).gettext(sentence) == sentence:
                # The strength checker's advice is English: only an English page adds it.
                text += groups["why"]
            # What comes before the fragment names the thing: "export.log is too large".
            named = message[:found.start()].strip(" :")
            return f"{named}: {text}" if named else text
    return _as_sentence(message)


def known(field: str, message: str) -> bool:
    return any((only is None or only == field) and pattern.search(message)
               for only, pattern, _ in RULES)


def _number(text: str, lang: str) -> str:
    # "25.0 MB" in a Dutch sentence: "25,0 MB".
    mark = decimal_mark(lang)
    return re.sub(r"(\d)\.(\d)", rf"\1{mark}\2", text) if mark != "." else text


def _as_sentence(message: str) -> str:
    text = message.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."
