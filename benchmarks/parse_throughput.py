"""Parser throughput and startup: the dev corpus replicated to ≥ 20,000 posts, one process.

Prints posts per second (median of several runs), the gazetteer's cold load time and the peak
memory; the last line is one JSON object with the figures.

    python benchmarks/parse_throughput.py [--posts 20000] [--runs 5] [--corpus PATH] [--mix]

``--mix`` runs on the real posts mixed with the dev corpus (``posts-real-dev.jsonl`` +
``posts-dev.jsonl``): real posts are longer and more varied, so this is the figure to watch.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT.parent / "shared" / "corpus"
DEFAULT_CORPUS = CORPUS_DIR / "posts-dev.jsonl"
MIX = (CORPUS_DIR / "posts-real-dev.jsonl", CORPUS_DIR / "posts-dev.jsonl")


def startup_seconds() -> float:
    """Cold start in a fresh interpreter: import the parser and parse one post."""
    code = (
        "import time; t=time.perf_counter(); from bot.parsing import parse; "
        "parse('Швидкісна ціль на Кременчук!'); print(time.perf_counter()-t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(out.stdout.strip())


def _profile(batch: list[dict[str, str]]) -> None:
    import cProfile
    import pstats

    from bot.parsing import parse

    prof = cProfile.Profile()
    prof.enable()
    for p in batch:
        parse(p["text"], p.get("source_kind"), p.get("default_region"))
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(25)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", type=Path, action="append", help="repeatable; default: dev corpus")
    ap.add_argument("--mix", action="store_true", help="real-dev + dev corpora together")
    ap.add_argument("--profile", action="store_true", help="print a cProfile of one run and stop")
    args = ap.parse_args()
    corpora: list[Path] = list(MIX) if args.mix else (args.corpus or [DEFAULT_CORPUS])

    startups = [startup_seconds() for _ in range(3)]
    from bot.parsing import parse

    posts = [
        json.loads(line)
        for corpus in corpora
        for line in corpus.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    batch = (posts * (args.posts // len(posts) + 1))[: args.posts]
    if args.profile:
        _profile(batch)
        return
    rates = []
    for run in range(args.runs):
        t = time.perf_counter()
        for p in batch:
            parse(p["text"], p.get("source_kind"), p.get("default_region"))
        rate = len(batch) / (time.perf_counter() - t)
        rates.append(rate)
        print(f"run {run + 1}: {rate:,.0f} posts/s")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "corpora": [c.name for c in corpora],
        "posts": len(batch),
        "posts_per_s_median": round(statistics.median(rates)),
        "startup_s_median": round(statistics.median(startups), 3),
        "peak_rss_mb": round(peak_mb, 1),
    }
    print(
        f"median {figures['posts_per_s_median']:,} posts/s over {args.runs} runs of {len(batch):,} posts; "
        f"startup {figures['startup_s_median']:.3f} s; peak RSS {figures['peak_rss_mb']} MB"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
