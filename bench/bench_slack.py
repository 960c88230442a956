"""Benchmark: 20 concurrent signed `/qopt top` slash commands against `qopt serve` on a 1M-query demo warehouse.

Starts `qopt serve` as a child process (the real server, real bolt app) pointed at a local fake Slack Web API
(the one the tests use), then measures:
- ack latency (HTTP answer to the signed command; Slack's limit is 3 s, the target p99 is under 100 ms),
- answer latency (command sent -> final answer posted to its response_url) for `top`, p50/p99,
- that every command was answered, and the server's peak memory (VmHWM).
Baseline, in the same run: one command at a time (`help`, then `top`) on the same server.

    .venv/bin/python bench/bench_slack.py [--path WAREHOUSE] [--queries 1000000] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.slack.fake_slack import FakeSlack  # noqa: E402 - the tests' fake Slack Web API

SECRET = "bench-signing-secret"
END = "2026-11-20"
COMMAND = "top --days 7 --limit 10"


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index] * 1000


def ensure_warehouse(path: Path | None, queries: int, workdir: Path) -> Path:
    if path is not None and path.is_file():
        return path
    target = path or workdir / f"demo-{queries}.duckdb"
    print(f"generating a {queries:,}-query demo warehouse into {target.name} …", file=sys.stderr)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "qopt", "demo-data", "--path", str(target), "--queries", str(queries), "--end", END, "--seed", "1"],
        check=True,
    )
    print(f"generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return target


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _signed_command(session: aiohttp.ClientSession, url: str, text: str, hook: str) -> float:
    body = urlencode({"team_id": "T1", "channel_id": "C1", "channel_name": "general", "user_id": "UANA0001",
                      "user_name": "ana", "command": "/qopt", "text": text, "response_url": hook, "trigger_id": "1"})
    ts = str(int(time.time()))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
               "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)}
    started = time.perf_counter()
    async with session.post(url, data=body.encode(), headers=headers) as response:
        await response.read()
        assert response.status == 200, response.status
    return time.perf_counter() - started


async def _answer(fake: FakeSlack, hook: str, timeout: float) -> float:
    """Seconds until the final answer (a message with blocks) reached `hook`."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        for call in fake.of("hook"):
            if call.path == hook and call.data.get("blocks"):
                return time.perf_counter()
        await asyncio.sleep(0.005)
    raise TimeoutError(hook)


async def _one(fake: FakeSlack, session: aiohttp.ClientSession, url: str, text: str, name: str, timeout: float) -> tuple[float, float]:
    started = time.perf_counter()
    ack = await _signed_command(session, url, text, fake.hook_url(name))
    answered = await _answer(fake, name, timeout)
    return ack, answered - started


async def run(args: argparse.Namespace) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="qopt-bench-slack-"))
    warehouse = ensure_warehouse(args.path, args.queries, workdir)
    fake = await FakeSlack().start()
    port = _free_port()
    env = dict(os.environ, SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET=SECRET, QOPT_SLACK_API_URL=fake.base_url,
               QOPT_DUCKDB_PATH=str(warehouse), QOPT_DATA_DIR=str(workdir), QOPT_WAREHOUSE="duckdb",
               QOPT_SCHEDULER_ENABLED="false")  # Slack alone: no digests firing during the measurement
    for name in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "QOPT_GENIE_SPACE_ID", "QOPT_STATE_URL"):
        env.pop(name, None)
    server = subprocess.Popen([sys.executable, "-m", "qopt", "serve", "--port", str(port)], env=env, cwd=workdir)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(600):
                try:
                    async with session.get(base + "/healthz") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise SystemExit("qopt serve did not become healthy")
            events = base + "/slack/events"
            # Warm-up (first auth.test, first DuckDB touch), then the sequential baseline.
            await _one(fake, session, events, "help", "warm-help", args.timeout)
            await _one(fake, session, events, COMMAND, "warm-top", args.timeout)
            base_help = [await _one(fake, session, events, "help", f"bh{i}", args.timeout) for i in range(5)]
            base_top = [await _one(fake, session, events, COMMAND, f"bt{i}", args.timeout) for i in range(3)]
            # The load: N concurrent signed commands.
            started = time.perf_counter()
            results = await asyncio.gather(*(
                _one(fake, session, events, args.command, f"c{i}", args.timeout) for i in range(args.concurrency)))
            wall = time.perf_counter() - started
        peak = _peak_rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        await fake.close()
    acks = [a for a, _ in results]
    answers = [b for _, b in results]
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"warehouse: {warehouse.stat().st_size / 2**20:.0f} MiB DuckDB file, {args.queries:,} statements")
    print(f"| measure | value |\n|---|---|")
    print(f"| baseline, one at a time: ack `help` p50 | {_pct([a for a, _ in base_help], 0.5):.1f} ms |")
    print(f"| baseline, one at a time: answer `help` p50 | {_pct([b for _, b in base_help], 0.5):.1f} ms |")
    print(f"| baseline, one at a time: answer `{COMMAND}` p50 | {_pct([b for _, b in base_top], 0.5):.0f} ms |")
    print(f"| {args.concurrency} concurrent: ack p50 / p99 | {_pct(acks, 0.5):.1f} / {_pct(acks, 0.99):.1f} ms |")
    print(f"| {args.concurrency} concurrent: answered | {len(answers)} of {args.concurrency} |")
    print(f"| {args.concurrency} concurrent: answer `{args.command}` p50 / p99 | {_pct(answers, 0.5):.0f} / {_pct(answers, 0.99):.0f} ms |")
    print(f"| {args.concurrency} concurrent: wall time | {wall * 1000:.0f} ms |")
    print(f"| server peak memory (VmHWM) | {peak:.0f} MiB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, help="an existing demo warehouse (generated when missing)")
    parser.add_argument("--queries", type=int, default=1_000_000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--command", default=COMMAND, help=f"the concurrent command (default {COMMAND!r})")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for one answer")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
