"""Writing the search index from the site's pages: at site build time or by `loket search-build`."""

from __future__ import annotations

import os
import random
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable

from loket.search.languages import LANGUAGES
from loket.search import schema as s
from loket.search import vocabulary as v
from loket.search.pages import SitePage, read_site


def build_index(pages: Iterable[SitePage], out: Path,
                vocabulary: v.Vocabulary = v.EMPTY) -> int:
    """Write a fresh index of `pages` to `out` and return how many pages it holds.

    The index is written beside `out` and moved into place when complete, so a server
    (or a test run next to this one) never opens a half-written index.
    """
    from whoosh.index import create_in

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.new-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    with _fixed_segment_names():
        count = _write(create_in(str(staging), s.schema()), pages, staging)
    (staging / s.VERSION_FILE).write_text(s.SCHEMA_VERSION + "\n", encoding="utf-8")
    (staging / v.FILE).write_text(vocabulary.to_json(), encoding="utf-8")
    _swap_into_place(staging, out)
    return count


def _write(index, pages: Iterable[SitePage], staging: Path) -> int:
    writer = index.writer(limitmb=256)
    count = 0
    try:
        pages = list(pages)
        languages = translations(pages)
        for page in pages:
            writer.add_document(**document(page, languages.get(page.key, ())))
            count += 1
    except BaseException:
        writer.cancel()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    writer.commit(optimize=True)
    for segment in staging.glob("*.seg"):
        _clear_part_times(segment)
    return count


def _clear_part_times(segment: Path) -> None:
    """whoosh's compound segment file lists its parts with their files' modification
    times, which differ on every build and nothing reads: set them to 0, through
    whoosh's own directory writer."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.structfile import StructFile

    stream = StructFile(open(segment, "r+b"))
    directory_at = stream.read_long()
    stream.seek(directory_at)
    directory, options = stream.read_pickle(), stream.read_pickle()
    for part in directory.values():
        part["modified"] = 0.0
    stream.seek(directory_at)
    stream.file.truncate()
    CompoundStorage.write_dir(stream, 0, directory, options)  # and closes the file


@contextmanager
def _fixed_segment_names():
    """whoosh names a segment's files with random letters from the `random` module: seed
    it while writing (and put its state back after), so the same pages give the same
    file names and the Lambda zip that ships the index is reproducible. The index is
    always written to a fresh folder, so the names need not differ between builds."""
    state = random.getstate()
    random.seed(f"loket-search-{s.SCHEMA_VERSION}")
    try:
        yield
    finally:
        random.setstate(state)


def build_index_from_site(site_dir: Path, out: Path, vocabulary_dir: Path | None = None) -> int:
    """`vocabulary_dir` holds the synonyms and glossary (default site_config/search)."""
    vocabulary = v.load_dir(vocabulary_dir or v.DEFAULT_DIR)
    return build_index(read_site(Path(site_dir)), out, vocabulary)


def translations(pages: list[SitePage]) -> dict[str, tuple[str, ...]]:
    """Per translation key, the languages it has a page in."""
    found: dict[str, set[str]] = {}
    for page in pages:
        found.setdefault(page.key, set()).add(page.language)
    return {key: tuple(sorted(langs)) for key, langs in found.items()}


def document(page: SitePage, languages: tuple[str, ...] = ()) -> dict[str, str]:
    """The page's fields. A page with no translation in another language is also
    indexed under that language's analysers, so a customer writing in it reaches the
    page with its stemming and typo tolerance (and its shared words: Excel, SEPA, ...)."""
    lang = page.language if page.language in LANGUAGES else LANGUAGES[0]
    outline = " \n".join((*page.headings, page.summary))
    doc = {
        "url": page.url, "key": page.key, "product": page.product or s.ANY_PRODUCT,
        "language": page.language, "title": page.title, "summary": page.summary,
        "body": page.body, "languages": " ".join(languages or (page.language,)),
    }
    for each in LANGUAGES:
        if each == lang or each not in (languages or (page.language,)):
            doc.update({
                s.field(s.TITLE, each): page.title,
                s.field(s.OUTLINE, each): outline,
                s.field(s.BODY, each): page.body,
                s.field(s.TITLE_GRAMS, each): page.title,
                s.field(s.OUTLINE_GRAMS, each): " \n".join(page.headings),
            })
    return doc


def _swap_into_place(staging: Path, out: Path) -> None:
    retired = out.with_name(f".{out.name}.old-{os.getpid()}")
    for attempt in range(3):
        shutil.rmtree(retired, ignore_errors=True)
        if out.exists():
            out.rename(retired)
        try:
            staging.rename(out)
            break
        except OSError:
            # Another build put its index there between our two renames; ours is as new.
            if attempt == 2:
                raise
    shutil.rmtree(retired, ignore_errors=True)
