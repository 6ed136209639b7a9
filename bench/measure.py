"""Timing one thing: a warm-up run that counts the queries (QueryCounter) and checks the
answer, then up to N timed runs without the query log, each after its own untimed preparation, until
the measurement has spent its budget of seconds (one timed run at least). A warm-up of several seconds
is warm after its first second: its time counts as a run. The median is what the table prints.
A page that answers anything but what it should (200, or the redirect of a POST that went through)
stops the run: BenchFailure, a non-zero exit."""

from __future__ import annotations

import statistics
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


class BenchFailure(Exception):
    """A measured page or command did not do what it should: the benchmark stops with its message."""


@dataclass
class Sample:
    """One measurement at one size."""

    name: str
    queries: int | None
    times: list[float] = field(default_factory=list)  # seconds
    note: str = ""
    floor: float | None = None  # the trivial view's median just before (seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


@dataclass
class Derived:
    """A figure computed from samples (a ratio, a time per page), printed under the table."""

    name: str
    value: float
    unit: str  # "×" or "ms"
    note: str = ""


@dataclass(frozen=True)
class Measurement:
    """What to measure: `run(prepared)` is timed; `prepare()` (untimed) makes its input for each run;
    `check(answer, prepared)` raises BenchFailure when the answer is wrong; `note()` says, after the
    runs, what was measured (rows, pages)."""

    name: str
    label: str
    run: Callable[[Any], Any]
    prepare: Callable[[], Any] = lambda: None
    check: Callable[[Any, Any], None] = lambda answer, prepared: None
    note: Callable[[], str] = lambda: ""
    repeat: int | None = None  # timed runs, instead of the run's --repeat


WARM_AFTER = 5.0  # seconds: a warm-up that long counts as a timed run


class QueryCounter(CaptureQueriesContext):
    """The count of assertNumQueries (each statement, and the BEGIN and COMMIT of each transaction, as
    the project's query-count tests count them), without the limit of Django's query log, which keeps
    only the last 9,000: fewer than a large import sends."""

    def __init__(self):
        super().__init__(connection)

    def __enter__(self):
        self._bounded_log = self.connection.queries_log
        self.connection.queries_log = deque()
        return super().__enter__()

    def __exit__(self, *exc):
        super().__exit__(*exc)
        self.count = len(self.captured_queries)
        self.connection.queries_log = self._bounded_log


@dataclass
class Timer:
    repeat: int = 5
    budget: float = 60.0  # seconds of timed runs per measurement, after which no further run starts

    def measure(self, measurement: Measurement) -> Sample:
        prepared = measurement.prepare()
        started = time.perf_counter()
        with QueryCounter() as queries:
            answer = measurement.run(prepared)
        warm_up = time.perf_counter() - started
        measurement.check(answer, prepared)
        sample = Sample(measurement.name, queries.count)
        if warm_up >= WARM_AFTER:
            sample.times.append(warm_up)
        repeat = measurement.repeat or self.repeat
        while len(sample.times) < repeat and (not sample.times or sum(sample.times) < self.budget):
            prepared = measurement.prepare()
            started = time.perf_counter()
            answer = measurement.run(prepared)
            sample.times.append(time.perf_counter() - started)
            measurement.check(answer, prepared)
        return sample

    def floor(self, trivial: Measurement, runs: int = 10) -> float:
        """The trivial view's median over a few runs, taken next to a measurement so that both see the
        same load on a shared machine."""
        times = []
        for _run in range(runs):
            started = time.perf_counter()
            answer = trivial.run(trivial.prepare())
            times.append(time.perf_counter() - started)
            trivial.check(answer, None)
        return statistics.median(times)


def read_whole(response):
    """The response with its whole body read (`response.body`), streamed or not: a download's time
    includes writing all of it."""
    if getattr(response, "streaming", False):
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    return response


def expect_status(name: str, response, status: int, *, location: str | None = None) -> None:
    """Raise BenchFailure unless the response has `status` (and, for a redirect, goes where it should)."""
    problem = ""
    if response.status_code != status:
        problem = f"answered {response.status_code}, expected {status}"
    elif location is not None and location not in response.get("Location", ""):
        problem = f"redirected to {response.get('Location')!r}, expected {location!r}"
    if problem:
        body = getattr(response, "body", b"")[:800].decode("utf-8", "replace")
        raise BenchFailure(
            f"{name}: {response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} {problem}\n{body}"
        )
