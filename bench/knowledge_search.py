"""Benchmark: knowledge-base loading and search latency (goal: p99 < 5 ms per query at 10,000
entries, index build < 3 s).

    uv run python bench/knowledge_search.py [--entries 10000] [--rounds 5]
    (or: uv run python -m bench.knowledge …)

Measures, in this process: loading the shipped knowledge base (jieba's dictionary, the law
texts, the Q&A, the index), building an index over a synthetic knowledge base of --entries Q&A
entries made by recombining the shipped questions and law sentences, the resident memory each
adds, and p50/p99 latency of `search` for the questions of tests/data/faq_dev.jsonl and the
held-out folds tests/data/heldout/fold_*.jsonl (longer, everyday questions).
"""

import argparse
import random
import re
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from knowledge.base import KnowledgeBase
from knowledge.entries import Entry
from knowledge.evaluate import read_cases
from knowledge.search import SearchIndex

DATA = Path(__file__).parents[1] / "tests" / "data"
DEV_SET = DATA / "faq_dev.jsonl"
QUESTION_SETS = (DEV_SET, *sorted((DATA / "heldout").glob("fold_*.jsonl")))
GOAL_P99_MS = 5.0
GOAL_BUILD_S = 3.0


def rss_mib() -> float:
    # ru_maxrss is the peak, in KiB on Linux; memory is rarely returned, so peak ~ current.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_entries(knowledge: KnowledgeBase, count: int, seed: int = 1) -> list[Entry]:
    """`count` Q&A entries whose questions and answers recombine real clauses, so that words,
    lengths and word frequencies resemble the real data rather than random characters."""
    rng = random.Random(seed)
    phrasings = [
        t for e in knowledge.entries for t in (e.title, *e.alternatives) if e.kind == "faq"
    ]
    clauses = [
        clause
        for article in knowledge.articles
        for clause in re.split(r"[，。；：\n]", article.text)
        if len(clause) >= 4
    ]
    refs = [article.ref for article in knowledge.articles]

    def question() -> str:
        # Half of one real question plus a clause fragment: new strings, familiar words.
        base = rng.choice(phrasings)
        cut = rng.randrange(2, max(3, len(base)))
        return base[:cut] + rng.choice(clauses)[: rng.randrange(2, 12)] + "吗"

    return [
        Entry(
            id=f"synthetic-{number}",
            title=question(),
            alternatives=tuple(question() for _ in range(rng.randrange(2, 5))),
            answer="，".join(rng.sample(clauses, rng.randrange(3, 8)))[:480] + "。",
            refs=tuple(rng.sample(refs, rng.randrange(1, 3))),
            topic=None,
            kind="faq",
        )
        for number in range(count)
    ]


def latencies(
    search: Callable[[str], object], questions: list[str], rounds: int
) -> tuple[list[float], list[float]]:
    """Wall-clock and this thread's CPU milliseconds per query: on a shared machine the CPU time
    shows the code's own cost when neighbours inflate the wall clock."""
    for question in questions:  # warm-up
        search(question)
    timings, cpu = [], []
    for _ in range(rounds):
        for question in questions:
            started, started_cpu = time.perf_counter(), time.thread_time()
            search(question)
            cpu.append((time.thread_time() - started_cpu) * 1000)
            timings.append((time.perf_counter() - started) * 1000)
    return timings, cpu


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * len(ordered)))]


def describe(name: str, measured: tuple[list[float], list[float]]) -> float:
    timings, cpu = measured
    p99 = percentile(timings, 0.99)
    print(
        f"{name}: {len(timings)} queries, p50 {statistics.median(timings):.2f} ms, "
        f"p99 {p99:.2f} ms, max {max(timings):.2f} ms "
        f"(CPU time p50 {statistics.median(cpu):.2f} ms, p99 {percentile(cpu, 0.99):.2f} ms)"
    )
    return p99


def main(count: int, rounds: int) -> int:
    questions = [case.question for path in QUESTION_SETS for case in read_cases(path)]
    before = rss_mib()
    started = time.perf_counter()
    knowledge = KnowledgeBase.load()
    loaded = time.perf_counter() - started
    after_load = rss_mib()
    index = knowledge._index  # the shipped index, to time its build alone
    started = time.perf_counter()
    SearchIndex(knowledge.entries, index.analyzer, index.scoring)
    shipped_build = time.perf_counter() - started
    print(
        f"shipped KB: {len(knowledge.entries)} entries, load {loaded:.2f} s "
        f"(index alone {shipped_build:.2f} s; the rest is jieba's dictionary and parsing), "
        f"+{after_load - before:.0f} MiB"
    )
    shipped_p99 = describe("shipped KB search", latencies(knowledge.search, questions, rounds))

    entries = synthetic_entries(knowledge, count)
    entries += list(knowledge.entries)
    started, started_cpu = time.perf_counter(), time.thread_time()
    big = SearchIndex(entries, index.analyzer, index.scoring)
    built, built_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
    after_big = rss_mib()
    print(
        f"synthetic KB: {len(big)} entries, index build {built:.2f} s "
        f"(CPU time {built_cpu:.2f} s), "
        f"+{after_big - after_load:.0f} MiB (goal: build < {GOAL_BUILD_S:.0f} s)"
    )

    def search_big(question: str) -> object:
        return big.rank(big.analyse(question), 3)

    big_p99 = describe("synthetic KB search", latencies(search_big, questions, rounds))
    print(f"peak resident memory {rss_mib():.0f} MiB")
    ok = built < GOAL_BUILD_S and max(big_p99, shipped_p99) < GOAL_P99_MS
    print("goals met" if ok else f"GOAL MISSED (p99 < {GOAL_P99_MS} ms, build < {GOAL_BUILD_S} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    raise SystemExit(main(arguments.entries, arguments.rounds))
