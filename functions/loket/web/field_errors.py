"""A validator's message (FieldError: "is required", "is too long (…)") as a whole
sentence in the page's language, for the message under a form's field.

The services speak short English fragments meant for API clients and logs; a page
shows people a sentence they can act on. Each rule matches a fragment (its numbers
carried over); a fragment no rule knows keeps its English words as a sentence, and
tests/unit/test_field_errors.py lists the fragments customers meet, so a new one
without a translation fails there."""

from __future__ import annotations

import re

# services/accounts.py's WRONG_SIGN_IN (tests/unit/test_field_errors.py checks they
# match); not imported, so the API's error path loads no account code.
WRONG_SIGN_IN = "The e-mail address or the password is not right."

# (field or None for any field, fragment pattern, {language: sentence}).
RULES: list[tuple[str | None, re.Pattern, dict[str, str]]] = [
    ("email", re.compile(r"is not a valid e-mail address"), {
        "en": "This is not a valid e-mail address: enter one like name@example.com.",
        "nl": "Vul een geldig e-mailadres in."}),
    ("email", re.compile(r"is required"), {
        "en": "Enter your e-mail address.", "nl": "Vul uw e-mailadres in."}),
    ("password", re.compile(r"is required"), {
        "en": "Enter your password.", "nl": "Vul uw wachtwoord in."}),
    (None, re.compile(re.escape(WRONG_SIGN_IN)), {
        "en": WRONG_SIGN_IN, "nl": "Het e-mailadres of het wachtwoord klopt niet."}),
    (None, re.compile(r"is required\b"), {
        "en": "This field is required.", "nl": "Vul dit veld in."}),
    (None, re.compile(r"is too long \((?P<typed>\d+) characters; at most (?P<max>\d+)\)"), {
        "en": "Use at most {max} characters; this has {typed}.",
        "nl": "Gebruik hoogstens {max} tekens; dit zijn er {typed}."}),
    (None, re.compile(r"is too short: use at least (?P<min>\d+) characters"), {
        "en": "This password is too short: use at least {min} characters.",
        "nl": "Dit wachtwoord is te kort: gebruik minstens {min} tekens."}),
    (None, re.compile(r"is too long: use at most (?P<max>\d+) characters"), {
        "en": "Use at most {max} characters.", "nl": "Gebruik hoogstens {max} tekens."}),
    (None, re.compile(r"is too weak\.(?P<why> .*)?$"), {
        "en": "This password is too weak.{why}",
        "nl": "Dit wachtwoord is makkelijk te raden. Gebruik een paar ongewone woorden "
              "samen."}),
    (None, re.compile(r"is not the same as the password"), {
        "en": "Type the same password twice.", "nl": "Typ twee keer hetzelfde wachtwoord."}),
    (None, re.compile(r"must be at most (?P<max>\d+) plain characters"), {
        "en": "Use at most {max} letters, digits and punctuation.",
        "nl": "Gebruik hoogstens {max} letters, cijfers en leestekens."}),
    (None, re.compile(r"has no visible character"), {
        "en": "Write some text here: this has no visible character.",
        "nl": "Schrijf hier wat tekst: dit bevat geen zichtbaar teken."}),
    (None, re.compile(r"must be text"), {
        "en": "Write some text here.", "nl": "Schrijf hier wat tekst."}),
    (None, re.compile(r"must be one of:|is not one of your products|must be good or bad"), {
        "en": "Choose one of the options.", "nl": "Kies een van de mogelijkheden."}),
    (None, re.compile(r"must be a whole number"), {
        "en": "Enter a whole number.", "nl": "Vul een heel getal in."}),
    (None, re.compile(r"must be at least (?P<min>-?\d+)$"), {
        "en": "Enter {min} or more.", "nl": "Vul {min} of meer in."}),
    (None, re.compile(r"must be at most (?P<max>-?\d+)$"), {
        "en": "Enter {max} or less.", "nl": "Vul {max} of minder in."}),
    (None, re.compile(r"must be a date and time"), {
        "en": "Enter a date and time.", "nl": "Vul een datum en tijd in."}),
    (None, re.compile(r"must be at most (?P<max>\d+) characters"), {
        "en": "Use at most {max} characters.", "nl": "Gebruik hoogstens {max} tekens."}),
    (None, re.compile(r"are too many: (?:(?P<count>\d+) files; )?at most (?P<max>\d+)"), {
        "en": "Attach at most {max} files to one message.",
        "nl": "Voeg hoogstens {max} bestanden toe aan één bericht."}),
    (None, re.compile(r"are too large together: .*; a ticket holds at most (?P<max>.+)$"), {
        "en": "These files are too large together: a ticket holds at most {max}.",
        "nl": "Deze bestanden zijn samen te groot: een melding bevat hoogstens {max}."}),
    (None, re.compile(r"is too large: (?P<size>.+); at most (?P<max>.+) a file"), {
        "en": "This file is too large ({size}): at most {max} a file.",
        "nl": "Dit bestand is te groot ({size}): hoogstens {max} per bestand."}),
    (None, re.compile(r"this form takes no files|files cannot be attached here"), {
        "en": "Files cannot be attached here.", "nl": "Hier kunnen geen bestanden bij."}),
    (None, re.compile(r"must be left empty"), {
        "en": "Leave this field empty.", "nl": "Laat dit veld leeg."}),
]


def field_sentence(field: str, message: str, lang: str) -> str:
    """The sentence for one field's message, in `lang` (English when unknown)."""
    for only, pattern, sentences in RULES:
        if only is not None and only != field:
            continue
        found = pattern.search(message)
        if found:
            sentence = (sentences.get(lang) or sentences["en"]).format(
                **{k: _number(v or "", lang) for k, v in found.groupdict().items()})
            # What comes before the fragment names the thing: "export.log is too large".
            named = message[:found.start()].strip(" :")
            return f"{named}: {sentence}" if named else sentence
    return _as_sentence(message)


def known(field: str, message: str) -> bool:
    return any((only is None or only == field) and pattern.search(message)
               for only, pattern, _ in RULES)


def _number(text: str, lang: str) -> str:
    # "25.0 MB" in a Dutch sentence: "25,0 MB".
    return re.sub(r"(\d)\.(\d)", r"\1,\2", text) if lang == "nl" else text


def _as_sentence(message: str) -> str:
    text = message.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."
