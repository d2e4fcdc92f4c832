"""Where the repository's own files and the shared real-world corpus are."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_CONFIG = ROOT / "site_config"
CORPUS = ROOT.parent / "shared" / "corpus"
