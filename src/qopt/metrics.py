"""Prometheus text metrics for `qopt serve`: chat requests, latencies and errors per skill and platform
(a `Router` observer), and HTTP requests per route. No client library: the text format is small.

    metrics = Metrics()
    router.observers.append(metrics.observe)
    metrics.observe_http("/slack/events", "POST", 200, 0.004)
    print(metrics.render())
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Iterable

from qopt.bot.reply import Reply
from qopt.bot.request import Request

# Seconds; a chat answer ranges from milliseconds (help) to minutes (a cold warehouse).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)

Labels = tuple[tuple[str, str], ...]


class _Histogram:
    def __init__(self) -> None:
        self.counts = [0] * (len(BUCKETS) + 1)
        self.sum = 0.0
        self.count = 0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(BUCKETS, seconds)] += 1
        self.sum += seconds
        self.count += 1


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[Labels, int] = defaultdict(int)
        self.errors: dict[Labels, int] = defaultdict(int)
        self.latency: dict[Labels, _Histogram] = defaultdict(_Histogram)
        self.http: dict[Labels, int] = defaultdict(int)
        self.http_latency: dict[Labels, _Histogram] = defaultdict(_Histogram)

    def observe(self, request: Request, reply: Reply, seconds: float) -> None:
        """A `Router` observer: one handled chat message."""
        skill = request.command or "unknown"
        platform = request.place.platform
        outcome = "ok" if reply.ok else ("error" if reply.error_id else "refused")
        base: Labels = (("skill", skill), ("platform", platform))
        with self._lock:
            self.requests[base + (("outcome", outcome),)] += 1
            self.latency[base].observe(seconds)
            if reply.error_id:
                self.errors[base] += 1

    def observe_http(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.http[(("route", route), ("method", method), ("status", str(status)))] += 1
            self.http_latency[(("route", route),)].observe(seconds)

    def render(self) -> str:
        """The Prometheus text exposition format (version 0.0.4)."""
        with self._lock:
            lines: list[str] = []
            lines += _counter("qopt_requests_total", "Chat messages handled, by skill, platform and outcome.", self.requests)
            lines += _counter("qopt_errors_total", "Chat messages whose skill failed (an apology with an error id).", self.errors)
            lines += _histogram("qopt_request_seconds", "Time to answer a chat message.", self.latency)
            lines += _counter("qopt_http_requests_total", "HTTP requests served, by route, method and status.", self.http)
            lines += _histogram("qopt_http_request_seconds", "Time to answer an HTTP request.", self.http_latency)
            return "\n".join(lines) + "\n"


def _labels(labels: Iterable[tuple[str, str]]) -> str:
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
    return "{" + inner + "}" if inner else ""


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _counter(name: str, help_text: str, values: dict[Labels, int]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
    lines += [f"{name}{_labels(k)} {v}" for k, v in sorted(values.items())]
    return lines


def _histogram(name: str, help_text: str, values: dict[Labels, _Histogram]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
    for labels, hist in sorted(values.items()):
        running = 0
        for bound, n in zip((*BUCKETS, float("inf")), hist.counts):
            running += n
            le = "+Inf" if bound == float("inf") else repr(bound)
            lines.append(f"{name}_bucket{_labels(labels + (('le', le),))} {running}")
        lines.append(f"{name}_sum{_labels(labels)} {hist.sum:.6f}")
        lines.append(f"{name}_count{_labels(labels)} {hist.count}")
    return lines
