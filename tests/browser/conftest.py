"""A real `loket serve` process over a freshly built site, and headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.paths import ROOT
from tests.site_build import build_site

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


@dataclass
class Portal:
    url: str
    var: Path


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site") / "site"
    result = build_site(target)
    assert result.returncode == 0, result.stderr
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"loket serve exited: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/api/health", timeout=1):
                return
        except OSError:
            time.sleep(0.1)  # Waiting for a process to listen, not for time to pass.
    raise RuntimeError("loket serve did not answer in time")


@pytest.fixture(scope="session")
def portal(built_site, tmp_path_factory):
    yield from serve_portal(built_site, tmp_path_factory.mktemp("var"))


def serve_portal(built_site: Path, var: Path, **settings: str):
    """`loket serve` on a free port with its store, outbox and files in `var` (and any
    other LOKET_* `settings`): yields its Portal, stops it afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LOKET_SITE_DIR": str(built_site), "LOKET_SQLITE_PATH": str(var / "loket.db"),
           "LOKET_OUTBOX_DIR": str(var / "outbox"), "LOKET_BASE_URL": url,
           "LOKET_BLOB_DIR": str(var / "blobs"), **settings}
    loket = Path(sys.executable).parent / "loket"
    process = subprocess.Popen([str(loket), "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_until_up(url, process)
        yield Portal(url=url, var=var)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"browser tests need Debian's chromium at {CHROMIUM}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Collects the violations a document reports, from its first script on.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile
  + ':' + e.lineNumber));
"""


def watch_csp(page) -> list[str]:
    """Chromium's console reports of Content-Security-Policy violations (workers' too),
    over every page the tab opens; csp_violations adds the current page's events."""
    reports: list[str] = []
    page.add_init_script(CSP_LISTENER)
    page.on("console", lambda message: reports.append(message.text)
            if "Content Security Policy" in message.text else None)
    return reports


def csp_violations(page, reports: list[str]) -> list[str]:
    from playwright.sync_api import Error

    try:
        events = page.evaluate("window.__cspViolations || []")
    except Error:  # Closed, or between two pages: the console reports stand.
        events = []
    return list(reports) + [e for e in events if e not in reports]


@pytest.fixture
def page(chromium):
    """A fresh tab; the test fails if any page it opened broke the CSP (web/headers.py)."""
    context = chromium.new_context()
    tab = context.new_page()
    reports = tab.csp_reports = watch_csp(tab)
    yield tab
    violations = csp_violations(tab, reports)
    context.close()
    assert violations == [], f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def page_without_js(chromium):
    context = chromium.new_context(java_script_enabled=False)
    tab = context.new_page()
    reports = watch_csp(tab)
    yield tab
    context.close()
    assert reports == [], f"Content-Security-Policy violations: {reports}"
