"""The local outbox names each file after the message's Message-ID: whatever that holds
(path separators, dots, a length past the file system's 255 bytes a name), the file is
written inside the outbox folder under a valid name, and no partial file stays."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from loket.mail.outbox import OutboxMailer


def _message(message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Message-ID"] = message_id
    msg.set_content("hello")
    return msg


@pytest.mark.parametrize("message_id", [
    "<" + "a" * 300 + "@nordwind.example>",                 # longer than a file name
    "<agent-1.abc@" + "sub." * 70 + "nordwind.example>",     # a long mail domain
    "<../../../etc/passwd>", "<..>", "</abs/path@x>", "<a\\b@c>", "",
])
def test_any_message_id_makes_one_file_inside_the_outbox(tmp_path, message_id):
    outbox = tmp_path / "outbox"
    OutboxMailer(outbox).send(_message(message_id))
    [written] = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written.parent == outbox
    assert written.suffix == ".eml"
    assert len(written.name.encode()) <= 255
    assert written.read_bytes().rstrip().endswith(b"hello")


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    outbox = tmp_path / "outbox"

    def refuse(*args):
        raise OSError("disk full")

    monkeypatch.setattr("loket.mail.outbox.os.replace", refuse)
    with pytest.raises(OSError):
        OutboxMailer(outbox).send(_message("<r-1@nordwind.example>"))
    assert list(outbox.iterdir()) == []


def test_an_outbox_folder_removed_meanwhile_is_made_again(tmp_path):
    import shutil

    outbox = tmp_path / "deep" / "outbox"
    mailer = OutboxMailer(outbox)
    mailer.send(_message("<r-1@nordwind.example>"))
    shutil.rmtree(tmp_path / "deep")
    mailer.send(_message("<r-2@nordwind.example>"))
    [written] = list(outbox.iterdir())
    assert written.name.endswith("r-2@nordwind.example.eml")
