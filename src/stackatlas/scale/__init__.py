"""Running chunked work on one machine or on a Ray cluster.

    run_chunks(fn, chunks, engine="local" | "ray", address=None, shared=(...)) -> iterator
    ray_available() / require_ray()       the optional ``[scale]`` extra

Ray is an optional extra (``pip install 'stackatlas[scale]'``); the local engine is the
default everywhere and needs nothing beyond the core dependencies.
"""

from stackatlas.scale.engine import ENGINES, ChunkDone, require_ray, run_chunks

__all__ = ["ENGINES", "ChunkDone", "require_ray", "run_chunks"]
