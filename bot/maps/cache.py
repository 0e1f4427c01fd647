"""The rendered pictures, kept until what they show changes.

Keys are the frozen :class:`~bot.maps.state.MapState` plus the viewer's language, time zone and
own regions. Rendering happens under the lock, so a storm of ``/map`` requests for the same
state renders once and every other request gets the same bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Final

MAX_ITEMS: Final = 64


class RenderCache:
    """A small LRU of PNG bytes with single-flight rendering."""

    def __init__(self, max_items: int = MAX_ITEMS) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._max = max_items
        self.renders = 0
        self.hits = 0

    def get(self, key: Hashable, render: Callable[[], bytes]) -> bytes:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found
            data = render()
            self.renders += 1
            self._items[key] = data
            while len(self._items) > self._max:
                self._items.popitem(last=False)
            return data

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


CACHE: Final = RenderCache()
