"""Parser throughput and startup: the dev corpus replicated to ≥ 20,000 posts, one process.

Prints posts per second (median of several runs), the gazetteer's cold load time and the peak
memory; the last line is one JSON object with the figures.

    python benchmarks/parse_throughput.py [--posts 20000] [--runs 5] [--corpus PATH]
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
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "posts-dev.jsonl"


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = ap.parse_args()

    startups = [startup_seconds() for _ in range(3)]
    from bot.parsing import parse

    posts = [
        json.loads(line)
        for line in args.corpus.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    batch = (posts * (args.posts // len(posts) + 1))[: args.posts]
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
