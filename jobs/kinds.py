"""The kinds of background job. The apps that own the work register theirs at start-up (evaluation's
in evaluation.job_kinds); this app knows none of them by name and imports nothing of theirs.

A kind's `run(parameters, progress)` makes the file (or, with a `result_url`, the data its own page
shows) from JSON parameters fixed when the job was asked for (the asker's permissions already applied
to them), reporting its steps through `progress`, and
raises JobRefused with a translated sentence for what the person can understand (the plan is gone);
any other exception is logged with its traceback and shown as a generic failure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from jobs.enums import JobStep


class JobRefused(Exception):
    """A failure the person is told about in words (a lazy translation), never a traceback."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class MadeFile:
    content: bytes
    filename: str
    content_type: str


class Progress(Protocol):
    def report(self, step: JobStep, done: int = 0, total: int = 0) -> None: ...


@dataclass(frozen=True)
class JobKind:
    name: str
    label: object  # a lazy translation: 「評価シート（PDF）」
    run: Callable[[dict, Progress], MadeFile]
    # Asked again when the job's page or file is opened: someone who lost the right loses the file.
    allowed: Callable[[object], bool]
    # What the job is about, for its page (「令和6年度 資料１－３」), and where the person came from.
    describe: Callable[[dict], str]
    back_url: Callable[[dict], str]
    back_label: object
    # A kind whose result is a page rather than a file (the plan import's preview): where its job's page
    # leads once the job is done; None for a file to download.
    result_url: Callable[[object], str] | None = None


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"unknown job kind: {name!r}") from None


def names() -> list[str]:
    return sorted(_KINDS)
