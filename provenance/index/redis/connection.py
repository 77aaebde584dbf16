"""The connection to one Redis server under one key prefix: the URL's options, retries, failures as one line.

Outages: every call is retried a few times with exponential backoff (redis-py's Retry), then fails in one line
naming the server, the attempts and the time spent. Only calls that may safely run again are retried this way: a
batch script whose reply was lost may run twice (the first call reached the server, the retry too), and the script
notices (provenance/index/redis/scripts.py).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

from provenance.errors import InputError, UsageError
from provenance.text.inputs import shown_name

TIMEOUT = 10.0  # seconds a call may take (`?timeout=`): a 20,000-paragraph batch script takes half a second
ATTEMPTS = 4  # then the command fails; between attempts 0.5, 1 and 2 s of backoff
BACKOFF_BASE, BACKOFF_CAP = 0.25, 2.0
URL_OPTIONS = ("prefix", "timeout")
T = TypeVar("T")


def parse_url(location: str) -> tuple[str, str, float]:
    """The server's URL (without options), the key prefix and the timeout of one call. Every way a URL can be
    wrong (scheme, host, port, database number, options) is a usage error here, before redis-py sees it."""

    def bad(problem: str) -> UsageError:
        return UsageError(
            f"{location}: {problem} (expected redis://host:port/db?prefix=name&timeout=seconds)"
        )

    try:
        url = urlparse(location)
        port = url.port  # ValueError past 65535 or not a number
        host = url.hostname
    except ValueError as exc:
        raise bad(f"not a valid URL ({exc})") from None
    if url.scheme not in ("redis", "rediss", "unix"):
        raise bad("not a redis:// URL")
    if url.scheme == "unix":
        if not url.path:
            raise bad("a unix:// URL needs the socket's path")
    else:
        if port == 0:
            raise bad("port 0 is not a port")
        if url.netloc and not host:
            raise bad("no host name")
        try:
            (host or "").encode("idna")
        except UnicodeError:  # an undecodable byte of the command line, or no host name IDNA can spell
            raise bad(f"host {shown_name(host or '')!r} is not a host name") from None
        db = url.path.strip("/")
        if db and not (db.isascii() and db.isdigit() and int(db) < 1 << 16):
            raise bad(f"database {db!r} is not a database number")
    try:
        query = parse_qs(url.query, keep_blank_values=True, strict_parsing=bool(url.query))
    except ValueError as exc:
        raise bad(f"options do not parse ({exc})") from None
    unknown = sorted(set(query) - set(URL_OPTIONS))
    if unknown:
        raise UsageError(f"{location}: unknown option {unknown[0]!r} (options: {', '.join(URL_OPTIONS)})")
    twice = sorted(k for k, v in query.items() if len(v) > 1)
    if twice:
        raise bad(f"option {twice[0]!r} given twice")
    prefix = query.get("prefix", ["provenance"])[0]
    if not prefix or not prefix.isprintable() or len(prefix) > 200:
        raise bad("prefix must be 1 to 200 printable characters")
    raw = query.get("timeout", [str(TIMEOUT)])[0]
    try:
        timeout = float(raw)
    except ValueError:
        timeout = math.nan
    if not 0.05 <= timeout <= 3600:  # nan fails too
        raise bad(f"timeout {raw!r} must be a number of seconds from 0.05 to 3600")
    return location.split("?")[0], prefix, timeout


def address_of(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        return parsed.path
    return f"{parsed.hostname or 'localhost'}:{parsed.port or 6379}"


class Connection:
    """A client (`r`, replies as bytes) and the prefix of an index's keys; `call` runs Redis calls with retries."""

    def __init__(self, location: str) -> None:
        import redis
        from redis.backoff import ExponentialBackoff, NoBackoff
        from redis.retry import Retry

        self._redis = redis
        self.location = location
        url, self.prefix, timeout = parse_url(location)
        self.address = address_of(url)
        # The client itself never retries: `call` does, around whole operations, so that attempts and time are
        # counted once (redis-py's own retry nests a reconnect retry inside each command retry).
        self._retry = Retry(ExponentialBackoff(cap=BACKOFF_CAP, base=BACKOFF_BASE), ATTEMPTS - 1)
        self._answered = False
        with self.guard():
            self.r: Any = redis.Redis.from_url(
                url,
                socket_timeout=timeout,
                socket_connect_timeout=min(timeout, 5.0),
                retry=Retry(NoBackoff(), 0),
            )

    @contextmanager
    def guard(self, attempts: int = 1, since: float | None = None) -> Iterator[None]:
        """A server that goes away or refuses is an input error in one line (exit 3), never a traceback."""
        redis = self._redis
        try:
            yield
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            spent = f"{attempts} attempt{'s' if attempts > 1 else ''}" + (
                f" over {time.monotonic() - since:.1f} s" if since is not None else ""
            )
            if not self._answered:
                raise InputError(
                    f"{self.location}: cannot reach the Redis server at {self.address} ({spent}: {exc})"
                ) from None
            raise InputError(f"redis at {self.address} stopped answering after {spent} ({exc})") from None
        except redis.exceptions.RedisError as exc:
            raise InputError(f"{self.location}: Redis refused ({exc})") from None

    def call(self, fn: Callable[[], T]) -> T:
        """Run fn (Redis calls that may safely run again) with a bounded retry; then fail in one line."""
        with self.guard(attempts=ATTEMPTS, since=time.monotonic()):  # the retry only gives up after them all
            result = self._retry.call_with_retry(fn, lambda _error: None)
        self._answered = True
        return result

    def script(self, source: str) -> Any:
        """A Lua script registered with the client: called with `args=[...]`, loaded on the server on first use."""
        with self.guard():
            return self.r.register_script(source)

    def keys_under(self, prefix: str) -> set[str]:
        """The names after `prefix` of every key that starts with it (SCAN: the server is never blocked)."""
        raw = prefix.encode()
        found = self.call(lambda: list(self.r.scan_iter(match=_glob_escape(raw) + b"*", count=1000)))
        return {k[len(raw) :].decode(errors="replace") for k in found}

    def close(self) -> None:
        self.r.close()


def _glob_escape(value: bytes) -> bytes:
    """A prefix as a literal in a SCAN MATCH pattern."""
    out = bytearray()
    for b in value:
        if b in b"*?[]\\":
            out += b"\\"
        out.append(b)
    return bytes(out)
