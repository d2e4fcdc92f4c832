"""`loket mail-import FILE...`: a decision per file, standard input with -, and exit
code 1 when a file cannot be read."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from loket.cli import main
from tests.mail.conftest import MAIL_CORPUS, make_mail
from tests.paths import SITE_CONFIG


@pytest.fixture
def runner(tmp_path, monkeypatch):
    for name, value in {"LOKET_CONFIG_DIR": str(SITE_CONFIG),
                        "LOKET_SQLITE_PATH": str(tmp_path / "loket.db"),
                        "LOKET_OUTBOX_DIR": str(tmp_path / "outbox"),
                        "LOKET_SEARCH_INDEX": str(tmp_path / "no-index")}.items():
        monkeypatch.setenv(name, value)
    return CliRunner()


def test_import_files_and_standard_input(runner, tmp_path):
    gmail = MAIL_CORPUS / "talon" / "standard_replies" / "gmail.eml"
    bounce = MAIL_CORPUS / "sisimai" / "bsd" / "lhost-postfix-01.eml"
    result = runner.invoke(main, ["mail-import", str(gmail), str(bounce), "-"],
                           input=make_mail(sender="ann@example.com"))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{gmail}: new-ticket #10001",
        f"{bounce}: refused: automatic message (Auto-Submitted: auto-replied)",
        "-: new-ticket #10002",
    ]
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 2


def test_importing_again_changes_nothing(runner):
    gmail = str(MAIL_CORPUS / "talon" / "standard_replies" / "gmail.eml")
    runner.invoke(main, ["mail-import", gmail])
    result = runner.invoke(main, ["mail-import", gmail])
    assert result.output == f"{gmail}: new-ticket #10001 (already taken in: a re-delivered mail)\n"


def test_an_unreadable_file_fails_the_command_but_not_the_others(runner, tmp_path):
    gmail = str(MAIL_CORPUS / "talon" / "standard_replies" / "gmail.eml")
    missing = str(tmp_path / "missing.eml")
    result = runner.invoke(main, ["mail-import", missing, gmail])
    assert result.exit_code == 1
    assert f"{missing}: cannot read: No such file or directory" in result.output
    assert f"{gmail}: new-ticket #10001" in result.output


def test_a_file_is_required(runner):
    assert runner.invoke(main, ["mail-import"]).exit_code == 2
