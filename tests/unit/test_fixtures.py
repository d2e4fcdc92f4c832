"""The repository holds every file its tests read: a clone with nothing beside it runs
the whole suite (tests/fixtures/ has the real-world data, with its sources)."""

from __future__ import annotations

import re

from tests.paths import FIXTURES, ROOT

TESTS = ROOT / "tests"
# Ways a test could reach beside the repository: the shared corpus by name, or the
# folder that holds the repository.
OUTSIDE = re.compile(r"\.\./shared|shared/corpus|/work/shared|ROOT\.parent\b")


def test_no_test_reads_outside_the_repository():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if path == TESTS / "unit" / "test_fixtures.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "tests read outside the repository:\n" + "\n".join(offenders)


def test_every_fixture_folder_names_its_source_and_licence():
    sources = (FIXTURES / "SOURCES.md").read_text()
    for kind in ("mail", "lambda-events"):
        for folder in sorted(p for p in (FIXTURES / kind).iterdir() if p.is_dir()):
            # Named in SOURCES.md here, or in a SOURCES.md of the folder's own.
            own = folder / "SOURCES.md"
            assert (f"`{kind}/{folder.name}/" in sources or f"`{folder.name}/" in sources
                    or own.exists() and "icen" in own.read_text()), folder
    for licence in sorted((FIXTURES / "licences").iterdir()):
        assert f"licences/{licence.name}" in sources, licence.name


def test_line_endings_of_the_fixtures_are_kept():
    # git would turn CRLF or CR mail into LF without tests/fixtures/.gitattributes.
    assert (FIXTURES / ".gitattributes").read_text().split() == ["*", "-text"]
    assert b"\r\n" in (FIXTURES / "mail" / "sisimai" / "dos" / "rfc3834-01.eml").read_bytes()
    mac = (FIXTURES / "mail" / "sisimai" / "mac" / "rfc3834-01.eml").read_bytes()
    assert b"\r" in mac and b"\n" not in mac
