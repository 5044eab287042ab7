"""Benchmark the link checker against loopback hosts with slow responses.

Serves N URLs over H loopback hosts (127.0.0.2, …) from a separate process,
every response delayed by a fixed latency, checks them all and prints the wall
time next to the lower bound that the politeness settings allow:

    per host:  (requests to the host - 1) * host_delay + latency
               and requests to the host * latency / per_host
    overall:   all requests * latency / concurrency

The bound is the largest of these, computed twice: from the requests the
servers actually counted, and from one request per link (the one-request bound,
the figure to beat: ``ratio1`` near 1 means one request per link and no waste). Run: ``python bench/check.py [--urls 1000] [--hosts 20]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bibvault.config import CheckConfig  # noqa: E402
from bibvault.links import LinkTarget, check_links  # noqa: E402
from bibvault.net import session_for_check  # noqa: E402


def _serve(conn: Any, hosts: int, latency: float) -> None:
    from webfarm import Farm

    farm = Farm()
    bases = [farm.site(f"127.0.0.{i + 2}", delay=latency) for i in range(hosts)]
    conn.send(bases)
    conn.recv()  # told to stop
    counts: dict[str, int] = {}
    for hit in farm.log.hits:
        counts[hit.host] = counts.get(hit.host, 0) + 1
    conn.send(counts)
    farm.stop()


def _bound(per_host: dict[str, int], config: CheckConfig, latency: float) -> float:
    """The shortest wall time the politeness settings allow for these request counts."""
    host_bound = max(
        max((n - 1) * config.host_delay + latency, n * latency / config.per_host)
        for n in per_host.values()
    )
    return max(host_bound, sum(per_host.values()) * latency / config.concurrency)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05, help="server delay per response (s)")
    parser.add_argument("--host-delay", type=float, default=0.2,
                        help="minimum delay between requests to one host (s)")
    parser.add_argument("--concurrency", type=int, default=CheckConfig.concurrency)
    parser.add_argument("--no-sniff", action="store_true", help="HEAD only for HTML pages")
    args = parser.parse_args(argv)

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(child, args.hosts, args.latency), daemon=True)
    server.start()
    bases: list[str] = parent.recv()

    config = dataclasses.replace(CheckConfig(), host_delay=args.host_delay,
                                 concurrency=args.concurrency, sniff_titles=not args.no_sniff)
    targets = [LinkTarget(f"k{i}", f"{bases[i % len(bases)]}/ok?n={i}") for i in range(args.urls)]
    session = session_for_check(config)
    started, cpu0 = time.monotonic(), time.process_time()
    run = check_links(targets, session, config, history=None)
    wall, cpu = time.monotonic() - started, time.process_time() - cpu0
    session.close()

    parent.send("stop")
    counts: dict[str, int] = parent.recv()
    server.join(timeout=5)

    total = sum(counts.values())
    bound = _bound(counts, config, args.latency)
    links: dict[str, int] = {}
    for t in targets:
        host = t.url.split("//", 1)[1].split(":", 1)[0]
        links[host] = links.get(host, 0) + 1
    bound1 = _bound(links, config, args.latency)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    alive = run.counts.get("alive", 0)
    print(f"urls={args.urls} hosts={args.hosts} latency={args.latency}s "
          f"host_delay={config.host_delay}s per_host={config.per_host} "
          f"concurrency={config.concurrency} sniff_titles={config.sniff_titles}")
    print(f"requests={total} (checker counted {run.requests}) alive={alive}/{args.urls}")
    print(f"wall={wall:.2f}s bound={bound:.2f}s ratio={wall / bound:.3f} peak_rss={peak_mb:.1f}MB")
    print(f"one-request bound={bound1:.2f}s ratio1={wall / bound1:.3f}")
    print(f"checker cpu={cpu:.2f}s ({cpu / max(total, 1) * 1e3:.2f} ms/request; the servers run"
          " in another process)")
    return 0 if alive == args.urls else 1


if __name__ == "__main__":
    sys.exit(main())
