"""dedup._pool.spawn_imap: ordered, reads its input as results are taken, stops cleanly."""
from __future__ import annotations

import threading

from dedup._pool import spawn_imap


def test_results_keep_the_input_order():
    assert list(spawn_imap(abs, range(0, -40, -1), 2)) == list(range(40))


def test_input_is_read_as_results_are_taken():
    pulled = []

    def items():
        for k in range(1000):
            pulled.append(k)
            yield -k

    results = spawn_imap(abs, items(), 2, ahead=3)
    assert next(results) == 0
    # Pool.imap alone would have read all 1000 by now; here at most `ahead` + the one taken.
    assert len(pulled) <= 4
    results.close()


def test_closing_early_does_not_hang():
    done = threading.Event()

    def consume():
        results = spawn_imap(abs, iter(range(10_000)), 2, ahead=2)
        next(results)
        results.close()  # the pool's task thread is waiting for a slot: it must give up
        done.set()

    worker = threading.Thread(target=consume, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert done.is_set(), "spawn_imap hung when closed early"


def sigint_handling(_item) -> bool:
    import signal

    return signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_workers_leave_ctrl_c_to_the_parent():
    # The terminal sends SIGINT to every process of the job: workers must not each print a
    # KeyboardInterrupt traceback; the parent stops the pool.
    assert list(spawn_imap(sigint_handling, range(4), 2)) == [True] * 4
