"""The interface strings of the form and the portal pages, by name, in English.

The English text is the message: each is marked with N_() for `make translations`,
which extracts it into loket/locale/messages.pot, and translated in the language's
catalog (loket/locale/<lang>/LC_MESSAGES/messages.po). Templates read them by name
(`t.receipt_title`), code through strings(lang)[name]; newer templates may call
`_("...")` directly (the Jinja i18n extension)."""

from __future__ import annotations

from functools import lru_cache

from loket.locale import N_, LANGUAGES, gettext_in

MESSAGES: dict[str, str] = {
    "required": N_("required"),
    "optional": N_("optional"),
    "choose": N_("Choose…"),
    "submit": N_("Submit ticket"),
    "sending": N_("Sending…"),
    "honeypot": N_("Leave this field empty"),
    "errors_intro": N_("Please correct the fields marked below."),
    "receipt_title": N_("Ticket received"),
    "receipt_text": N_("We received your ticket. A receipt is on its way to your e-mail."),
    "number": N_("Ticket number"),
    "status": N_("Status"),
    "subject": N_("Subject"),
    "follow": N_("Follow your ticket"),
    "lookup_title": N_("Look up a ticket"),
    "lookup_number": N_("Ticket number"),
    "lookup_token": N_("Access code (from the receipt e-mail link)"),
    "lookup_submit": N_("Show ticket"),
    "conversation": N_("Conversation"),
    "role_customer": N_("You"),
    "role_agent": N_("Support"),
    "role_system": N_("Loket"),
    "not_found_title": N_("Ticket not found"),
    "not_found_text": N_("There is no ticket with this number and access code."),
    "rate_title": N_("Too many tickets"),
    "too_large_title": N_("Too much at once"),
    "too_large_text": N_("The form was larger than we accept. Shorten the text and try "
                         "again."),
    "try_again": N_("Back to the form"),
    "unavailable_title": N_("Try again in a moment"),
    "unavailable_text": N_("We could not save this just now: the service is busy for a moment. "
                           "Nothing was saved; please send it again in a moment."),
    "unavailable_form": N_("Your ticket was not sent yet: the service is busy for a moment. "
                           "Everything you entered is still below; please submit it again in "
                           "a moment."),
    "add_information": N_("Add information"),
    "send": N_("Send"),
    "attach_files": N_("Attach files"),
    "files_limits": N_("At most {count} files of {size} each."),
    "notice_reopened": N_("Your information reopened this ticket: support will look at it again. "
                          "You will get an e-mail about it too."),
    "notice_follow_up": N_("Ticket {number} was closed too long ago to reopen, so your information"
                           " starts this new ticket, which refers to ticket {number}. You will get"
                           " an e-mail about it too."),
    # Said by the page's script (site_config/overrides/assets/loket/portal.js).
    "offline": N_("We could not reach the server. Your ticket was not sent; try again."),
    "remove_file": N_("Remove"),
    "uploading": N_("Uploading…"),
    "uploaded": N_("Ready"),
    "upload_failed": N_("Not uploaded"),
    "too_many_files": N_("At most {n} files per message."),
    "file_too_large": N_("Larger than {size}."),
    "wait_for_files": N_("Wait until every file is uploaded, or remove it."),
}

# The script's words (its name -> a message above): the forms carry them in their
# page's language (data-text), so the script holds no translations of its own.
SCRIPT_TEXT = {"sending": "sending", "submit": "submit", "received": "receipt_title",
               "receiptText": "receipt_text", "number": "number", "status": "status",
               "subject": "subject", "follow": "follow", "offline": "offline",
               "notFound": "not_found_text", "remove": "remove_file",
               "uploading": "uploading", "uploaded": "uploaded",
               "uploadFailed": "upload_failed", "tooMany": "too_many_files",
               "tooLarge": "file_too_large", "waitForFiles": "wait_for_files"}


@lru_cache(maxsize=None)
def script_text(lang: str) -> dict[str, str]:
    """What portal.js says, in `lang`."""
    named = strings(lang)
    return {key: named[name] for key, name in SCRIPT_TEXT.items()}


@lru_cache(maxsize=None)
def strings(lang: str) -> dict[str, str]:
    """Every named string in `lang` (English when it has no catalog)."""
    lang = lang if lang in LANGUAGES else LANGUAGES[0]
    return {name: gettext_in(lang, message) for name, message in all_messages().items()}


@lru_cache(maxsize=1)
def all_messages() -> dict[str, str]:
    from loket.web.i18n_accounts import ACCOUNT_MESSAGES

    clash = sorted(set(ACCOUNT_MESSAGES) & set(MESSAGES))
    if clash:  # One name, two meanings: a page would show the wrong text.
        raise RuntimeError(f"i18n_accounts redefines {', '.join(clash)}")
    return {**MESSAGES, **ACCOUNT_MESSAGES}
