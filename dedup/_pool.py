"""Batches, and ordered maps over a pool of spawned processes that read their input as they go."""
from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from typing import Any, TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last shorter), reading them once, in order:
    a list or a generator alike."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def spawn_imap(fn: Callable[[Any], Any], items: Iterable[Any], workers: int, *, ahead: int | None = None,
               initializer: Callable[..., None] | None = None, initargs: tuple = ()) -> Iterator[Any]:
    """``fn`` over ``items`` in ``workers`` spawned processes, results in input order.

    `multiprocessing.Pool.imap` alone pulls its whole input into the task queue as fast
    as it can: a million articles would sit in memory before the first result came back.
    Here at most ``ahead`` items (default 2 per worker) are out at a time; the next is
    read when a result is taken.  Spawned, not forked: a fork after rensa deadlocked.
    """
    import multiprocessing
    from multiprocessing import process

    if getattr(process.current_process(), "_inheriting", False):
        # A worker being started is running the caller's script again (a script without an
        # ``if __name__ == "__main__":`` guard): it cannot start a pool of its own.  It
        # leaves quietly; its parent sees its workers die and says what to fix.
        raise SystemExit(3)
    slots = threading.Semaphore(ahead or 2 * workers)
    stop = threading.Event()

    def metered() -> Iterator[Any]:
        source = iter(items)
        while True:
            # In the pool's task thread: a slot first (a result taken), then the next item;
            # give up when the caller stops (the pool joins this thread when it closes).
            while not slots.acquire(timeout=0.05):
                if stop.is_set():
                    return
            if stop.is_set():
                return
            try:
                item = next(source)
            except StopIteration:
                return
            yield item

    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_start_worker, initargs=(initializer, initargs)) as pool:
        try:
            results = pool.imap(fn, metered(), chunksize=1)
            started: set[int | None] = set()
            while True:
                try:
                    result = results.next(timeout=0.5)
                except multiprocessing.TimeoutError:
                    # A pool replaces a worker that dies, for ever: workers that die as they
                    # start would leave this loop waiting, so count the processes started.
                    started.update(p.pid for p in getattr(pool, "_pool", ()))  # this pool's workers only
                    if len(started) > 4 * workers + 2:
                        raise _dying_workers() from None
                    continue
                except StopIteration:
                    break
                slots.release()
                yield result
        finally:
            stop.set()


def _dying_workers() -> Exception:
    from .errors import DedupError

    return DedupError(
        "worker processes keep dying: a script that runs with workers > 1 must call it under "
        "`if __name__ == \"__main__\":` (spawned workers import the script again), or use workers=1; "
        "if the script has that guard, the workers may be running out of memory"
    )


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple) -> None:
    """A worker leaves Ctrl-C to its parent, which stops the pool: the terminal's SIGINT
    reaches every process of the group, and each worker printed its own traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)


# What a worker process was given once (`map_batches`'s ``state``), for every batch it maps.
_WORKER_STATE: Any = None


def _set_worker_state(make: Callable[..., Any], args: tuple) -> None:
    global _WORKER_STATE
    _WORKER_STATE = make(*args)


def _with_worker_state(fn: Callable[[Any, Any], Any], batch: Any) -> Any:
    return fn(_WORKER_STATE, batch)


def map_batches(items: Iterable[T], size: int, workers: int, local: Callable[[list[T]], Any],
                remote: Callable[..., Any], *, state: tuple[Callable[..., Any], tuple] | None = None) -> Iterator[Any]:
    """``items`` in batches of ``size``, each mapped, results in order: by ``local`` in this
    process, or by ``remote`` in ``workers`` spawned processes (`spawn_imap`) when there are
    at least two batches.  One batch (a small corpus, a test) stays here: starting
    processes would cost more than it saves.

    ``state=(make, args)``: each worker calls ``make(*args)`` once and maps every batch with
    ``remote(that state, batch)``, so large settings (a cleaner's line statistics) travel
    once per worker, not with every batch.  ``remote`` and ``make`` must be module-level
    functions (they are pickled)."""
    batches = batched(items, size)
    head = list(islice(batches, 2))
    every = chain(head, batches)
    if workers > 1 and len(head) > 1:
        if state is None:
            return spawn_imap(remote, every, workers)
        return spawn_imap(functools.partial(_with_worker_state, remote), every, workers,
                          initializer=_set_worker_state, initargs=state)
    return map(local, every)
