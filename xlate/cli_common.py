"""What every `xlate` command shares: exit codes, typed errors as one line, progress, failure lists."""
from __future__ import annotations

import functools
import sys
import time

import click

from dedup.errors import DedupError
from xlate.errors import XlateError

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def handle_errors(func):
    """Typed library errors become one line on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (XlateError, DedupError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper


class Progress:
    """A one-line counter on stderr, only when stderr is a terminal (never in pipes or logs)."""

    def __init__(self, stream=None, interval: float = 0.2):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.interval = interval
        self._last = 0.0
        self._stage = None

    def __call__(self, stage: str, count: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if stage != self._stage or now - self._last >= self.interval:
            self.stream.write(f"\r\x1b[K{stage}: {count}")
            self.stream.flush()
            self._stage, self._last = stage, now

    def close(self) -> None:
        if self.enabled and self._stage is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def report_failures(failures: list[dict], limit: int = 20) -> None:
    for item in failures[:limit]:
        where = item["file"] + (f":{item['line']}" if item.get("line") else "")
        click.echo(f"failed: {where}: {item['reason']}", err=True)
    if len(failures) > limit:
        click.echo(f"... and {len(failures) - limit} more (see errors.jsonl)", err=True)
