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

The real window goes one step further (*child_command*): the thread hands the read to a
short-lived process (``core.start_read_child``, usually started by the entry point before
Qt loads), so that keyring is loaded on another core and never in the window's process,
which stays about 20 MiB smaller. If that process cannot answer (it failed, or the program
is a frozen executable), the thread reads here as before.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal

from .. import i18n
from .threads import share_gil_promptly

if TYPE_CHECKING:
    from ..core.child_process import Child
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

    def __init__(
        self,
        open_store: Callable[[], SecretStore],
        parent: QObject | None = None,
        *,
        child_command: Sequence[str] | None = None,
    ):
        """*child_command*: read in that process first (``core.start_read_child``)."""
        super().__init__(parent)
        self._open_store = open_store
        self._child_command = list(child_command) if child_command else None
        self._children: set[Child] = set()
        self._children_lock = threading.Lock()
        self._stopping = False
        app = QCoreApplication.instance()
        if app is not None:  # a read still waiting for an unlock prompt must not outlive us
            app.aboutToQuit.connect(self.stop_children)
        self._number = 0
        self._done = threading.Event()
        self._done.set()
        self._result: StartRead | BaseException | None = None
        self._taken = 0  # the number of the last result handed out (signal or wait)
        self._arrived.connect(self._on_arrived)

    @property
    def busy(self) -> bool:
        """A read is under way, or its answer is still on its way to the GUI thread (a
        second read begun then would answer the same start twice)."""
        return not self._done.is_set() or self._taken != self._number

    def begin(self, plan: StartPlan) -> None:
        """Read what *plan* names; ``read`` (or ``failed``) follows on the GUI thread."""
        self._number += 1
        number = self._number
        done = self._done = threading.Event()
        arrived = self._arrived
        open_store = self._open_store

        def run() -> None:
            outcome: StartRead | BaseException | None = self._read_in_child(plan)
            if self._stopping:
                return  # quitting: nobody waits for the answer
            if outcome is None:
                try:
                    outcome = plan.read(open_store())
                except Exception as exc:  # reported on the GUI thread, never lost here
                    outcome = exc
            self._result = outcome
            done.set()
            arrived.emit(number, outcome)

        # The answer comes while the window builds itself: at Python's default interval
        # the thread waited up to 5 ms for the GIL at each step, and its answer missed the
        # first paint.
        share_gil_promptly()
        threading.Thread(target=run, name="keychain-read", daemon=True).start()

    def _read_in_child(self, plan: StartPlan) -> StartRead | None:
        """The child process's answer to *plan*, or None (then read here)."""
        if self._child_command is None:
            return None
        from ..core.child_process import spawn
        from ..core.start_read import plan_to_json, read_from_json
        from ..core.start_read_child import take_prestarted

        child = take_prestarted()
        if child is None:
            try:
                child = spawn(self._child_command)
            except OSError as exc:
                log.info("keychain read: no helper process (%s)", type(exc).__name__)
                return None
        with self._children_lock:
            self._children.add(child)
            if self._stopping:  # quitting began while it started
                child.kill()
        try:
            answer, _unused = child.communicate(i18n.current_language() + "\n" + plan_to_json(plan))
        finally:
            with self._children_lock:
                self._children.discard(child)
        if child.returncode != 0:
            log.info("keychain read: helper process ended with status %s", child.returncode)
            return None
        try:
            return read_from_json(plan, answer)
        except ValueError:
            log.info("keychain read: the helper process's answer was not understood")
            return None

    def stop_children(self) -> None:
        """End a helper process still reading (the program is quitting)."""
        self._stopping = True
        with self._children_lock:
            children = list(self._children)
        for child in children:
            child.kill()

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

    def take_finished(self) -> StartRead | None:
        """The result of a read that has already ended, taken here instead of through
        ``read``; None while it runs, once handed out, or when it failed (a failure still
        goes through ``failed``, on the event loop)."""
        if not self._done.is_set() or self._taken == self._number:
            return None
        result = self._result  # set before the event: read after it
        if result is None or isinstance(result, BaseException):
            return None
        self._taken = self._number
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
