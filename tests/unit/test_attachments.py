"""What makes an attached file safe: its name, its type read from its content, its limits."""

from __future__ import annotations

import codecs
import gzip
import io
import shutil
import struct
import zipfile
import zlib

import pytest
from PIL import Image

from loket.config import ConfigError, load_portal_config
from loket.domain.attachments import (AttachmentLimits, clean_name, content_disposition,
                                      download_type, name_for_type)
from loket.domain import thumbnails
from loket.domain.content import sniff
from loket.domain.thumbnails import make_thumbnail
from tests.paths import SITE_CONFIG


def image(fmt: str, size=(40, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "blue").save(out, fmt)
    return out.getvalue()


def zipped(**files: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(name.replace("__", "/"), text)
    return out.getvalue()


@pytest.mark.parametrize("name, clean", [
    ("screenshot.png", "screenshot.png"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\ann\\Desktop\\fout melding.PNG", "fout melding.PNG"),
    ("evil\x00name\r\n.txt", "evilname.txt"),
    ("right-to-left \u202egnp.exe", "right-to-left gnp.exe"),
    ("   ...hidden.cfg  ", "hidden.cfg"),
    ("", "attachment"),
    ("/", "attachment"),
    (None, "attachment"),
    ("a" * 300 + ".csv", "a" * 116 + ".csv"),
    ("x" * 300, "x" * 120),
    ("Caf\u0065\u0301 report.pdf", "Caf\u00e9 report.pdf"),
])
def test_names_lose_folders_control_characters_and_excess(name, clean):
    assert clean_name(name) == clean


@pytest.mark.parametrize("name, content_type, kept", [
    ("shot.PNG", "image/png", "shot.PNG"),
    ("photo.jpeg", "image/jpeg", "photo.jpeg"),
    ("invoice.html", "image/png", "invoice.html.png"),
    ("run.bat", "text/plain", "run.bat.txt"),
    ("server.log", "text/plain", "server.log"),
    ("export", "text/csv", "export.csv"),
    ("film.mov", "video/mp4", "film.mov.mp4"),
    ("x" * 120, "application/pdf", "x" * 116 + ".pdf"),
])
def test_a_saved_file_gets_an_extension_that_fits_its_content(name, content_type, kept):
    assert name_for_type(name, content_type) == kept


@pytest.mark.parametrize("content, kind", [
    (image("PNG"), "image/png"),
    (image("JPEG"), "image/jpeg"),
    (image("GIF"), "image/gif"),
    (image("WEBP"), "image/webp"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
    (zipped(a__b="x"), "application/zip"),
    (zipped(**{"[Content_Types].xml": "x", "word__document.xml": "x"}),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (gzip.compress(b"log line\n" * 50), "application/gzip"),
    (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64), "video/mp4"),
    (b"2026-11-26 09:30 ERROR it broke\n\x1b[31mred\x1b[0m\n", "text/plain"),
    ("Fout bij het exporteren: bestand is vergrendeld.\n".encode("utf-8"), "text/plain"),
    ("één;twee\ndrie;vier\n".encode("cp1252"), "text/csv"),
    (b"a,b,c\n1,2,3\n4,5,6\n7,8", "text/csv"),
    (b"a,b,c\n1,2\nno columns here\n", "text/plain"),
    (codecs.BOM_UTF16_LE + "log in UTF-16\r\n".encode("utf-16-le"), "text/plain"),
    (("x" * 8191 + "é").encode("utf-8"), "text/plain"),  # A character cut by the head.
    (b"  <!doctype html><p>hi", "text/html"),
    (b"\xef\xbb\xbf<html><script>alert(1)</script>", "text/html"),
    (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
    (b"<?xml version='1.0'?><note/>", "application/xml"),
    (b"MZ\x90\x00" + bytes(100), "application/x-msdownload"),
    (bytes(range(256)), "application/octet-stream"),
    (b"text\x00with a NUL", "application/octet-stream"),
    (b"", "application/octet-stream"),
])
def test_the_type_is_read_from_the_content(content, kind):
    assert sniff(content[:8192]) == kind


def test_downloads_are_served_with_inert_types_only():
    assert download_type("image/png") == "image/png"
    assert download_type("text/csv") == "text/csv"
    for active in ("text/html", "image/svg+xml", "application/x-msdownload",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document"):
        assert download_type(active) == "application/octet-stream"


def test_content_disposition_has_an_ascii_fallback_and_the_utf8_name():
    assert content_disposition('Rapport "één".pdf') == (
        'attachment; filename="Rapport ___n_.pdf"; '
        "filename*=UTF-8''Rapport%20%22%C3%A9%C3%A9n%22.pdf")
    assert content_disposition("a.png", inline=True).startswith('inline; filename="a.png"')


def test_thumbnails_fit_in_320_pixels_and_keep_the_aspect():
    thumbnail = Image.open(io.BytesIO(make_thumbnail(image("JPEG", (1600, 900)))))
    assert thumbnail.format == "PNG" and thumbnail.size == (320, 180)
    assert Image.open(io.BytesIO(make_thumbnail(image("GIF", (50, 80), "P")))).size == (50, 80)


def test_no_thumbnail_for_what_cannot_or_should_not_be_decoded():
    assert make_thumbnail(b"\x89PNG\r\n\x1a\n broken") is None
    # One pixel over Pillow's bomb limit, even in greyscale (one byte a pixel).
    assert 11_586 ** 2 > thumbnails.MAX_PIXELS > 11_585 ** 2
    assert make_thumbnail(png_claiming(11_586, 11_586, color_type=0)) is None


def png_claiming(width: int, height: int, color_type: int = 6) -> bytes:
    """A PNG whose header claims width x height (8-bit RGBA by default) and whose data is
    a few rows: what a decompression bomb looks like before it is decoded."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    rows = zlib.compress(b"\0" * (1 + 4 * min(width, 1000)) * 4)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows)
            + chunk(b"IEND", b""))


def test_a_decompression_bomb_gets_no_thumbnail_and_no_crash():
    bomb = png_claiming(100_000, 100_000)  # 40 GB of pixels in a file under 1 kB
    assert len(bomb) < 1_000
    with pytest.raises(Image.DecompressionBombError):  # Pillow reads it as a real header
        Image.open(io.BytesIO(bomb))
    assert make_thumbnail(bomb) is None


def test_the_cap_counts_the_memory_pillow_would_take_not_the_pixels(monkeypatch):
    """RGB takes four bytes a pixel in Pillow, greyscale and palette one; alpha needs a
    premultiplied copy, WebP more: one canvas, refused or thumbnailed."""
    monkeypatch.setattr(thumbnails, "MAX_DECODE_MEMORY", 400 * 300 * 4)
    assert make_thumbnail(image("PNG", (400, 300), "RGB")) is not None
    assert make_thumbnail(image("PNG", (400, 300), "RGBA")) is None
    assert make_thumbnail(image("WEBP", (400, 300), "RGB")) is None
    assert make_thumbnail(image("PNG", (400, 300), "L")) is not None
    assert make_thumbnail(image("GIF", (400, 300), "P")) is not None
    monkeypatch.setattr(thumbnails, "MAX_DECODE_MEMORY", 400 * 300 * 4 - 1)
    assert make_thumbnail(image("PNG", (400, 300), "RGB")) is None
    assert thumbnails.decoded_bytes((400, 300), "RGB") == 400 * 300 * 4
    assert thumbnails.decoded_bytes((400, 300), "I;16") == 400 * 300 * 2
    assert thumbnails.decode_memory((400, 300), "RGBA", "WEBP") == 400 * 300 * 16


def test_a_large_jpeg_is_measured_at_its_draft_scale(monkeypatch):
    """A JPEG decodes at 1/8 scale when that still covers the thumbnail: a 2560 x 2560
    photo needs 2560 * 2560 * 4 bytes at full size but a sixteenth of that drafted."""
    photo = image("JPEG", (2560, 2560))
    monkeypatch.setattr(thumbnails, "MAX_DECODE_MEMORY", 2560 * 2560 * 4 // 16)
    assert Image.open(io.BytesIO(make_thumbnail(photo))).size == (320, 320)
    assert make_thumbnail(image("PNG", (2560, 2560))) is None  # no draft for PNG


def test_only_the_thumbnail_formats_are_decoded():
    assert make_thumbnail(image("TIFF")) is None
    assert make_thumbnail(image("BMP")) is None
    for fmt in ("PNG", "JPEG", "GIF", "WEBP"):
        assert make_thumbnail(image(fmt)) is not None, fmt


def test_thumbnails_are_turned_upright_by_their_exif_orientation():
    wide = Image.new("RGB", (640, 320), "red")
    exif = wide.getexif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to show.
    photo = io.BytesIO()
    wide.save(photo, "JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(make_thumbnail(photo.getvalue()))).size == (160, 320)


def test_limits_have_sane_defaults_and_refuse_runnable_types():
    limits = AttachmentLimits()
    assert limits.max_file_bytes <= limits.max_bytes_per_ticket
    assert "image/png" in limits.allowed_types and "text/html" not in limits.allowed_types
    with pytest.raises(ValueError, match="can run scripts"):
        AttachmentLimits(allowed_types=["image/png", "image/svg+xml"])
    with pytest.raises(ValueError, match="not a content type"):
        AttachmentLimits(allowed_types=["png"])
    with pytest.raises(ValueError, match="max_file_bytes must not be larger"):
        AttachmentLimits(max_file_bytes=10, max_bytes_per_ticket=5)


def test_the_shipped_limits_load_and_a_bad_one_is_named_with_its_line(tmp_path):
    config = load_portal_config(SITE_CONFIG)
    assert config.attachments.max_files_per_message == 10
    assert config.form.attachments.name == "attachments"
    copy = tmp_path / "site_config"
    shutil.copytree(SITE_CONFIG, copy)
    portal = copy / "portal.yml"
    text = portal.read_text()
    portal.write_text(text.replace("    - text/csv\n", "    - text/html\n"))
    with pytest.raises(ConfigError) as error:
        load_portal_config(copy)
    line = text.splitlines().index("    - text/csv") + 1
    assert f"portal.yml: line {line}: attachments.allowed_types.6: " in str(error.value)
    assert "'text/html' can run scripts in a browser" in str(error.value)
