"""What the web app and the report read: the atlas, the store (read-only) and a result cache.

Results are cached per (atlas version, store state): the store state is the size and mtime of
the DuckDB file (and its WAL) plus ``STACKATLAS_SEC_DIR``, so a ``stackatlas sync`` in another
process invalidates the cache on the next request. Errors are never cached. The store is opened
read-only only while a result is computed (each computation opens its own connection: a DuckDB
connection is not for concurrent threads), so other processes can write between requests.
Computations are single-flight per result: two requests for the same cold result compute it
once, while different results compute side by side (a cold profit-pool page never holds up a
scenario run). Without a store file the analyses read SEC facts from ``STACKATLAS_SEC_DIR`` and
the atlas held in memory.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from stackatlas import config
from stackatlas.atlas import Atlas, load_atlas
from stackatlas.errors import DataUnavailableError, StackAtlasError, StoreError
from stackatlas.store import Store

T = TypeVar("T")
MAX_VARIANTS = 64  # cached results with user parameters (scenario runs) per state


class WebData:
    """The atlas, the store and cached results shared by every request."""

    def __init__(
        self,
        store_path: Path | None = None,
        atlas_overlay: Path | None = None,
        prices_dir: Path | None = None,
        atlas: Atlas | None = None,
        eto_dir: Path | None = None,
        state_ttl: float = 0.0,
    ) -> None:
        self._store_path = Path(store_path) if store_path is not None else None
        self.atlas_overlay = atlas_overlay
        self.prices_dir = prices_dir
        self._fixed_atlas = atlas
        self.eto_dir = eto_dir  # None: STACKATLAS_ETO_DIR / config.toml, if set
        self._lock = threading.Lock()  # guards _cache / _state / _building, held briefly
        self._cache: OrderedDict[tuple, Any] = OrderedDict()
        self._state: tuple | None = None
        self._building: dict[tuple, list[Any]] = {}  # key -> [RLock, waiters]
        self.state_ttl = state_ttl  # seconds a computed state() is reused (0: every call)
        self._state_at: tuple[float, tuple] | None = None

    # ---- inputs --------------------------------------------------------------------------
    @property
    def store_path(self) -> Path:
        return self._store_path if self._store_path is not None else config.store_path()

    def atlas(self) -> Atlas:
        """The atlas (shipped + overlay); ``load_atlas`` caches it per file mtimes."""
        return (
            self._fixed_atlas if self._fixed_atlas is not None else load_atlas(self.atlas_overlay)
        )

    def state(self) -> tuple:
        """(atlas version, store file state, SEC dir): the cache key of every result. With a
        ``state_ttl`` the files are looked at again only that many seconds after the last
        look (the web app: 1 s, so a warm request costs no ``stat`` calls)."""
        if self.state_ttl > 0:
            now = time.monotonic()
            seen = self._state_at
            if seen is not None and now - seen[0] < self.state_ttl:
                return seen[1]
            state = self._read_state()
            self._state_at = (now, state)
            return state
        return self._read_state()

    def _read_state(self) -> tuple:
        parts: list[Any] = [self.atlas().version]
        for path in (self.store_path, self.store_path.with_name(self.store_path.name + ".wal")):
            try:
                st = path.stat()
                parts.append((st.st_size, st.st_mtime_ns))
            except OSError:
                parts.append(None)
        parts.append(str(config.sec_dir() or ""))
        parts.append(self._eto_state())
        return tuple(parts)

    def _eto_state(self) -> tuple:
        """The ETO folder and its files' sizes and mtimes (no parsing: never raises)."""
        from stackatlas.supplychain.loader import configured_dir, folder_signature

        try:
            folder = configured_dir(self.eto_dir)
        except StackAtlasError:  # an unreadable config.toml: the ETO views report it
            return ("config-error",)
        return (str(folder or ""), folder_signature(folder) if folder else ())

    def eto(self) -> Any:
        """The CSET/ETO dataset, or None when no folder is configured."""
        from stackatlas.supplychain.loader import optional_eto

        return optional_eto(self.eto_dir)

    def require_eto(self) -> Any:
        """The CSET/ETO dataset; ``DataNotConfiguredError`` (503) saying how to get it."""
        from stackatlas.supplychain.loader import load_eto

        return load_eto(self.eto_dir)

    @contextmanager
    def store(self) -> Iterator[Store | None]:
        """The store opened read-only, or None when there is no store file."""
        store = Store.open_existing(self.store_path)
        if store is None:
            yield None
            return
        try:
            store.con  # noqa: B018  (open now: a writer holding the file lock -> 503, not 500)
        except StoreError as exc:
            raise DataUnavailableError(
                f"the store is busy (another process is writing to it); try again shortly ({exc})"
            ) from exc
        try:
            yield store
        finally:
            store.close()

    # ---- cache ---------------------------------------------------------------------------
    def cached(self, name: str, build: Callable[[Atlas, Store | None], T], *variant: Any) -> T:
        """``build(atlas, store)`` once per state (and ``variant``, e.g. scenario arguments)."""
        state = self.state()
        key = (name, state, variant)
        hit = self._cache.get(key, _MISS)
        if hit is not _MISS:
            return hit
        with self._single_flight(key):
            hit = self._cache.get(key, _MISS)
            if hit is not _MISS:
                return hit
            with self.store() as store:
                value = build(self.atlas(), store)
            self.put(name, value, *variant, state=state)
            return value

    def put(self, name: str, value: Any, *variant: Any, state: tuple | None = None) -> None:
        """Cache ``value`` for ``state`` (default: the current one); at most ``MAX_VARIANTS``
        results with a variant are kept, oldest dropped first."""
        current = self.state()
        if state is None:
            state = current
        elif state != current:
            return  # computed for a state that is already gone
        with self._lock:
            if self._state != state:
                self._cache.clear()
                self._state = state
            self._cache[(name, state, variant)] = value
            if variant:
                variants = [k for k in self._cache if k[2]]
                for old in variants[:-MAX_VARIANTS]:
                    self._cache.pop(old, None)

    @contextmanager
    def _single_flight(self, key: tuple) -> Iterator[None]:
        """Hold ``key``'s own lock: one computation per key at a time, other keys run freely."""
        with self._lock:
            entry = self._building.setdefault(key, [threading.RLock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._lock:
                entry[1] -= 1
                if not entry[1]:
                    self._building.pop(key, None)

    def peek(self, name: str, *variant: Any) -> Any | None:
        """The cached result for the current state, or None (cheap: no lock, no store)."""
        hit = self._cache.get((name, self.state(), variant), _MISS)
        return None if hit is _MISS else hit

    def compute(self, build: Callable[[Atlas, Store | None], T]) -> T:
        """``build(atlas, store)`` without caching (per-upload work), on its own connection."""
        with self.store() as store:
            return build(self.atlas(), store)


_MISS = object()
