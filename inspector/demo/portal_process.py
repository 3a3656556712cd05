"""The window's demo portal in a process of its own (``--demo``).

The demo portal's modules (``http.server``, which brings ``http.client``, ``email`` and
``ssl``) cost a ``--demo`` start about 50 ms of the GUI thread before the window could be
built, and the portal then answered its requests with the window's GIL. So the entry point
starts it in a helper process first thing (``prestart``, as it does the keychain read),
where it loads and binds on another core while the window builds itself. The window takes
it when it needs its address and credential (``take_prestarted``).

Protocol: the child writes one line of JSON, its address and the demo application's
credential (the demo's own throw-away secrets, down a pipe that only the window reads),
then serves until its standard input ends: the window stopped it, or the window ended.

A frozen executable (a one-file one unpacks itself on every start) and
``B24_INSPECTOR_DEMO_IN_PROCESS=1`` run the portal in the window's process, as does a
window whose helper did not answer: ``take_prestarted`` then returns None.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time

from ..core.child_process import python_command, spawn

TYPE_CHECKING = False  # not typing's: see inspector.i18n
if TYPE_CHECKING:
    from typing import Protocol

    from ..core.child_process import Child
    from ..core.credentials import OAuthCredential
    from .portal import DemoPortal

    class RunningDemo(Protocol):
        """What the window uses of a running demo portal, in its process or another."""

        @property
        def webhook_url(self) -> str: ...
        @property
        def redirect_uri(self) -> str | None: ...
        def oauth_credential(self) -> OAuthCredential: ...
        def stop(self) -> None: ...


__all__ = [
    "IN_PROCESS_ENV",
    "PortalProcess",
    "prestart",
    "serve",
    "start_here",
    "take_prestarted",
]

IN_PROCESS_ENV = "B24_INSPECTOR_DEMO_IN_PROCESS"
"""``1``: serve the demo portal from the window's own process (as frozen executables do)."""

READY_TIMEOUT_S = 10.0  # its first line usually comes within 0.1 s
STOP_TIMEOUT_S = 2.0

_MAIN = (
    "from inspector.demo.portal_process import serve; serve(); "
    "sys.stdout.flush(); os._exit(0)"  # no teardown: the server has stopped, nothing is kept
)

_FIELDS = (
    "base_url",
    "webhook_url",
    "redirect_uri",
    "oauth_server_url",
    "access_token",
    "refresh_token",
    "client_id",
    "client_secret",
)

_prestarted: Child | None = None


def prestart() -> None:
    """Start the portal's process now, so that it serves by the time the window asks."""
    global _prestarted
    if _prestarted is not None:
        return
    if getattr(sys, "frozen", False) or os.environ.get(IN_PROCESS_ENV) == "1":
        return
    try:
        _prestarted = spawn(python_command(_MAIN))
    except OSError:
        return  # the window serves it itself
    import atexit

    atexit.register(_end_unused)


def take_prestarted(timeout_s: float = READY_TIMEOUT_S) -> PortalProcess | None:
    """The portal started by ``prestart`` once it serves; None if there is none or it did
    not answer within *timeout_s* (it is ended then, and the caller serves one itself)."""
    global _prestarted
    child, _prestarted = _prestarted, None
    if child is None:
        return None
    portal = PortalProcess(child)
    if portal.wait_until_serving(timeout_s):
        return portal
    portal.stop()
    return None


def _end_unused() -> None:
    child = _prestarted
    if child is not None:
        PortalProcess(child).stop()


class PortalProcess:
    """The window's side of a demo portal served by a child process (``serve``)."""

    def __init__(self, child: Child) -> None:
        self._child = child
        self._info: dict[str, str] = {}
        self._reader: threading.Thread | None = None

    def __repr__(self) -> str:  # never show the code or the tokens
        state = f"url={self._info['base_url']!r}" if self._info else "not serving"
        return f"<PortalProcess {state}>"

    def wait_until_serving(self, timeout_s: float) -> bool:
        """Read the child's first line; False if it did not come in time or was not the
        portal's description."""
        stdout = self._child.stdout
        if stdout is None:
            return False
        lines: list[str] = []
        # A thread, because a pipe cannot be read with a timeout on every system; if the
        # child hangs, stop() kills it and the read ends.
        reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
        self._reader = reader
        reader.start()
        reader.join(timeout_s)
        if not lines:
            return False
        try:
            info = json.loads(lines[0])
        except ValueError:
            return False
        if not isinstance(info, dict):
            return False
        fields: dict[str, str] = {}
        for name in _FIELDS:
            value = info.get(name)
            if not isinstance(value, str):
                return False
            fields[name] = value
        self._info = fields
        return True

    @property
    def base_url(self) -> str:
        return self._info["base_url"]

    @property
    def webhook_url(self) -> str:
        """The demo's webhook credential. It holds a secret."""
        return self._info["webhook_url"]

    @property
    def redirect_uri(self) -> str:
        """The demo application's handler address (the window's own sign-in handler)."""
        return self._info["redirect_uri"]

    def oauth_credential(self) -> OAuthCredential:
        """The demo application's credential, as ``DemoPortal.oauth_credential``."""
        from ..core.credentials import make_oauth_credential

        info = self._info
        return make_oauth_credential(
            info["base_url"],
            info["access_token"],
            client_id=info["client_id"],
            client_secret=info["client_secret"],
            refresh_token=info["refresh_token"],
            oauth_server=info["oauth_server_url"],
        )

    @property
    def running(self) -> bool:
        return self._child.poll() is None

    def stop(self) -> None:
        """End the portal: its standard input closes, and it stops serving and exits (it is
        killed if it has not within ``STOP_TIMEOUT_S``)."""
        child = self._child
        stdin = child.stdin
        if stdin is not None:
            with contextlib.suppress(OSError):  # it had ended: nothing waits to be flushed
                stdin.close()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while child.poll() is None:
            if time.monotonic() >= deadline:
                child.kill()
                child.wait()
                break
            time.sleep(0.002)
        # Its output ends with it: the first line's reader (if any) has its end of file.
        if self._reader is not None:
            self._reader.join(STOP_TIMEOUT_S)
        stdout = child.stdout
        if stdout is not None:
            stdout.close()


def start_here() -> DemoPortal:
    """The window's demo portal, served from this process: the helper's, or the window's
    own when there is no helper."""
    from ..core.signin_address import DEFAULT_PORT, handler_url
    from .oauth import handler_port
    from .portal import DemoPortal

    # Its application's handler is the inspector's own (on the default port unless that
    # is busy), so "Sign in with browser" works on the demo end to end.
    return DemoPortal(redirect_uri=handler_url(handler_port(DEFAULT_PORT))).start()


def serve() -> None:
    """The child's side: serve the demo portal until standard input ends."""
    portal = start_here()
    try:
        info = {name: getattr(portal, name) for name in _FIELDS}
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        sys.stdin.read()  # until the window closes its end, or ends
    finally:
        portal.stop()
