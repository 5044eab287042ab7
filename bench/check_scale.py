"""Link checking at scale: N URLs over H loopback hosts across 127.0.0.0/8.

    python bench/check_scale.py [--urls 100000] [--hosts 2000] [--latency 0.02]
                                [--host-delay 1.0] [--concurrency 16] [--no-history]
                                [--no-drift] [--rerun]

The hosts are addresses 127.1.x.y (Linux routes all of 127.0.0.0/8 to the
loopback device), served by one asyncio process that listens on every address:
thousands of the test farm's threaded servers would cost more CPU than the
checker being measured. Each response waits ``--latency`` seconds and serves a
small HTML page, to HEAD and GET alike, with keep-alive. Every path gets its own
text (its words carry the path's number), so no two pages share a fingerprint.

The checker runs ``check_links`` in this process, as ``bibvault check`` does,
against a fresh SQLite history in a temporary folder (``--no-history``: none,
and then no fingerprints either: there is nothing to compare them with).
With ``--rerun`` the same links are checked a second time with ``refresh``, as a
later run finds them: every page is unchanged, and that run is measured too.
It prints the wall time against the bound the politeness settings allow (see
bench/check.py: the largest of the per-host spacing and the overall
concurrency limit, from the requests the servers counted and from one request
per link), the requests, the achieved rate, this process's CPU time per
request, the extracting processes' CPU time, the farm's CPU time (the machine's
cores are shared by all three), and the peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import multiprocessing as mp
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check import _bound  # noqa: E402

from bibvault.config import CheckConfig  # noqa: E402
from bibvault.links import History, LinkTarget, check_links  # noqa: E402
from bibvault.net import host_of, session_for_check  # noqa: E402

BODY = (b"<!doctype html><html><head><title>A fine article</title></head><body><p>"
        + b" ".join(b"word%d" % i for i in range(200)) + b"</p></body></html>")


def page(path: bytes) -> bytes:
    """The page at ``path``: BODY with the path's last segment woven into every word."""
    tag = path.rsplit(b"/", 1)[-1][:16]
    return BODY.replace(b"word", b"w" + tag + b"x")


