"""The Lambda zip carries what runs there and nothing else, and two builds of it are the
same bytes (tools/build_lambda_package.py, tools/lambda_trim.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.paths import ROOT

pytestmark = pytest.mark.slow

sys.path.insert(0, str(ROOT / "tools"))
import lambda_trim  # noqa: E402

ZIP = ROOT / "build" / "loket-lambda.zip"
MANIFEST = ROOT / "build" / "loket-lambda.json"


@pytest.fixture(scope="module")
def names(package_output) -> set[str]:
    with zipfile.ZipFile(ZIP) as zf:
        return set(zf.namelist())


@pytest.fixture(scope="module")
def manifest(package_output) -> dict:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def under(names: set[str], prefix: str) -> list[str]:
    return sorted(n for n in names if n.startswith(prefix))


def test_what_runs_is_in_the_zip(names):
    for needed in ("loket/handlers/http.py", "site_config/portal.yml",
                   "site_config/.compiled/portal-config.pickle",
                   "PIL/PngImagePlugin.py", "PIL/JpegImagePlugin.py", "PIL/GifImagePlugin.py",
                   "PIL/WebPImagePlugin.py", "PIL/TiffImagePlugin.py",  # JPEG's EXIF
                   "email_validator/__init__.py", "whoosh/index.py", "whoosh/query/terms.py",
                   "holidays/countries/netherlands.py", "holidays/locale/nl/LC_MESSAGES/NL.mo",
                   "botocore_data/dynamodb/2012-08-10/service-2.json",
                   "botocore_data/BOTOCORE_VERSION"):
        assert needed in names, needed
    assert under(names, "PIL/_imaging.cpython-") and under(names, "PIL/_webp.cpython-")
    assert under(names, "pillow.libs/libjpeg-") and under(names, "pillow.libs/libwebp-")


def test_what_never_runs_on_lambda_is_left_out(names, manifest):
    for prefix in ("waitress/", "dns/", "whoosh_modern/", "whoosh/vector/", "whoosh/backends/",
                   "holidays/financial/", "holidays/countries/germany.py",
                   "holidays/locale/de/", "PIL/_avif.", "PIL/_imagingcms.", "PIL/_imagingft.",
                   "PIL/PsdImagePlugin.py", "PIL/Jpeg2KImagePlugin.py", "PIL/AvifImagePlugin.py",
                   "pillow.libs/libavif-", "pillow.libs/libfreetype-", "pillow.libs/liblcms2-"):
        assert not under(names, prefix), prefix
    assert not [n for n in names if n.startswith(("waitress-", "dnspython-"))]
    assert manifest["left_out_not_used"]["distributions"] == ["dnspython", "waitress"]


def test_holidays_are_those_of_the_calendars_in_site_config(names):
    assert lambda_trim.countries_in_use(ROOT / "site_config") == ["NL"]
    countries = {Path(n).stem for n in under(names, "holidays/countries/") if n.endswith(".py")}
    assert countries == {"__init__", "netherlands"}
    locales = {Path(n).stem for n in under(names, "holidays/locale/") if n.endswith(".mo")}
    assert locales == {"NL"}


def test_every_record_lists_only_what_is_there(names):
    for record in (n for n in names if n.endswith(".dist-info/RECORD")):
        with zipfile.ZipFile(ZIP) as zf:
            rows = zf.read(record).decode().splitlines()
        listed = {row.split(",")[0] for row in rows if row and ".." not in row}
        assert listed - names == set(), record


def test_the_trimmed_zip_makes_thumbnails_knows_its_holidays_and_searches(package_output,
                                                                            manifest, tmp_path):
    with zipfile.ZipFile(ZIP) as zf:
        zf.extractall(tmp_path)
    lambda_trim.check(manifest["python"], tmp_path, tmp_path / "site_config",
                      tmp_path / "search" / "index")


def test_two_builds_give_the_same_zip(package_output, tmp_path):
    """Everything from pip to the zip again, into another folder: the same bytes (so
    osls sees an unchanged artifact, and a deploy changes nothing it need not)."""
    again = tmp_path / "again.zip"
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_lambda_package.py"),
                             "--output", str(again), "--workdir", str(tmp_path / "work")],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    if ZIP.read_bytes() == again.read_bytes():
        return
    # Name what differs, to make a failure easy to follow. (The sources must not change
    # between the two builds: in a work tree being edited, this fails.)
    with zipfile.ZipFile(ZIP) as a, zipfile.ZipFile(again) as b:
        old = {i.filename: (i.CRC, i.date_time) for i in a.infolist()}
        new = {i.filename: (i.CRC, i.date_time) for i in b.infolist()}
    differ = sorted(n for n in old.keys() | new.keys() if old.get(n) != new.get(n))
    raise AssertionError(f"two builds of the same sources differ: {differ[:20]}")
