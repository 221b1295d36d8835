"""Throughput and memory of civictest.sentiment over the development set, repeated.

    python -m benchmarks.sentiment [N]

Prints comments per second (one thread, analyzers loaded beforehand), the load time, the peak of
Python allocations (tracemalloc: import + load measured in a fresh interpreter, scoring in a separate
pass because tracing slows scoring down) and the process's maximum resident set size
(resource.getrusage; includes MeCab's C allocations, which tracemalloc does not see).
"""
from __future__ import annotations

import itertools
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

DEV_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "sentiment-dev.jsonl"


def _texts(path: Path = DEV_SET) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def _max_rss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


_LOAD_PROBE = """
import json, sys, time, tracemalloc
if sys.argv[1] == "trace":
    tracemalloc.start()
t0 = time.perf_counter()
from civictest import sentiment
sentiment.warm_up()
sentiment.analyze("ログインできません"); sentiment.analyze("I could not log in")
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "peak": tracemalloc.get_traced_memory()[1]}))
"""


def _load_probe(mode: str) -> dict | None:
    """Import + analyzer load + two comments in a fresh interpreter: seconds, and traced peak if mode == "trace"."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run([sys.executable, "-c", _LOAD_PROBE, mode], cwd=root, capture_output=True, text=True,
                             timeout=300)
        return json.loads(out.stdout.strip().splitlines()[-1])
    except Exception:
        return None


def run(n: int = 5000, memory_n: int = 1000, probe_load: bool = True) -> dict:
    """Score ``n`` comments (the dev set cycled) and return the figures as a dict."""
    texts = _texts()
    t0 = time.perf_counter()
    from civictest import sentiment

    failures = sentiment.warm_up()
    load_seconds = time.perf_counter() - t0

    for text in texts[:50]:  # warm caches outside the timed loop
        sentiment.analyze(text)
    labels: dict[str, int] = {}
    chars = 0
    t0 = time.perf_counter()
    for text in itertools.islice(itertools.cycle(texts), n):
        result = sentiment.analyze(text)
        labels[result.label] = labels.get(result.label, 0) + 1
        chars += len(text)
    seconds = time.perf_counter() - t0

    tracemalloc.start()  # separate pass: tracing slows scoring down
    for text in itertools.islice(itertools.cycle(texts), memory_n):
        sentiment.analyze(text)
    _, scoring_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    cold = _load_probe("time") if probe_load else None
    probe = _load_probe("trace") if probe_load else None
    return {
        "comments": n,
        "distinct_comments": len(texts),
        "mean_chars": round(chars / n, 1),
        "seconds": round(seconds, 3),
        "comments_per_second": round(n / seconds, 1),
        "load_seconds": round(load_seconds, 3),
        "cold_start_seconds": round(cold["seconds"], 3) if cold else None,
        "peak_tracemalloc_load_mb": round(probe["peak"] / 2**20, 2) if probe else None,
        "peak_tracemalloc_scoring_mb": round(scoring_peak / 2**20, 2),
        "max_rss_mb": round(_max_rss_mb(), 1),
        "labels": labels,
        "load_failures": {k: v for k, v in failures.items() if v},
        "analyzers": sentiment.analyzer_versions(),
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 5000
    r = run(n)
    print(f"comments scored      {r['comments']} ({r['distinct_comments']} distinct, mean {r['mean_chars']} chars)")
    print(f"comments per second  {r['comments_per_second']:.0f}  ({r['seconds']} s, one thread)")
    print(f"analyzer load        {r['load_seconds']} s (import + build); cold start in a fresh interpreter "
          f"{r['cold_start_seconds']} s")
    print(f"peak memory          {r['max_rss_mb']} MB max RSS of this process; Python allocations (tracemalloc): "
          f"{r['peak_tracemalloc_load_mb']} MB import + load, {r['peak_tracemalloc_scoring_mb']} MB while scoring")
    print(f"labels               {r['labels']}")
    if r["load_failures"]:
        print(f"LOAD FAILURES        {r['load_failures']}")
    print(f"analyzers            {r['analyzers']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
