"""On-disk cache of raw SEC responses (body + ETag / Last-Modified), written atomically.

Layout under ``config.cache_dir("sec")``: ``<host>/<url path>`` holds the body exactly as SEC
sent it (decompressed) and ``<same>.meta.json`` its validators plus the body's size and
SHA-256. The body is written first, then the metadata, each via temp file in the same folder
+ fsync + ``os.replace``. Only bodies the client validated (JSON of the expected document
shape) are ever stored.

A corrupt entry is never trusted and never fatal: an unreadable or non-object meta file, a
body that does not match its metadata (a crash between the two writes, a hand-edited file), a
body the client finds invalid, or a file where a cache folder should be (even ``cache/sec``
itself) is moved aside into ``<root>/.quarantine/`` (or ``<root>.corrupt-<time>`` for the root)
and the entry counts as absent, so the next fetch replaces it. ``quarantined`` lists what was
moved, for the caller to report.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
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
    """Raw-response cache keyed by URL (default folder: ``$STACKATLAS_HOME/cache/sec``,
    created on the first write)."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else config.home_dir() / "cache" / "sec"
        self.quarantined: list[str] = []  # "<path>: <reason>" for each entry moved aside

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
        """The cached entry; None when absent, unreadable or inconsistent (a corrupt entry is
        quarantined first)."""
        body_path = self.path_for(url)
        meta_path = _meta_path(body_path)
        if self._blocked(body_path):
            return None
        try:
            raw_meta = meta_path.read_bytes()
            body = body_path.read_bytes()
        except FileNotFoundError:
            if meta_path.exists() or body_path.exists():  # half an entry: nothing to trust
                self.quarantine(url, "body or meta file missing")
            return None
        except OSError as exc:
            self.quarantine(url, f"unreadable ({exc.strerror or exc})")
            return None
        try:
            meta = orjson.loads(raw_meta)
        except orjson.JSONDecodeError:
            meta = None
        if not isinstance(meta, dict):
            self.quarantine(url, "meta file is not a JSON object")
            return None
        if (
            not body
            or len(body) != meta.get("size")
            or hashlib.sha256(body).hexdigest() != meta.get("sha256")
        ):
            self.quarantine(url, "body does not match its size / SHA-256 in the meta file")
            return None
        return CacheEntry(
            url,
            body,
            _text(meta.get("etag")),
            _text(meta.get("last_modified")),
            _text(meta.get("stored_at")) or "",
        )

    def quarantine(self, url: str, reason: str) -> None:
        """Move ``url``'s body and meta file into ``<root>/.quarantine/`` (never deletes)."""
        body_path = self.path_for(url)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        moved = []
        for path in (body_path, _meta_path(body_path)):
            if not (path.exists() or path.is_symlink()):
                continue
            target = self.root / QUARANTINE / f"{path.relative_to(self.root)}.{stamp}"
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
                moved.append(str(target))
            except OSError:  # cannot move it: at least never read it again
                with contextlib.suppress(OSError):
                    path.unlink()
        self.quarantined.append(f"{body_path}: {reason}" + (f" -> {moved[0]}" if moved else ""))

    def put(
        self, url: str, body: bytes, *, etag: str | None = None, last_modified: str | None = None
    ) -> CacheEntry:
        """Store a (validated, non-empty) body and its validators atomically. ``OSError`` when
        the cache cannot be written (a file blocking a folder is moved aside first)."""
        if not body:
            raise ValueError("refusing to cache an empty body")
        body_path = self.path_for(url)
        self._blocked(body_path)
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

    def _blocked(self, body_path: Path) -> bool:
        """Move aside any file standing where a folder of ``body_path`` should be (the root
        included); True if the entry cannot exist (a folder is missing or was blocked)."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        if self.root.exists() and not self.root.is_dir():
            aside = self.root.with_name(f"{self.root.name}.corrupt-{stamp}")
            try:
                os.replace(self.root, aside)
                self.quarantined.append(f"{self.root}: a file, not the cache folder -> {aside}")
            except OSError as exc:
                self.quarantined.append(f"{self.root}: a file, not the cache folder ({exc})")
            return True
        folder = self.root
        for part in body_path.parent.relative_to(self.root).parts:
            folder = folder / part
            if not folder.exists():
                return True
            if not folder.is_dir():
                url_like = str(folder.relative_to(self.root))
                target = self.root / QUARANTINE / f"{url_like}.{stamp}"
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(folder, target)
                    self.quarantined.append(f"{folder}: a file, not a folder -> {target}")
                except OSError as exc:
                    self.quarantined.append(f"{folder}: a file, not a folder ({exc})")
                return True
        return False


_META_SUFFIX = ".meta.json"
QUARANTINE = ".quarantine"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _meta_path(body_path: Path) -> Path:
    return body_path.with_name(body_path.name + _META_SUFFIX)
