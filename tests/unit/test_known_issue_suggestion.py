"""What a subject suggestion calls a known issue's page comes from the gettext catalogs,
in every language that has one (German too), with English for any other."""

from __future__ import annotations

import pytest

from loket.domain.known_issues import suggestion_title
from loket.locale import LANGUAGES


@pytest.mark.parametrize("lang, url, expected", [
    ("en", "/known-issues/PLN-142/", "Known issue PLN-142: Shifts swapped"),
    ("nl", "/nl/known-issues/PLN-142/", "Bekend probleem PLN-142: Shifts swapped"),
    ("de", "/de/known-issues/PLN-142/", "Bekanntes Problem PLN-142: Shifts swapped"),
    ("fr", "/known-issues/PLN-142/", "Known issue PLN-142: Shifts swapped"),
])
def test_a_known_issue_is_labelled_in_the_pages_language(lang, url, expected):
    assert suggestion_title(url, "Shifts swapped", lang) == expected


def test_every_catalog_language_translates_the_label():
    english = suggestion_title("/known-issues/PLN-1/", "T", "en")
    for lang in set(LANGUAGES) - {"en"}:
        assert suggestion_title("/known-issues/PLN-1/", "T", lang) != english, lang


def test_other_pages_keep_their_title():
    assert suggestion_title("/kb/export/", "Exporting rosters", "nl") == "Exporting rosters"
