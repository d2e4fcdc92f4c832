"""The few interface strings the form and pages need, in every supported language."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "required": "required",
        "optional": "optional",
        "choose": "Choose…",
        "submit": "Submit ticket",
        "sending": "Sending…",
        "honeypot": "Leave this field empty",
        "errors_intro": "Please correct the fields marked below.",
        "receipt_title": "Ticket received",
        "receipt_text": "We received your ticket. A receipt is on its way to your e-mail.",
        "number": "Ticket number",
        "status": "Status",
        "subject": "Subject",
        "follow": "Follow your ticket",
        "lookup_title": "Look up a ticket",
        "lookup_number": "Ticket number",
        "lookup_token": "Access code (from the receipt e-mail link)",
        "lookup_submit": "Show ticket",
        "conversation": "Conversation",
        "role_customer": "You",
        "role_agent": "Support",
        "role_system": "Loket",
        "not_found_title": "Ticket not found",
        "not_found_text": "There is no ticket with this number and access code.",
        "rate_title": "Too many tickets",
        "too_large_title": "Too much at once",
        "too_large_text": "The form was larger than we accept. Shorten the text and try again.",
        "try_again": "Back to the form",
        "add_information": "Add information",
        "send": "Send",
        "attach_files": "Attach files",
        "files_limits": "At most {count} files of {size} each.",
        "notice_reopened": "Your information reopened this ticket: support will look at it "
                           "again. You will get an e-mail about it too.",
        "notice_follow_up": "Ticket {number} was closed too long ago to reopen, so your "
                            "information starts this new ticket, which refers to ticket "
                            "{number}. You will get an e-mail about it too.",
    },
    "nl": {
        "required": "verplicht",
        "optional": "niet verplicht",
        "choose": "Kies…",
        "submit": "Melding versturen",
        "sending": "Bezig met versturen…",
        "honeypot": "Laat dit veld leeg",
        "errors_intro": "Verbeter de velden die hieronder zijn gemarkeerd.",
        "receipt_title": "Melding ontvangen",
        "receipt_text": "Wij hebben uw melding ontvangen. U krijgt een bevestiging per e-mail.",
        "number": "Meldingsnummer",
        "status": "Status",
        "subject": "Onderwerp",
        "follow": "Volg uw melding",
        "lookup_title": "Melding opzoeken",
        "lookup_number": "Meldingsnummer",
        "lookup_token": "Toegangscode (uit de link in de bevestiging)",
        "lookup_submit": "Toon melding",
        "conversation": "Gesprek",
        "role_customer": "U",
        "role_agent": "Support",
        "role_system": "Loket",
        "not_found_title": "Melding niet gevonden",
        "not_found_text": "Er is geen melding met dit nummer en deze toegangscode.",
        "rate_title": "Te veel meldingen",
        "too_large_title": "Te veel tegelijk",
        "too_large_text": "Het formulier was groter dan wij aannemen. Kort de tekst in en probeer het opnieuw.",
        "try_again": "Terug naar het formulier",
        "add_information": "Informatie toevoegen",
        "send": "Versturen",
        "attach_files": "Bestanden toevoegen",
        "files_limits": "Hoogstens {count} bestanden van elk {size}.",
        "notice_reopened": "Uw informatie heeft deze melding heropend: de support bekijkt "
                           "haar opnieuw. U krijgt hierover ook een e-mail.",
        "notice_follow_up": "Melding {number} was te lang geleden afgesloten om te heropenen. "
                            "Uw informatie staat daarom in deze nieuwe melding, die naar "
                            "melding {number} verwijst. U krijgt hierover ook een e-mail.",
    },
}


def strings(lang: str) -> dict[str, str]:
    return STRINGS.get(lang, STRINGS["en"])


def _merge_account_strings() -> None:
    from loket.web.i18n_accounts import ACCOUNT_STRINGS

    for lang, extra in ACCOUNT_STRINGS.items():
        clash = sorted(set(extra) & set(STRINGS[lang]))
        if clash:  # One name, two meanings: a page would show the wrong text.
            raise RuntimeError(f"i18n_accounts redefines {', '.join(clash)}")
        STRINGS[lang].update(extra)


_merge_account_strings()
