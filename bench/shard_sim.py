"""Simulate link checks sharded by host over W workers: makespan against the bound.

    python bench/shard_sim.py [--links 100000] [--hosts 2000] [--dist uniform|zipf|corpus]
                              [--workers 1,2,4,8] [--concurrency 16] [--latency 0.3]
                              [--host-delay 1.0] [--cpu-ms 9]

Paper for docs/scale.md, not a deployment. Each host goes to the worker
``blake2b(host) mod W`` (as a task queue would route it), so one worker owns a
host and its politeness. A worker is simulated event by event: ``concurrency``
connections, each request starting when a connection is free and its host's
turn has come (``host_delay`` after the host's previous start), costing
``cpu_ms`` of the worker's one CPU (serialised) and then ``latency`` of waiting.
The makespan is the last worker's end; the bound is what politeness allows all W
workers together: the busiest host's spacing, and all requests × latency over
W × concurrency connections.

``--dist corpus`` takes the links per host from the url and doi fields of the
corpora in /work/shared/corpora/large (a DOI counts for doi.org), the shape of
a real reading list: a few hosts hold most links.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import re
import sys
from collections import Counter
from pathlib import Path

CORPORA = Path("/work/shared/corpora/large")
_FIELD = re.compile(r"^\s*(url|doi)\s*=\s*[{\"]?\s*([^,}\"\s]+)", re.I | re.M)


def corpus_hosts() -> Counter[str]:
    """Links per host in the large corpora's url and doi fields."""
    hosts: Counter[str] = Counter()
    for path in sorted(CORPORA.glob("*.bib")):
        for name, value in _FIELD.findall(path.read_text(encoding="utf-8", errors="replace")):
            if name.lower() == "doi" or value.startswith("10."):
                hosts["doi.org"] += 1
            else:
                host = re.sub(r"^[a-z]+://", "", value, flags=re.I).split("/", 1)[0].lower()
                hosts[host or "?"] += 1
    return hosts


def synthetic_hosts(links: int, hosts: int, dist: str) -> Counter[str]:
    """``links`` spread over ``hosts``: evenly, or Zipf-like (the i-th host ∝ 1/i)."""
    if dist == "uniform":
        return Counter({f"h{i}": links // hosts + (i < links % hosts) for i in range(hosts)})
    weights = [1 / (i + 1) for i in range(hosts)]
    scale = links / sum(weights)
    out = Counter({f"h{i}": max(1, round(w * scale)) for i, w in enumerate(weights)})
    return out


def shard(host: str, workers: int) -> int:
    """The worker that owns ``host``: a stable hash, as a queue router would use."""
    return int.from_bytes(hashlib.blake2b(host.encode(), digest_size=8).digest(), "big") % workers


def simulate_worker(hosts: dict[str, int], concurrency: int, latency: float,
                    delay: float, cpu: float) -> float:
    """The time one worker needs for ``hosts`` (host → requests) under its limits."""
    ready = [(0.0, -n, h) for h, n in hosts.items() if n]
    heapq.heapify(ready)
    slots = [0.0] * concurrency
    cpu_free, end = 0.0, 0.0
    while ready:
        at, neg_left, host = heapq.heappop(ready)
        free = heapq.heappop(slots)
        start = max(at, free)
        cpu_free = max(cpu_free, start) + cpu
        done = cpu_free + latency
        heapq.heappush(slots, done)
        end = max(end, done)
        if neg_left < -1:
            heapq.heappush(ready, (start + delay, neg_left + 1, host))
    return end


def bound(hosts: Counter[str], workers: int, concurrency: int, latency: float,
          delay: float) -> float:
    """The shortest time politeness allows, whatever the hardware."""
    busiest = max((n - 1) * delay + latency for n in hosts.values())
    return max(busiest, sum(hosts.values()) * latency / (workers * concurrency))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--links", type=int, default=100_000)
    ap.add_argument("--hosts", type=int, default=2000)
    ap.add_argument("--dist", choices=("uniform", "zipf", "corpus"), default="uniform")
    ap.add_argument("--workers", default="1,2,4,8")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--latency", type=float, default=0.3)
    ap.add_argument("--host-delay", type=float, default=1.0)
    ap.add_argument("--cpu-ms", type=float, default=9.0,
                    help="checker CPU per request (bench/check_scale.py measures it)")
    args = ap.parse_args()
    hosts = (corpus_hosts() if args.dist == "corpus"
             else synthetic_hosts(args.links, args.hosts, args.dist))
    total = sum(hosts.values())
    top = hosts.most_common(3)
    print(f"{total} links over {len(hosts)} hosts ({args.dist}); busiest: {top}")
    print(f"concurrency={args.concurrency}/worker latency={args.latency}s "
          f"host_delay={args.host_delay}s cpu={args.cpu_ms}ms/request")
    print(f"{'workers':>7} {'makespan s':>11} {'bound s':>9} {'ratio':>6} {'max/mean load':>14}")
    for w in (int(x) for x in args.workers.split(",")):
        parts: list[dict[str, int]] = [{} for _ in range(w)]
        for h, n in hosts.items():
            parts[shard(h, w)][h] = n
        loads = [sum(p.values()) for p in parts]
        span = max(simulate_worker(p, args.concurrency, args.latency, args.host_delay,
                                   args.cpu_ms / 1000) for p in parts if p)
        b = bound(hosts, w, args.concurrency, args.latency, args.host_delay)
        print(f"{w:>7} {span:>11.0f} {b:>9.0f} {span / b:>6.2f} "
              f"{max(loads) / (total / w):>14.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
