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
            for result in pool.imap(fn, metered(), chunksize=1):
                slots.release()
                yield result
        finally:
            stop.set()


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
