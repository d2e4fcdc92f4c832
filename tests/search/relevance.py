"""Relevance of suggestions on the demo knowledge base, against judged queries.

Run `python -m tests.search.relevance [INDEX]` to print every query's rank and the
totals; test_relevance.py holds the floor.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from loket.search.pages import translation_key

JUDGED = Path(__file__).with_name("judged_queries.yml")
DEPTH = 5


@dataclass(frozen=True)
class Judged:
    q: str
    lang: str
    answers: frozenset[str]   # translation keys
    product: str | None = None
    tags: frozenset[str] = frozenset()   # "typo", "synonym"


@dataclass(frozen=True)
class Outcome:
    judged: Judged
    found: list[str]          # translation keys, best first

    @property
    def rank(self) -> int | None:
        return next((i + 1 for i, key in enumerate(self.found) if key in self.judged.answers),
                    None)

    @property
    def recall(self) -> float:
        return len(self.judged.answers & set(self.found)) / len(self.judged.answers)


def load_judged() -> list[Judged]:
    entries = yaml.safe_load(JUDGED.read_text(encoding="utf-8"))
    return [Judged(q=e["q"], lang=e["lang"], product=e.get("product"),
                   answers=frozenset(translation_key(a) for a in e["answers"]),
                   tags=frozenset(e.get("tags") or ()))
            for e in entries]


def evaluate(searcher, judged: list[Judged]) -> list[Outcome]:
    return [Outcome(j, [translation_key(s.url) for s in
                        searcher.suggest(j.q, lang=j.lang, product=j.product, limit=DEPTH)])
            for j in judged]


def mrr(outcomes: list[Outcome]) -> float:
    return sum(1 / o.rank for o in outcomes if o.rank) / len(outcomes)


def recall(outcomes: list[Outcome]) -> float:
    return sum(o.recall for o in outcomes) / len(outcomes)


def no_result_rate(outcomes: list[Outcome]) -> float:
    """The share of queries (all of which have an answer) that got no suggestion at all."""
    return sum(not o.found for o in outcomes) / len(outcomes)


def summary(label: str, outcomes: list[Outcome]) -> str:
    return (f"{label}: {len(outcomes)} queries, MRR@{DEPTH} {mrr(outcomes):.3f}, "
            f"recall@{DEPTH} {recall(outcomes):.3f}, no result {no_result_rate(outcomes):.3f}")


def report(outcomes: list[Outcome]) -> str:
    lines = [f"{'rank':>4}  {'lang':4}  query"]
    for o in outcomes:
        lines.append(f"{o.rank or '-':>4}  {o.judged.lang:4}  {o.judged.q}")
    for lang in sorted({o.judged.lang for o in outcomes}):
        part = [o for o in outcomes if o.judged.lang == lang]
        lines.append(summary(lang, part))
    for tag in ("typo", "synonym"):
        lines.append(summary(tag, [o for o in outcomes if tag in o.judged.tags]))
    lines.append(summary("all", outcomes))
    return "\n".join(lines)


if __name__ == "__main__":
    from loket.search.query import WhooshSearcher

    searcher = WhooshSearcher(Path(sys.argv[1] if len(sys.argv) > 1 else "search/index"))
    print(report(evaluate(searcher, load_judged())))
    searcher.close()
