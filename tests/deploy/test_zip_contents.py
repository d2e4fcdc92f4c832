"""The Lambda zip carries what runs there and nothing else, and two builds of it are the
same bytes (tools/build_lambda_package.py, tools/lambda_trim.py)."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.paths import ROOT

pytestmark = pytest.mark.slow

sys.path.insert(0, str(ROOT / "tools"))
import botocore_bundle  # noqa: E402
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
                   "boto3/__init__.py", "s3transfer/__init__.py", "jmespath/__init__.py",
                   "botocore/data/dynamodb/2012-08-10/service-2.json",
                   "botocore/data/BOTOCORE_VERSION"):
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


def test_the_zip_ships_the_locked_sdk_with_its_own_trimmed_data(names, manifest):
    """The SDK the tests ran with, not the runtime's older one (which would ignore data
    newer than itself): the zip's botocore is the lock's, its data folder is the trimmed
    data made from that very botocore, for the functions' services alone."""
    locked = re.search(r"^botocore==(\S+)", (ROOT / "requirements" / "runtime.txt")
                       .read_text(encoding="utf-8"), re.MULTILINE).group(1)
    assert manifest["left_out_runtime_provided"] == []
    assert f"botocore=={locked}" in manifest["distributions"]
    with zipfile.ZipFile(ZIP) as zf:
        shipped = re.search(r"^__version__ = ['\"]([^'\"]+)", zf.read("botocore/__init__.py")
                            .decode(), re.MULTILINE).group(1)
        made_by = zf.read("botocore/data/BOTOCORE_VERSION").decode().strip()
    assert shipped == made_by == locked
    services = {n.split("/")[2] for n in under(names, "botocore/data/") if n.count("/") > 2}
    assert services == set(botocore_bundle.SERVICES) == set(manifest["botocore_data_services"])
    assert not under(names, "botocore_data/")  # the one copy is botocore's own folder
    assert {n.split("/")[2] for n in under(names, "boto3/data/")} <= services


def client_calls(tree: ast.AST):
    """(service or None, line) of every boto3/botocore client or resource a module makes:
    LazyClient(...), boto3.client(...), <session>.client(...), create_client(...),
    resource(...); None when the service is not a literal."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in {"LazyClient", "client", "create_client", "resource"}:
            continue
        first = node.args[0] if node.args else next(
            (k.value for k in node.keywords if k.arg in ("service", "service_name")), None)
        literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
        yield (first.value if literal else None), node.lineno


# Operator commands, run from a workstation's install, never by a function.
NOT_ON_LAMBDA = {"loket/cli_mail_retry.py": "sqs and s3 with the operator's rights",
                 "loket/cli_table_check.py": "dynamodb, checking a table before a deploy"}


def test_every_client_the_functions_make_is_of_a_bundled_service(package_output):
    """The zip's botocore knows the functions' services only: a client of any other
    fails on Lambda (UnknownServiceError). Every client the packaged code makes names a
    bundled service, as a literal (so this test can see it)."""
    with zipfile.ZipFile(ZIP) as zf:
        sources = {n: zf.read(n).decode() for n in zf.namelist()
                   if n.startswith("loket/") and n.endswith(".py")}
    assert "loket/aws.py" in sources
    found = {}
    for name, text in sources.items():
        for service, line in client_calls(ast.parse(text)):
            found[f"{name}:{line}"] = service
    on_lambda = {where: service for where, service in found.items()
                 if where.split(":")[0] not in NOT_ON_LAMBDA}
    # loket/aws.py makes the client of LazyClient's own service (self.service).
    made_elsewhere = {w: s for w, s in on_lambda.items() if not w.startswith("loket/aws.py:")}
    assert made_elsewhere and None not in made_elsewhere.values(), made_elsewhere
    assert set(made_elsewhere.values()) <= set(botocore_bundle.SERVICES), made_elsewhere
    assert {s for s in made_elsewhere.values()} == set(botocore_bundle.SERVICES), (
        "a service's data ships that no function uses: take it out of SERVICES")


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
