"""Where the repository's own files are, and the real-world e-mail and Lambda events
that other projects wrote (copied into tests/fixtures/, see its SOURCES.md)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_CONFIG = ROOT / "site_config"
FIXTURES = ROOT / "tests" / "fixtures"
# The name the tests have always used for the real-world data; it is in the repository now.
CORPUS = FIXTURES