def address(i: int) -> str:
    """The ``i``-th host: 127.1.0.1, 127.1.0.2, ... skipping .0 and .255."""
    return f"127.{1 + i // 64516}.{i // 254 % 254 + 0}.{i % 254 + 1}"


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                  latency: float, counts: dict[str, int]) -> None:
    host = writer.get_extra_info("sockname")[0]
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            counts[host] = counts.get(host, 0) + 1
            await asyncio.sleep(latency)
            method, path = head.split(b" ", 2)[:2]
            body = page(path)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body))
            if method != b"HEAD":
                writer.write(body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


def _serve(conn: Any, hosts: int, latency: float) -> None:
    """The server process: listens on ``hosts`` addresses until told to stop."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, hosts + 4096)), hard))
    counts: dict[str, int] = {}

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        servers = []
        bases = []
        for i in range(hosts):
            server = await asyncio.start_server(
                lambda r, w: _answer(r, w, latency, counts), address(i), 0, backlog=64)
            servers.append(server)
            ip, port = server.sockets[0].getsockname()[:2]
            bases.append(f"http://{ip}:{port}")
        conn.send(bases)
        threading.Thread(target=lambda: (conn.recv(), loop.call_soon_threadsafe(stop.set)),
                         daemon=True).start()
        await stop.wait()
        for server in servers:
            server.close()

    asyncio.run(main())
    conn.send((counts, time.process_time()))


def _children_cpu() -> float:
    """CPU seconds of this process's ended and waited-for children (the extractors)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=100_000)
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.02, help="server delay (s)")
    parser.add_argument("--host-delay", type=float, default=1.0,
                        help="minimum delay between requests to one host (s)")
    parser.add_argument("--concurrency", type=int, default=CheckConfig.concurrency)
    parser.add_argument("--history", action=argparse.BooleanOptionalAction, default=True,
                        help="record into a SQLite history (as `bibvault check` does)")
    parser.add_argument("--extract-workers", type=int, default=None,
                        help="processes taking fingerprints (default: check_links decides;"
                             " 0: in the checking threads)")
    parser.add_argument("--rerun", action="store_true",
                        help="check everything a second time (refresh), with the history")
    parser.add_argument("--no-drift", action="store_true",
                        help="no content fingerprints (the main-text extraction and MinHash)")
    args = parser.parse_args(argv)
    config = dataclasses.replace(CheckConfig(), host_delay=args.host_delay,
                                 concurrency=args.concurrency, drift=not args.no_drift)
    # The servers live in a spawned process: its CPU and memory are not the checker's.
    parent, child = mp.get_context("spawn").Pipe()
    server = mp.get_context("spawn").Process(target=_serve, daemon=True,
                                             args=(child, args.hosts, args.latency))
    server.start()
    bases: list[str] = parent.recv()
    targets = [LinkTarget(f"k{i}", f"{bases[i % len(bases)]}/article/{i}")
               for i in range(args.urls)]
    session = session_for_check(config)
    with tempfile.TemporaryDirectory(prefix="bibvault-check-") as tmp:
        history = History(Path(tmp) / "links.sqlite") if args.history else None
        runs = []
        for attempt in range(2 if args.rerun and history is not None else 1):
            cpu0, started, helpers0 = time.process_time(), time.monotonic(), _children_cpu()
            # Passed only when given, so the script also measures versions without it.
            extra = {} if args.extract_workers is None else {
                "extract_workers": args.extract_workers}
            run = check_links(targets, session, config, history=history, refresh=attempt > 0,
                              **extra)
            wall, cpu = time.monotonic() - started, time.process_time() - cpu0
            # Only the numbers are kept: a second run should not pay for the first's memory.
            runs.append((run.counts.get("alive", 0), run.requests, wall, cpu,
                         _children_cpu() - helpers0))
            del run
        if history is not None:
            history.close()
    session.close()
    # The extracting processes have ended and been waited for; the server has not.
    helpers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    parent.send("stop")
    served, farm_cpu = parent.recv()
    server.join(timeout=10)
    # Bounds from what the servers counted, and from one request per link.
    total = sum(served.values()) // len(runs)
    bound = _bound({h: n // len(runs) for h, n in served.items()}, config, args.latency)
    bound1 = _bound(Counter(host_of(t.url) for t in targets), config, args.latency)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"urls={args.urls} hosts={args.hosts} latency={args.latency}s "
          f"host_delay={config.host_delay}s per_host={config.per_host} "
          f"concurrency={config.concurrency} history={args.history} drift={config.drift}")
    ok = True
    for n, (alive, counted, wall, cpu, helpers) in enumerate(runs, 1):
        ok = ok and alive == args.urls
        print(f"run {n}: requests={total} (checker counted {counted}) "
              f"alive={alive}/{args.urls}")
        print(f"run {n}: wall={wall:.1f}s bound={bound:.1f}s ratio={wall / bound:.3f} "
              f"one-request bound={bound1:.1f}s ratio1={wall / bound1:.3f}")
        print(f"run {n}: rate={total / wall:.0f} req/s (bound allows {total / bound:.0f}) "
              f"checker cpu={cpu:.1f}s ({cpu / max(total, 1) * 1e3:.2f} ms/request) "
              f"extractors cpu={helpers:.1f}s")
    print(f"farm cpu={farm_cpu:.1f}s over all runs and its start "
          f"({farm_cpu / max(total * len(runs), 1) * 1e3:.2f} ms/request)")
    print(f"peak_rss={peak_mb:.0f}MB (the checker's process; the servers run in another) "
          f"extractor peak_rss={helpers_mb:.0f}MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
