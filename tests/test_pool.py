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


def test_a_script_without_the_main_guard_gets_an_error_not_a_hang(tmp_path):
    # Spawned workers import the script again; without the guard each one tried to start a
    # pool of its own and died, and the parent's pool replaced them for ever.
    import subprocess
    import sys

    script = tmp_path / "noguard.py"
    script.write_text(
        "from dedup import cluster, ClusterConfig\n"
        "texts = {f'a{k}': f'Le maire de Ville{k} a fermé le pont numéro {k} pour travaux.' for k in range(40)}\n"
        "print(len(cluster(texts, ClusterConfig(workers=2, batch_size=2))))\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1].startswith("dedup.errors.DedupError: worker processes keep dying: a script that runs "
                                                   "with workers > 1 must call it under `if __name__ == \"__main__\":`")
    assert len(proc.stderr.splitlines()) < 40  # the workers leave quietly: no traceback each


def _slow(x):
    import time

    time.sleep(0.8)
    return x


def test_a_slow_pool_beside_other_processes_is_not_taken_for_dying_workers():
    # The dying-workers check counts this pool's workers, not every child of the process.
    import multiprocessing

    from dedup._pool import spawn_imap

    with multiprocessing.get_context("spawn").Pool(9):
        assert list(spawn_imap(_slow, range(6), 2)) == list(range(6))
