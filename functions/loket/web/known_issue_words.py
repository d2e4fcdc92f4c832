"""The words of a known issue's page and of the list of known issues on the site
(site_config/hooks/loket_known_issues.py), kept in the catalogs like every other
string a customer reads, so a language with a catalog has them too."""

from __future__ import annotations

from loket.locale import N_, gettext_in

_WORDS = {
    "status": N_("Status"),
    "product": N_("Product"),
    "versions": N_("Versions affected"),
    "workaround": N_("Workaround"),
    "fixed_in": N_("Fixed in"),
    # Translators: the heading of the column of known issues' ids (PLN-142).
    "issue": N_("Issue"),
    "title": N_("Title"),
    "none": N_("No known issues."),
    "investigating": N_("Investigating"),
    "fix-planned": N_("Fix planned"),
    "fixed": N_("Fixed"),
    "affects": N_("This affects me too"),
    "affects_hint": N_("Signed in, link your ticket (or a new one) to this issue: "
                       "you hear when the fix is out."),
}


def known_issue_words(lang: str) -> dict[str, str]:
    return {key: gettext_in(lang, message) for key, message in _WORDS.items()}
