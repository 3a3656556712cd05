"""Connections kept open from one request to the next, for a window's requests.

Each request of the window used to run in a client of its own, which opened connections of
its own: the connector lookup that follows every fetch paid a second TCP and TLS handshake
to the portal it had just reached (one to three round trips: tens to hundreds of
milliseconds to a remote portal), and so did the next fetch. A ``ConnectionPool`` keeps
the ``Exchanger`` of the last requests (its httpx clients and their open connections);
a ``BitrixClient`` given the pool borrows it instead of making its own, and gives it back
when it closes.

What keeps borrowing as safe as a client of one's own:

* one borrower at a time: the window runs its requests one after another (an exchanger
  is not made for concurrent use, and ``borrow`` refuses a second borrower);
* each request keeps its own cancel event and deadline (``Exchanger.send(cancel=)``);
* cookies do not outlive a borrowing (``Exchanger.forget_cookies``), as they did not
  outlive a client;
* other options (another proxy, CA file or timeouts, or a CA file changed on disk) get a
  new exchanger, and the old one is closed;
* ``close()`` (another profile, the window closing) closes every kept connection; one
  borrowed at that moment is closed when it is given back. The pool stays usable.

No httpx here (nor Qt): the exchanger's module is imported by the first borrower, on the
worker's thread.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .client.exchange import Exchanger
    from .options import RequestOptions

__all__ = ["ConnectionPool"]

_Key = tuple[object, ...]


def _key(options: RequestOptions, proxy: str | None) -> _Key:
    """What an exchanger is built from: the options, the proxy, and the extra CA file's
    size and time of change (the trust is read from it when the exchanger is made)."""
    stamp: tuple[int, int] | None = None
    if options.extra_ca_file:
        try:
            status = os.stat(options.extra_ca_file)
            stamp = (status.st_size, status.st_mtime_ns)
        except OSError:
            stamp = None  # making the exchanger reports it
    return (options, proxy, stamp)


class ConnectionPool:
    """The exchanger of the last requests, lent to one request at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[_Key, Exchanger] | None = None
        self._lent: Exchanger | None = None
        self._close_when_back = False

    def borrow(self, options: RequestOptions, proxy: str | None) -> Exchanger:
        """The kept exchanger if it was made for these options, else a new one (the kept
        one is closed). Raises what making an exchanger raises (an unusable CA file)."""
        from .client.exchange import Exchanger

        key = _key(options, proxy)
        with self._lock:
            if self._lent is not None:
                raise RuntimeError("the connection pool is lent to another request")
            kept, self._kept = self._kept, None
            if kept is not None and kept[0] == key:
                exchanger = kept[1]
            else:
                try:
                    exchanger = Exchanger(options, proxy=proxy, cancel=threading.Event())
                finally:
                    if kept is not None:
                        kept[1].close()  # made for other options (or a changed CA file)
            self._kept = (key, exchanger)
            self._lent = exchanger
            return exchanger

    def give_back(self, exchanger: Exchanger) -> None:
        """End a borrowing: its cookies are forgotten and its connections stay open, unless
        the pool was closed meanwhile."""
        with self._lock:
            if self._lent is not exchanger:
                raise RuntimeError("this exchanger was not lent by this pool")
            # Under the lock: once it is no longer lent, close() may close it at once.
            exchanger.forget_cookies()
            self._lent = None
            close, self._close_when_back = self._close_when_back, False
        if close:
            exchanger.close()

    def close(self) -> None:
        """Close the kept connections (a borrowed exchanger when it is given back)."""
        with self._lock:
            kept, self._kept = self._kept, None
            if kept is not None and kept[1] is self._lent:
                self._close_when_back = True
                kept = None
        if kept is not None:
            kept[1].close()
