"""An exclusive advisory file lock: one process at a time updates a cluster index or an OUT
folder.  ``flock`` on the lock file: the operating system drops it when the process ends,
so a crashed job leaves no stale lock.  The file is left in place (removing it would let
two processes lock two different files); it holds the holder's process id while locked,
and nothing after (so two finished runs leave identical folders).  Where ``fcntl`` is
missing (Windows), nothing is locked."""
from __future__ import annotations

import os
import time
from pathlib import Path


class LockBusy(Exception):
    """Another process holds the lock; ``holder`` is its process id as it wrote it (or "?")."""

    def __init__(self, holder: str):
        super().__init__(holder)
        self.holder = holder


class FileLock:
    """A held lock: `release` it (or let the process end)."""

    def __init__(self, handle, exclusive: bool = True):
        self._handle = handle
        self.exclusive = exclusive  # False where nothing could be locked (no fcntl: Windows)

    @classmethod
    def take(cls, path: Path, wait: float = 0.0) -> "FileLock":
        """Lock ``path`` (created if missing), waiting up to ``wait`` seconds for a holder to
        let go; raises `LockBusy` after that, OSError if the file cannot be made."""
        handle = open(path, "a+", encoding="utf-8")
        try:
            import fcntl
        except ImportError:
            return cls(handle, exclusive=False)
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "?"
                    handle.close()
                    raise LockBusy(holder) from None
                time.sleep(min(0.2, max(deadline - time.monotonic(), 0.0)))
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        return cls(handle)

    def release(self) -> None:
        """Empty the file and let go (closing the file releases the lock)."""
        if self._handle.closed:
            return
        try:
            self._handle.truncate(0)
        finally:
            self._handle.close()
