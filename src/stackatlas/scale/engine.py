"""``run_chunks``: apply one function to a list of chunks, in this process or as Ray tasks.

The function and the ``shared`` arguments must be picklable (Ray ships them to its workers;
shared objects are put in Ray's object store once, not once per chunk). Results come back in
completion order as ``ChunkDone(index, value)``; callers that need a fixed order sort by index.
A chunk's result must not depend on which engine or worker ran it: callers seed randomness
from the chunk's content (never from the worker), so any engine and any chunking agree.

Ctrl-C (``KeyboardInterrupt``) cancels every chunk still queued or running on the cluster and
re-raises; the chunks already yielded are the caller's to keep.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from stackatlas.errors import DataUnavailableError, ValidationError

ENGINES = ("local", "ray")
INSTALL_HINT = "pip install 'stackatlas[scale]'"
START_ATTEMPTS = 3

C = TypeVar("C")
R = TypeVar("R")


@dataclass(frozen=True)
class ChunkDone(Generic[R]):
    """One finished chunk: its position in the input list and the function's result."""

    index: int
    value: R


def require_ray() -> Any:
    """The ``ray`` module, or ``DataUnavailableError`` saying how to install it."""
    try:
        import ray
    except ImportError:
        raise DataUnavailableError(
            f"--engine ray needs Ray, which is not installed: {INSTALL_HINT} "
            "(or use --engine local, the default)"
        ) from None
    return ray


def check_engine(engine: str, address: str | None = None) -> None:
    """Validate an engine name (and that ``address`` is only given with Ray)."""
    if engine not in ENGINES:
        raise ValidationError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if address is not None and engine != "ray":
        raise ValidationError("--address is only used with --engine ray")


def run_chunks(
    fn: Callable[..., R],
    chunks: Sequence[C],
    *,
    engine: str = "local",
    address: str | None = None,
    shared: Sequence[Any] = (),
    in_flight: int | None = None,
) -> Generator[ChunkDone[R], None, None]:
    """Yield ``fn(chunk, *shared)`` for every chunk, as each finishes.

    ``engine="ray"`` runs each chunk as a Ray task (one CPU each) on the cluster at
    ``address`` (``None``: the running one, else a new local cluster on this machine's
    cores, shut down at the end). At most ``in_flight`` chunks (default two per cluster CPU)
    are submitted at a time, so results never pile up in the object store.
    """
    check_engine(engine, address)
    if engine == "local":
        for index, chunk in enumerate(chunks):
            yield ChunkDone(index, fn(chunk, *shared))
        return
    yield from _ray_chunks(fn, chunks, address, shared, in_flight)


def _ray_chunks(
    fn: Callable[..., R],
    chunks: Sequence[C],
    address: str | None,
    shared: Sequence[Any],
    in_flight: int | None,
) -> Generator[ChunkDone[R], None, None]:
    ray = require_ray()
    with _ray_session(ray, address):
        cpus = max(int(ray.cluster_resources().get("CPU", 1)), 1)
        limit = in_flight or 2 * cpus
        task = ray.remote(num_cpus=1, max_retries=1)(fn)
        refs = [ray.put(obj) for obj in shared]
        queue = iter(enumerate(chunks))
        pending: dict[Any, int] = {}

        def submit(n: int) -> None:
            for _ in range(n):
                item = next(queue, None)
                if item is None:
                    return
                pending[task.remote(item[1], *refs)] = item[0]

        try:
            submit(limit)
            while pending:
                ready, _ = ray.wait(list(pending), num_returns=1)
                index = pending.pop(ready[0])
                submit(1)
                yield ChunkDone(index, ray.get(ready[0]))
        except BaseException:  # Ctrl-C, a failed task, or the consumer stopping early
            for ref in pending:
                with contextlib.suppress(Exception):
                    ray.cancel(ref, force=True)
            raise


@contextlib.contextmanager
def _ray_session(ray: Any, address: str | None) -> Iterator[None]:
    """Connect to ``address`` or start a local cluster, unless Ray is already initialised
    (then the caller owns it); shut down only what was started here."""
    if ray.is_initialized():
        yield
        return
    start_ray(ray, address)
    try:
        yield
    finally:
        ray.shutdown()


def start_ray(ray: Any, address: str | None = None, *, num_cpus: int | None = None) -> None:
    """``ray.init`` for stackatlas: no dashboard, worker logs kept out of the terminal.

    Without ``address`` a local cluster of ``num_cpus`` (default: all cores) starts. Ray gives
    its raylet a fixed 30 s to register, which a heavily loaded machine can miss: a local start
    is tried up to three times before ``DataUnavailableError`` says why."""
    options: dict[str, Any] = {
        "include_dashboard": False,
        "log_to_driver": False,
        "configure_logging": False,
    }
    if address is not None:
        try:
            ray.init(address=address, **options)
        except (ConnectionError, RuntimeError) as exc:
            raise DataUnavailableError(f"cannot reach the Ray cluster at {address}: {exc}") from exc
        return
    error: Exception | None = None
    for _ in range(START_ATTEMPTS):
        try:
            ray.init(num_cpus=num_cpus or os.cpu_count() or 1, **options)
            return
        except Exception as exc:  # Ray raises a bare Exception when its raylet is slow
            error = exc
            with contextlib.suppress(Exception):
                ray.shutdown()
    raise DataUnavailableError(
        f"could not start a local Ray cluster ({START_ATTEMPTS} attempts): {error}"
    )
