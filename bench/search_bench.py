"""Suggestion speed on a synthetic knowledge base of 5,000 articles, whoosh against tantivy.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/search_bench.py [--articles 5000] [--queries 300]

Prints the index build time, its size on disk, the cold load time in a fresh process
(import, open, first suggestion), and the latency of suggestions for prefixes of 3, 4
and 5 characters, whole words and short subjects, for Loket's whoosh index (through
the same code the API uses) and for the same query terms on tantivy. Figures only:
the tests never assert on time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loket.search import schema as s
from loket.search.index import build_index
from loket.search.pages import SitePage
from loket.search.query import WhooshSearcher, build_query, expansion_rules
from loket.search.vocabulary import load_dir

SEED = 20261126
PRODUCTS = ("planner", "payroll")
# Everyday support words, so that prefixes collide the way real ones do.
COMMON = """account address administrator allowance annual app approval attachment
authentication available availability bank browser calendar cannot change check code
column contract csv date department download e-mail employee entry error excel export
feed file finalised format holiday hours import invoice journal language license locked
location login message mobile month notification organisation password payment payroll
payslip period phone planner portal print problem publish push rejected release report
reset return rights salary schedule screen security sepa settings shift sign signature
statement status swap sync tax team template time token total update upload user version
view warning week working""".split()
SYLLABLES = ("ka ro mi te lu pa ne si do ra ve lo ti ma nu be ko ri se da fo gi ha "
             "ja le mo pi qu sa to vi wa ze ex in on an er st pr tr bl gr").split()


def synthetic_words(rng: random.Random, count: int) -> list[str]:
    words = set(COMMON)
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 5))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered


def zipf_sampler(rng: random.Random, words: list[str]):
    weights = [1 / (rank + 1) for rank in range(len(words))]
    cumulative = list(__import__("itertools").accumulate(weights))
    return lambda k: rng.choices(words, cum_weights=cumulative, k=k)


def synthetic_pages(count: int) -> list[SitePage]:
    rng = random.Random(SEED)
    words = synthetic_words(rng, 30_000)
    sample = zipf_sampler(rng, words)
    title_words = words[:4_000]
    pages = []
    for n in range(count):
        title = " ".join(rng.sample(title_words, rng.randint(4, 8))).capitalize()
        headings = tuple(" ".join(sample(rng.randint(1, 4))).capitalize() for _ in range(4))
        body = ". ".join(" ".join(sample(rng.randint(8, 18))) for _ in range(rng.randint(20, 35)))
        pages.append(SitePage(url=f"/kb/a{n}/", title=title, headings=headings,
                              summary=" ".join(sample(15)), body=body,
                              product=rng.choice(PRODUCTS), language="en", key=f"/kb/a{n}/"))
    return pages


def queries(pages: list[SitePage], count: int) -> dict[str, list[str]]:
    rng = random.Random(SEED + 1)
    picked = rng.sample(pages, count)
    targets = [rng.choice([w for w in p.title.lower().split() if len(w) >= 6] or ["export"])
               for p in picked]
    subjects = []
    for page, target in zip(picked, targets):
        words = page.title.lower().split()
        subjects.append(" ".join(words[:2]) + " " + target[:4])
    return {"prefix 3": [w[:3] for w in targets], "prefix 4": [w[:4] for w in targets],
            "prefix 5": [w[:5] for w in targets], "whole word": [w + " " for w in targets],
            "subject": subjects}


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def latency(fn, runs: int = 3) -> tuple[float, float]:
    """Wall and CPU milliseconds of one query, each the median of `runs`.

    The median of a few runs keeps another process's burst on a shared machine out of
    the tail; CPU time shows what the query itself costs.
    """
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[98]


COLD = """
import time; t0 = time.perf_counter()
from pathlib import Path
from loket.search.query import WhooshSearcher
searcher = WhooshSearcher(Path({path!r})); searcher.suggest("exp", lang="en")
print((time.perf_counter() - t0) * 1000)
searcher.close()
"""


def cold_load_ms(path: Path, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", COLD.format(path=str(path))],
                             capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip()))
    return statistics.median(times)


# --- tantivy: the same terms in the same fields, the same query clauses ---------------

TANTIVY_FIELDS = [s.field(kind, "en") for kind in
                  (s.TITLE, s.OUTLINE, s.BODY, s.TITLE_GRAMS, s.OUTLINE_GRAMS)]


def tantivy_index(pages: list[SitePage], path: Path):
    """Every field gets the very tokens whoosh indexes (analysed here by Loket's own
    analysers, kept as they are by tantivy's whitespace tokenizer), so both engines
    answer the same query terms over the same postings."""
    import tantivy

    from loket.search.index import document

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("url", stored=True, tokenizer_name="raw")
    for name in TANTIVY_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace")
    index = tantivy.Index(builder.build(), path=str(path))
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    fields = s.schema()
    for page in pages:
        values = document(page)
        writer.add_document(tantivy.Document(url=page.url, **{
            name: " ".join(t.text for t in fields[name].analyzer(values[name]))
            for name in TANTIVY_FIELDS}))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index


def tantivy_query(schema, whoosh_query):
    """The whoosh query's clauses as tantivy clauses: term for term, boost for boost."""
    from tantivy import Occur, Query
    from whoosh.query import FuzzyTerm

    from whoosh.query import And

    should = []
    for clause in getattr(whoosh_query, "subqueries", [whoosh_query]):
        if getattr(clause, "subqueries", None) is not None:
            # A phrase synonym or a pair of neighbouring words: a nested boolean query.
            occur = Occur.Must if isinstance(clause, And) else Occur.Should
            inner = tantivy_query(schema, clause)
            should.append((Occur.Should, Query.boost_query(
                Query.boolean_query([(occur, inner)]), clause.boost)))
            continue
        if clause.fieldname not in TANTIVY_FIELDS:
            continue  # Fields of other languages: no synthetic page fills them.
        if isinstance(clause, FuzzyTerm):
            query = Query.fuzzy_term_query(schema, clause.fieldname, clause.text,
                                           distance=clause.maxdist,
                                           transposition_cost_one=False)
        else:
            query = Query.term_query(schema, clause.fieldname, clause.text)
        should.append((Occur.Should, Query.boost_query(query, clause.boost)))
    return Query.boolean_query(should)


# --- the run -----------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()

    pages = synthetic_pages(args.articles)
    sets = queries(pages, args.queries)
    with tempfile.TemporaryDirectory(prefix="loket-search-bench-") as tmp:
        tmp = Path(tmp)
        whoosh_dir, tantivy_dir = tmp / "whoosh", tmp / "tantivy"
        tantivy_dir.mkdir()
        # With the site's synonyms and glossary, as the site build writes it. The pages
        # have no translations, so each is also indexed under the other language's
        # analysers: the index holds every page twice, the case that costs most.
        vocabulary = load_dir(Path(__file__).parents[1] / "site_config" / "search")
        build_w = timed(lambda: build_index(pages, whoosh_dir, vocabulary))
        holder = {}
        build_t = timed(lambda: holder.update(index=tantivy_index(pages, tantivy_dir)))
        cold = cold_load_ms(whoosh_dir)
        searcher = WhooshSearcher(whoosh_dir)
        searcher.suggest("warm", lang="en")
        raw = searcher._searcher(searcher._open())
        tindex = holder["index"]
        tsearcher = tindex.searcher()

        def tantivy_search(whoosh_query):
            hits = tsearcher.search(tantivy_query(tindex.schema, whoosh_query), limit=20).hits
            return [tsearcher.doc(address)["url"] for _, address in hits[:5]]

        rows = []
        for name, qs in sets.items():
            suggest = [latency(lambda q=q: searcher.suggest(q, lang="en")) for q in qs]
            rules = expansion_rules(vocabulary)
            search = [latency(lambda q=q: raw.search(build_query(q, "en", raw.reader(), rules),
                                                     limit=20))[0] for q in qs]
            built = [build_query(q, "en", raw.reader(), rules) for q in qs]
            tantivy = [latency(lambda q=q: tantivy_search(q))[0] for q in built]
            rows.append((name, *percentiles([w for w, _ in suggest]),
                         percentiles([c for _, c in suggest])[1],
                         *percentiles(search), *percentiles(tantivy)))
        searcher.close()
        print_report(args, build_w, build_t, folder_size(whoosh_dir), folder_size(tantivy_dir),
                     cold, rows)


def print_report(args, build_w, build_t, size_w, size_t, cold, rows) -> None:
    import whoosh

    print(f"Synthetic knowledge base: {args.articles} articles, {args.queries} queries a row; "
          f"whoosh-ng {whoosh.__version_string__}, Python {sys.version.split()[0]}")
    print(f"  whoosh:  build {build_w / 1000:6.1f} s, size {size_w / 2**20:6.1f} MiB, "
          f"cold load + first suggestion in a fresh process {cold:6.0f} ms")
    print(f"  tantivy: build {build_t / 1000:6.1f} s, size {size_t / 2**20:6.1f} MiB "
          "(tokens from Loket's analysers in Python, included)")
    print()
    print("latency, ms     suggest (API path)      whoosh search only   tantivy search   "
          "whoosh/tantivy")
    print("                  p50    p99  cpu p99       p50      p99        p50     p99"
          "     p50    p99")
    for name, s50, s99, c99, w50, w99, t50, t99 in rows:
        print(f"  {name:12} {s50:6.1f} {s99:6.1f} {c99:8.1f} {w50:9.1f} {w99:8.1f} "
              f"{t50:10.2f} {t99:7.2f} {w50 / t50:6.0f}x {w99 / t99:5.0f}x")
    print("(each query's time is the median of 3 runs; suggest includes snippets and "
          "stored fields, tantivy returns the top 5 urls)")


if __name__ == "__main__":
    main()
