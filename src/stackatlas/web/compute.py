"""A bounded pool for the web app's CPU-heavy requests (scenario runs, portfolio analysis).

A request that needs seconds of CPU never runs on the event loop or in Starlette's shared
thread pool: it goes to ``ComputePool.run``, which admits at most ``workers + queue`` jobs at a
time and refuses the next one at once with ``BusyError`` (503 + Retry-After, estimated from the
recent job times) instead of letting work pile up. ``/healthz`` and warm pages are answered
on the event loop, so they never wait behind this work.

Two kinds of workers: threads (the default for ``create_app``: tests and embedding share the
app's ``WebData`` cache) or processes (what ``stackatlas serve`` uses: the jobs run in their
own interpreters at a lower CPU priority, so they neither hold the event loop's GIL nor take CPU
from it). A job is a module-level function ``job(data, *args) -> JobResult``; in a process the
``data`` is that process's own ``WebData`` over the same store, atlas overlay and prices.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stackatlas.errors import BusyError
from stackatlas.web.state import WebData

WORKER_NICE = 5  # process workers run at a lower CPU priority than the event loop


@dataclass(frozen=True)
class JobResult:
    """What a job hands back to its route: a finished HTTP answer (errors included)."""

    status: int
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)
    cacheable: bool = False  # a success that the route may keep for its variant


@dataclass(frozen=True)
class DataSpec:
    """How a worker process builds its own ``WebData`` (picklable)."""

    store_path: Path | None
    atlas_overlay: Path | None
    prices_dir: Path | None
    eto_dir: Path | None = None
    server_pid: int = 0  # the process whose end ends the workers (0: the worker's parent)


Job = Callable[..., JobResult]


class ComputePool:
    """At most ``workers`` jobs running and ``queue`` waiting; the next one gets ``BusyError``."""

    def __init__(
        self, data: WebData, *, workers: int = 2, queue: int = 8, processes: bool = False
    ) -> None:
        if workers < 1 or queue < 0:
            raise ValueError("a compute pool needs workers >= 1 and queue >= 0")
        self.data, self.workers, self.queue, self.processes = data, workers, queue, processes
        self.admitted = 0  # running + waiting (only touched on the event loop)
        self.refused = 0
        self._avg_seconds = 1.0  # exponentially weighted job time, for Retry-After
        self._executor: Executor | None = None

    @property
    def spec(self) -> DataSpec:
        data = self.data
        return DataSpec(
            data.store_path, data.atlas_overlay, data.prices_dir, data.eto_dir, os.getpid()
        )

    def _pool(self) -> Executor:
        if self._executor is None:
            if self.processes:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),  # never fork a live server
                    initializer=_worker_init,
                    initargs=(self.spec,),
                )
            else:
                self._executor = ThreadPoolExecutor(
                    max_workers=self.workers, thread_name_prefix="stackatlas-compute"
                )
        return self._executor

    def retry_after(self) -> int:
        """Seconds until a slot is likely free: the queue ahead divided among the workers."""
        return max(1, math.ceil(self._avg_seconds * (self.admitted + 1) / self.workers))

    async def run(self, job: Job, *args: Any) -> JobResult:
        """Run ``job(data, *args)`` on a worker; ``BusyError`` at once when the pool is full."""
        if self.admitted >= self.workers + self.queue:
            self.refused += 1
            raise BusyError(
                f"the server is busy ({self.workers} computations running, {self.queue} "
                "waiting); try again shortly",
                retry_after=self.retry_after(),
            )
        self.admitted += 1
        start = time.monotonic()
        try:
            if self.processes:
                future = self._pool().submit(_in_worker, job, *args)
            else:
                future = self._pool().submit(job, self.data, *args)
            return await asyncio.wrap_future(future)
        finally:
            self.admitted -= 1
            spent = time.monotonic() - start
            self._avg_seconds = 0.8 * self._avg_seconds + 0.2 * spent

    def start(self) -> None:
        """Start the workers now (process workers import stackatlas and load the atlas once,
        so the first request does not pay for it)."""
        pool = self._pool()
        if self.processes:
            for future in [pool.submit(_warm) for _ in range(self.workers)]:
                future.result()

    def close(self) -> None:
        """Stop the workers: queued jobs are cancelled, running process workers terminated."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        processes = list(getattr(executor, "_processes", {}).values())  # ProcessPoolExecutor
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(5)


# ---- inside a worker process -------------------------------------------------------------
_WORKER_DATA: WebData | None = None


def _worker_init(spec: DataSpec) -> None:
    global _WORKER_DATA
    # the server's pid comes with the spec: a server killed before this worker got here has
    # already left it to init, so the worker's parent now would be the wrong one to watch
    parent = spec.server_pid or os.getppid()
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    with contextlib.suppress(OSError):  # not permitted here: run at the same priority
        os.nice(WORKER_NICE)
    _WORKER_DATA = WebData(
        spec.store_path,
        spec.atlas_overlay,
        spec.prices_dir,
        eto_dir=spec.eto_dir,
        state_ttl=1.0,
    )


def _exit_with(parent: int) -> None:
    """End this worker when the server process is gone (even after a SIGKILL)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _warm() -> int:
    assert _WORKER_DATA is not None
    _WORKER_DATA.atlas()
    return os.getpid()


def _in_worker(job: Job, *args: Any) -> JobResult:
    assert _WORKER_DATA is not None, "worker started without _worker_init"
    return job(_WORKER_DATA, *args)
