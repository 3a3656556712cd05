"""Read the keychain at start on a worker thread, so the window paints and answers meanwhile.

The first read costs what the GUI thread cannot spare: importing ``keyring`` and finding its
backend (about 100 ms of imports, entry points and probes), then the keychain's own answer
(a D-Bus round trip, or an unlock prompt that waits as long as the user does). Here that
happens on a daemon thread; the result comes back to the GUI thread as a queued signal, and
``ProfileSession.finish_start`` applies it there.

Why a read off the GUI thread is safe: the thread only runs ``StartPlan.read`` against the
store, which never touches the session or a widget; ``CredentialStore`` guards its session
copies with a lock, and keyring looks its backend up at each call (the Secret Service
backend opens a D-Bus connection per operation), so nothing is tied to the thread that
first loaded it. Saving and forgetting stay on the GUI thread, as user actions.

A daemon thread rather than a ``QThread``: a keychain that waits for its unlock prompt must
not keep the program from quitting, and a ``QThread`` destroyed while it runs aborts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from ..core.profiles import SecretStore
    from ..core.start_read import StartPlan, StartRead

__all__ = ["KeychainReader"]

log = logging.getLogger(__name__)


class KeychainReader(QObject):
    """Runs one ``StartPlan`` at a time on a daemon thread.

    ``read`` carries the ``StartRead`` to the GUI thread; ``failed`` the exception of a
    read that raised (a broken keychain backend), for the crash dialog as before.
    """

    read = Signal(object)  # StartRead
    failed = Signal(object)  # BaseException
    _arrived = Signal(int, object)  # emitted on the reading thread, queued to this object's

    def __init__(self, open_store: Callable[[], SecretStore], parent: QObject | None = None):
        super().__init__(parent)
        self._open_store = open_store
        self._number = 0
        self._done = threading.Event()
        self._done.set()
        self._result: StartRead | BaseException | None = None
        self._taken = 0  # the number of the last result handed out (signal or wait)
        self._arrived.connect(self._on_arrived)

    @property
    def busy(self) -> bool:
        """A read is under way."""
        return not self._done.is_set()

    def begin(self, plan: StartPlan) -> None:
        """Read what *plan* names; ``read`` (or ``failed``) follows on the GUI thread."""
        self._number += 1
        number = self._number
        done = self._done = threading.Event()
        arrived = self._arrived
        open_store = self._open_store

        def run() -> None:
            outcome: StartRead | BaseException
            try:
                outcome = plan.read(open_store())
            except Exception as exc:  # reported on the GUI thread, never lost here
                outcome = exc
            self._result = outcome
            done.set()
            arrived.emit(number, outcome)

        threading.Thread(target=run, name="keychain-read", daemon=True).start()

    def wait(self, timeout_s: float) -> StartRead | None:
        """Block until the running read ends (for a caller that needs it now) and hand its
        result out here instead of through ``read``; None on timeout or when none runs.

        Raises the read's exception, as the slot of ``failed`` would report it.
        """
        if not self._done.wait(timeout_s):
            return None
        if self._taken == self._number or self._result is None:
            return None
        self._taken = self._number
        result = self._result
        if isinstance(result, BaseException):
            raise result
        return result

    def _on_arrived(self, number: int, outcome: object) -> None:
        if number != self._number or self._taken == number:
            return  # superseded, or already handed out by wait()
        self._taken = number
        if isinstance(outcome, BaseException):
            log.error("keychain read failed: %s", type(outcome).__name__)
            self.failed.emit(outcome)
        else:
            self.read.emit(outcome)
