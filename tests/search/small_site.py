"""A small rendered site, shaped like MkDocs Material's output, for index and query tests."""

from __future__ import annotations

from html import escape
from pathlib import Path

PAGE = """<!doctype html>
<html lang="en" class="no-js">
<head><meta charset="utf-8"><title>{title_text} - Nordwind Support</title>
<meta name="description" content="{description}">{meta}</head>
<body>
<nav class="md-nav">Navigation: Home, Knowledge base, Export everything</nav>
<div class="md-content"><article class="md-content__inner md-typeset">
<nav class="md-tags"><a href="../tags/#tag:export" class="md-tag">Export</a></nav>
<h1 id="top">{title}<a class="headerlink" href="#top" title="Permanent link">&para;</a></h1>
{body}
</article></div>
<script>var notContent = "export payslips";</script>
</body></html>
"""

# url, title (HTML), product, language, description, body (HTML)
PAGES = [
    ("kb/planner/export-excel/", 'Export to Excel fails with "The file is locked"', "planner",
     "en", "The Excel export of a schedule stops: the file is locked.",
     "<h2 id='s'>Symptoms</h2><p>When you export a schedule to <em>Excel</em>, Planner "
     "says the file is locked by another user.</p><h2 id='o'>Solution</h2>"
     "<p>Close every Excel window, then export again.</p>"
     "<ul><li>Or switch on unique file names under <a href='#'>My settings</a>.</li></ul>"
     "<h2 id='r'>Related articles</h2><ul><li><a href='../../payroll/sepa/'>The SEPA "
     "payment file is rejected by the bank</a></li></ul>"),
    ("kb/planner/export-excel.nl/", 'Export naar Excel mislukt: "Het bestand is vergrendeld"',
     "planner", "nl", "De Excel-export van een rooster stopt.",
     "<h2 id='s'>Symptomen</h2><p>Als u een rooster naar Excel exporteert, meldt Planner "
     "dat het bestand is vergrendeld.</p><h2 id='o'>Oplossing</h2>"
     "<p>Sluit elk Excel-venster en exporteer opnieuw.</p>"),
    ("kb/payroll/payslips/", "Payslips are not e-mailed to employees", "payroll", "en",
     "Employees do not get the e-mail that their payslip is ready.",
     "<h2 id='s'>Symptoms</h2><p>Employees did not receive their payslip by e-mail "
     "after the payroll run.</p><h2 id='o'>Solution</h2><p>Release the payslips.</p>"),
    ("kb/payroll/payslips.nl/", "Loonstroken worden niet gemaild naar medewerkers", "payroll",
     "nl", "Medewerkers krijgen geen e-mail dat hun loonstrook klaarstaat.",
     "<h2 id='s'>Symptomen</h2><p>De medewerkers hebben hun loonstroken niet per e-mail "
     "ontvangen, hoewel de verloning is geëxporteerd.</p>"
     "<h2 id='o'>Oplossing</h2><p>Geef de loonstroken vrij.</p>"),
    ("kb/payroll/sepa/", "The SEPA payment file is rejected by the bank", "payroll", "en",
     "The bank rejects the SEPA credit transfer file.",
     "<p>The bank rejects the SEPA file with the message <code>AC01 IncorrectAccountNumber"
     "</code>.</p>"),
    ("support/system-requirements/", "System requirements", "", "en",
     "Supported browsers and operating systems.",
     "<h2 id='b'>Browsers</h2><p>We support the current versions of Chrome, Edge, Firefox "
     "and Safari.</p>"),
    ("kb/planner/notes-script/", "Notes show &lt;script&gt; tags as text", "planner", "en",
     "Why pasted HTML stays text in the notes field.",
     "<p>A note that contains <code>&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;</code> "
     "is shown as text &amp; never run.</p>"),
]
# Pages that must stay out of the index.
EXCLUDED = [
    ("support/submit/", "Submit a ticket", '<meta name="loket:search" content="exclude">',
     "<p>Export problems, payslips and everything else: submit a ticket.</p>"),
]


def write_small_site(root: Path) -> Path:
    for url, title, product, lang, description, body in PAGES:
        meta = f'<meta name="loket:language" content="{lang}">'
        if product:
            meta += f'<meta name="loket:product" content="{product}">'
        _write(root / url / "index.html", title, description, meta, body)
    for url, title, meta, body in EXCLUDED:
        _write(root / url / "index.html", title, "", meta, body)
    _write(root / "404.html", "404 - Not found", "", "", "<p>Export not found.</p>")
    _write(root / "assets" / "export.html", "Asset", "", "", "<p>Export asset.</p>")
    return root


def _write(path: Path, title: str, description: str, meta: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = title.replace("&lt;", "<").replace("&gt;", ">")
    path.write_text(PAGE.format(title=title, title_text=escape(text), meta=meta, body=body,
                                description=escape(description)), encoding="utf-8")
