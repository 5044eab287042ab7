"""Link checking at scale: N URLs over H loopback hosts across 127.0.0.0/8.

    python bench/check_scale.py [--urls 100000] [--hosts 2000] [--latency 0.02]
                                [--host-delay 1.0] [--concurrency 16] [--history]

The hosts are addresses 127.1.x.y (Linux routes all of 127.0.0.0/8 to the
loopback device), served by one asyncio process that listens on every address:
thousands of the test farm's threaded servers would cost more CPU than the
checker being measured. Each response waits ``--latency`` seconds and serves a
small HTML page, to HEAD and GET alike, with keep-alive.

The checker runs ``check_links`` in this process, as ``bibvault check`` does
(with ``--history``, against a fresh SQLite history in a temporary folder). It
prints the wall time against the bound the politeness settings allow (see
bench/check.py: the largest of the per-host spacing and the overall
concurrency limit, from the requests the servers counted and from one request
per link), the requests, the achieved rate, this process's CPU time per
request, and its peak RSS.
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
            method = head.split(b" ", 1)[0]
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(BODY))
            if method != b"HEAD":
                writer.write(BODY)
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
    conn.send(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=100_000)
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.02, help="server delay (s)")
    parser.add_argument("--host-delay", type=float, default=1.0,
                        help="minimum delay between requests to one host (s)")
    parser.add_argument("--concurrency", type=int, default=CheckConfig.concurrency)
    parser.add_argument("--history", action="store_true", help="record into a SQLite history")
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
        cpu0, started = time.process_time(), time.monotonic()
        run = check_links(targets, session, config, history=history)
        wall, cpu = time.monotonic() - started, time.process_time() - cpu0
        if history is not None:
            history.close()
    session.close()

    parent.send("stop")
    served: dict[str, int] = parent.recv()
    server.join(timeout=10)
    # Bounds from what the servers counted, and from one request per link.
    total, bound = sum(served.values()), _bound(served, config, args.latency)
    bound1 = _bound(Counter(host_of(t.url) for t in targets), config, args.latency)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    alive = run.counts.get("alive", 0)
    print(f"urls={args.urls} hosts={args.hosts} latency={args.latency}s "
          f"host_delay={config.host_delay}s per_host={config.per_host} "
          f"concurrency={config.concurrency} history={args.history} drift={config.drift}")
    print(f"requests={total} (checker counted {run.requests}) alive={alive}/{args.urls}")
    print(f"wall={wall:.1f}s bound={bound:.1f}s ratio={wall / bound:.3f} "
          f"one-request bound={bound1:.1f}s ratio1={wall / bound1:.3f}")
    print(f"rate={total / wall:.0f} req/s (bound allows {total / bound:.0f}) "
          f"checker cpu={cpu:.1f}s ({cpu / max(total, 1) * 1e3:.2f} ms/request) "
          f"peak_rss={peak_mb:.0f}MB")
    return 0 if alive == args.urls else 1


if __name__ == "__main__":
    sys.exit(main())
