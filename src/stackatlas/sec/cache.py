"""On-disk cache of raw SEC responses (body + ETag / Last-Modified), written atomically.

Layout under ``config.cache_dir("sec")``: ``<host>/<url path>`` holds the body exactly as SEC
sent it (decompressed) and ``<same>.meta.json`` its validators plus the body's size and
SHA-256. The body is written first, then the metadata, each via temp file in the same folder
+ fsync + ``os.replace``; an entry whose body does not match its metadata (a crash between the
two writes, a hand-edited file) is treated as absent, never trusted. Only bodies that parsed
as JSON are ever stored (the client checks before calling ``put``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from stackatlas import config
from stackatlas._io import atomic_write


@dataclass(frozen=True)
class CacheEntry:
    """A cached response body and the validators to refresh it with."""

    url: str
    body: bytes
    etag: str | None
    last_modified: str | None
    stored_at: str  # ISO 8601 UTC

    def conditional_headers(self) -> dict[str, str]:
        """Headers that let SEC answer 304 Not Modified."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class SecCache:
    """Raw-response cache keyed by URL (default folder: ``config.cache_dir("sec")``)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else config.cache_dir("sec")

    def path_for(self, url: str) -> Path:
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s and s not in {".", ".."}]
        if not segments:
            segments = ["index"]
        return self.root.joinpath(parts.netloc or "local", *segments)

    def holds_any(self, url_pattern: str) -> bool:
        """True when some cached body's URL matches ``url_pattern`` (``*`` in the last part)."""
        folder = self.path_for(url_pattern).parent
        name = url_pattern.rsplit("/", 1)[-1]
        return any(p for p in folder.glob(name) if not p.name.endswith(_META_SUFFIX))

    def get(self, url: str) -> CacheEntry | None:
        """The cached entry, or None when absent or inconsistent."""
        body_path = self.path_for(url)
        meta_path = _meta_path(body_path)
        try:
            meta = orjson.loads(meta_path.read_bytes())
            body = body_path.read_bytes()
        except (OSError, orjson.JSONDecodeError):
            return None
        if (
            not body
            or len(body) != meta.get("size")
            or hashlib.sha256(body).hexdigest() != meta.get("sha256")
        ):
            return None
        return CacheEntry(
            url, body, meta.get("etag"), meta.get("last_modified"), meta.get("stored_at", "")
        )

    def put(
        self, url: str, body: bytes, *, etag: str | None = None, last_modified: str | None = None
    ) -> CacheEntry:
        """Store a (validated, non-empty) body and its validators atomically."""
        if not body:
            raise ValueError("refusing to cache an empty body")
        body_path = self.path_for(url)
        stored_at = datetime.now(UTC).isoformat(timespec="seconds")
        meta = {
            "url": url,
            "etag": etag,
            "last_modified": last_modified,
            "stored_at": stored_at,
            "size": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        atomic_write(body_path, body)
        atomic_write(_meta_path(body_path), orjson.dumps(meta, option=orjson.OPT_INDENT_2))
        return CacheEntry(url, body, etag, last_modified, stored_at)


_META_SUFFIX = ".meta.json"


def _meta_path(body_path: Path) -> Path:
    return body_path.with_name(body_path.name + _META_SUFFIX)
