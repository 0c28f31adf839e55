"""What every `xlate` command shares: exit codes, typed errors as one line, progress, failure lists."""
from __future__ import annotations

import functools
import os
import sys
import time
from itertools import islice
from pathlib import Path

import click

from dedup.errors import DedupError
from xlate.errors import XlateError

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT: never taken for "some inputs failed"
EXIT_BROKEN_PIPE = 141  # stdout's reader went away (`| head`), as shells report SIGPIPE


def glossary_option(purpose: str):
    """``--glossary FILE``, one declaration for every command; ``purpose`` ends its help."""
    return click.option("--glossary", type=click.Path(exists=True, dir_okay=False), default=None,
                        help=f"Glossary (.tsv, .csv or .yaml) {purpose}")


def handle_errors(func):
    """Typed library errors become one line on stderr and exit code 2; a closed stdout
    (``xlate cluster -o - | head``) stops the command quietly with exit code 141."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (XlateError, DedupError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except BrokenPipeError:
            # Click would exit 1, which here means "some inputs failed".  The stream whose
            # reader went away (stdout, or stderr) writes to nowhere from here on, so
            # Python's flush at exit does not fail again; the other keeps what it holds.
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BrokenPipeError:
                    try:
                        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
                    except (OSError, ValueError):
                        pass  # not a file descriptor (a test runner's buffer): nothing to redirect
                except (OSError, ValueError):
                    pass
            sys.exit(EXIT_BROKEN_PIPE)

    return wrapper


class Progress:
    """A one-line counter on stderr, only when stderr is a terminal (never in pipes or logs)."""

    def __init__(self, stream=None, interval: float = 0.2):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.interval = interval
        self._last = 0.0
        self._stage: str | None = None

    def __call__(self, stage: str, count: int | None = None) -> None:
        """Show ``stage: count`` (``stage`` alone for a step that counts nothing)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if stage != self._stage or now - self._last >= self.interval:
            self.stream.write(f"\r\x1b[K{stage}" + ("" if count is None else f": {count}"))
            self.stream.flush()
            self._stage, self._last = stage, now

    def close(self) -> None:
        if self.enabled and self._stage is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def warn_if_no_article_files(corpus: str) -> None:
    """A folder holding no file the reader takes (all PDF or XML, say) gives an empty run
    that would look like success: say so on stderr, with what was passed over."""
    from dedup.reader import OUTPUT_FOLDER_MARKERS, TEXT_SUFFIXES, corpus_files

    folder = Path(corpus)
    if corpus == "-" or not folder.is_dir() or next(corpus_files(folder), None) is not None:
        return
    outputs = {p.parent for m in OUTPUT_FOLDER_MARKERS for p in folder.rglob(m)}  # passed over, not "other files"
    held_files = (p for p in folder.rglob("*") if p.is_file() and not any(o == p.parent or o in p.parents for o in outputs))
    others = sorted(str(p.relative_to(folder)) for p in islice(held_files, 1000))
    held = (f"it holds {len(others)}{'+' if len(others) == 1000 else ''} other file{'s' if len(others) != 1 else ''} "
            f"({', '.join(others[:3])}{', ...' if len(others) > 3 else ''})") if others else "it is empty"
    suffixes = ", ".join(sorted(TEXT_SUFFIXES))
    click.echo(f"warning: no article files in {corpus}: {held}; articles are {suffixes} files "
               "(hidden files and README/LICENSE are passed over)", err=True)


def report_failures(failures: list[dict], limit: int = 20) -> None:
    for item in failures[:limit]:
        where = item["file"] + (f":{item['line']}" if item.get("line") else "")
        click.echo(f"failed: {where}: {item['reason']}", err=True)
    if len(failures) > limit:
        click.echo(f"... and {len(failures) - limit} more (see errors.jsonl)", err=True)
