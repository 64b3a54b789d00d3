"""Rendered feeds kept in this worker's memory, each under the version it was built at."""

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RenderedFeed:
    """A feed's bytes and what HTTP needs to validate a client's copy of them."""

    body: bytes
    etag: str
    last_modified: datetime
    version: Hashable


def content_etag(body: bytes) -> str:
    """A strong ETag from the bytes: equal on every worker, and unchanged when a change
    elsewhere made this feed rebuild to the same content (clients then get a 304)."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class FeedCache:
    """A thread-safe LRU bounded by total bytes; one build at a time per feed."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, RenderedFeed] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}
        self.builds = 0

    def get(self, key: Hashable, version: Hashable) -> RenderedFeed | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.version != version:
                return None
            self._entries.move_to_end(key)
            return entry

    def get_or_build(
        self, key: Hashable, version: Hashable, build: Callable[[], RenderedFeed]
    ) -> RenderedFeed:
        """The entry at this version, building it (once, however many ask) if missing."""
        entry = self.get(key, version)
        if entry is not None:
            return entry
        with self._lock:
            build_lock = self._building.setdefault(key, threading.Lock())
        with build_lock:
            entry = self.get(key, version)
            if entry is None:
                entry = build()
                self.builds += 1
                self._put(key, entry)
        with self._lock:
            if not build_lock.locked():
                self._building.pop(key, None)
        return entry

    def _put(self, key: Hashable, entry: RenderedFeed) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            if len(entry.body) > self.max_bytes:
                return
            self._entries[key] = entry
            self._bytes += len(entry.body)
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
