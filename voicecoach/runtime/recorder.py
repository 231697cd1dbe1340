"""Writes the session's records to the history on a thread of their own.

Each history write is a committed, fsynced transaction (no record is ever
lost, even to a power cut), which costs milliseconds, more on an SD card. The
live loop must not wait for that between hearing "pause" and silencing the
coach, so records go through a queue to this writer. On close, everything
queued is written before returning.
"""

from __future__ import annotations

import logging
import queue
import threading

from voicecoach.adapters.history import SQLiteHistory
from voicecoach.core.actions import Record

log = logging.getLogger(__name__)

_CLOSE = object()


class BackgroundRecorder:
    """Queue records for one history session; written in order by one thread."""

    def __init__(self, store: SQLiteHistory, session_id: int) -> None:
        self._store = store
        self._sid = session_id
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="voicecoach-history", daemon=True)
        self._thread.start()
        self.failures = 0

    def record(self, record: Record) -> None:
        """Queue one record; returns at once."""
        self._queue.put(record)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _CLOSE:
                return
            assert isinstance(item, Record)
            try:
                self._store.record(self._sid, item)
            except Exception as exc:  # noqa: BLE001 - a full disk must not end the session
                self.failures += 1
                log.error("history write failed (%s): %s", type(exc).__name__, exc)

    def close(self, timeout: float = 10.0) -> None:
        """Write everything queued, then stop the thread."""
        self._queue.put(_CLOSE)
        self._thread.join(timeout)
