"""The keychain read at start, in a short-lived process of its own.

``keyring`` is as heavy as Qt to load (about 65 ms with the GIL held, and 20 MiB that stay
for the whole session: its backends pull in urllib, email, ssl and ``cryptography``), yet
the window needs it only for this one read until the user saves something. So the entry
point starts this process first thing (``prestart``, before it even imports Qt): it loads
keyring and opens the keychain on another core while the window builds itself, then waits
for the window to say what to read. The window's process never loads keyring unless the
user saves or forgets a credential.

Protocol: on standard input, the language's code on one line, then the ``StartPlan`` as
JSON; on standard output, the ``StartRead`` as JSON (it carries the secret, so it goes only
down that pipe). Anything else, a failure included, ends with exit status 1 and nothing on
standard output; the window then reads in its own process as before
(``ui.keychain_reader``), which reports the failure.
"""

from __future__ import annotations

import os
import sys

from .child_process import python_command, spawn

TYPE_CHECKING = False  # not typing's: see inspector.i18n
if TYPE_CHECKING:
    from .child_process import Child


IN_PROCESS_ENV = "B24_INSPECTOR_KEYCHAIN_IN_PROCESS"
"""``1``: read the keychain in the window's own process (as frozen executables do)."""

# The helper ends with os._exit once its answer is flushed: the window waits for its exit
# status, and the interpreter's usual teardown (unloading keyring, cryptography and the D-Bus
# modules) took about 20 ms, four times the read itself.
_MAIN = (
    "from inspector.core.start_read_child import main; status = main(); "
    "sys.stdout.flush(); os._exit(status)"
)

_prestarted: Child | None = None


def child_command() -> list[str] | None:
    """The command that runs this module's ``main``, or None where a helper process would
    not be quicker or not see the same keychain: a frozen executable (a one-file one unpacks
    itself on every start), ``B24_INSPECTOR_KEYCHAIN_IN_PROCESS=1``, or a process that has
    loaded keyring already (it may have chosen a backend the helper would not know)."""
    if getattr(sys, "frozen", False) or os.environ.get(IN_PROCESS_ENV) == "1":
        return None
    if "keyring" in sys.modules:
        return None
    return boot_command()


def boot_command() -> list[str]:
    """This interpreter running ``main`` from the same copy of the package as this process."""
    return python_command(_MAIN)


def prestart() -> None:
    """Start the helper now, so that it has loaded keyring when the window asks
    (``take_prestarted``); it is ended at exit if nobody took it."""
    global _prestarted
    command = child_command()
    if command is None or _prestarted is not None:
        return
    try:
        _prestarted = spawn(command)
    except OSError:
        return  # the window reads in its own process
    import atexit

    atexit.register(_end_unused)


def take_prestarted() -> Child | None:
    """The helper started by ``prestart``, if it is still there (for one read only)."""
    global _prestarted
    child, _prestarted = _prestarted, None
    if child is not None and child.poll() is not None:
        return None  # it died early: start another, or read in process
    return child


def _end_unused() -> None:
    child = take_prestarted()
    if child is not None:
        child.kill()
        child.wait()


def main() -> int:
    from .. import i18n
    from .keychain import CredentialStore
    from .keychain_backend import resolve_backend
    from .start_read import plan_from_json, read_to_json

    try:
        resolve_backend()  # loads the backend and opens the keychain while the window starts
        language = sys.stdin.readline().strip()
        i18n.setup(language or None)  # the messages in the window's language
        plan = plan_from_json(sys.stdin.read())
        answer = read_to_json(plan.read(CredentialStore()))
    except Exception:  # the window's own read reports it, with the details it needs
        return 1
    sys.stdout.write(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
