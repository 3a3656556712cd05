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

import contextlib
import os
import sys
import threading

TYPE_CHECKING = False  # not typing's: see inspector.i18n
if TYPE_CHECKING:
    from typing import Protocol

    class Helper(Protocol):
        """What the window uses of the helper process (``subprocess.Popen``'s names)."""

        returncode: int | None

        def communicate(self, input: str) -> tuple[str, object]: ...
        def poll(self) -> int | None: ...
        def wait(self) -> int: ...
        def kill(self) -> None: ...


IN_PROCESS_ENV = "B24_INSPECTOR_KEYCHAIN_IN_PROCESS"
"""``1``: read the keychain in the window's own process (as frozen executables do)."""

# The helper ends with os._exit once its answer is flushed: the window waits for its exit
# status, and the interpreter's usual teardown (unloading keyring, cryptography and the D-Bus
# modules) took about 20 ms, four times the read itself.
_BOOT = (
    "import os, sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from inspector.core.start_read_child import main; status = main(); "
    "sys.stdout.flush(); os._exit(status)"
)

_prestarted: Helper | None = None


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
    """This interpreter running ``main`` from the same copy of the package as this process,
    wherever that was loaded from (its folder goes first on the child's path)."""
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return [sys.executable, "-c", _BOOT, package_root]


def spawn(command: list[str]) -> Helper:
    """Start the helper process (OSError if it cannot be started)."""
    if hasattr(os, "posix_spawn") and hasattr(os, "waitid") and _standard_descriptors_open():
        return SpawnedHelper(command)
    import subprocess  # Windows: here, where it costs nothing before the first paint

    return subprocess.Popen(  # noqa: S603  # this interpreter and this package
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a crash's traceback could quote what it read
        text=True,
        encoding="utf-8",
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console on Windows
    )


def _standard_descriptors_open() -> bool:
    """Whether descriptors 0-2 are open. If one is closed (a launcher that closed standard
    input), a pipe end may get its number, and the helper's "dup2 to itself" step then
    relies on the C library clearing close-on-exec, which glibc does and not every system
    did; Popen handles that case itself, so it is left to Popen."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            return False
    return True


def _inherited_descriptors() -> list[int]:
    """The descriptors beyond 0-2 a child would inherit: those this process was given
    (Python opens its own close-on-exec). Closed in the helper, as Popen's close_fds does."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        found = []
        for fd in (int(name) for name in names if name.isdigit()):
            with contextlib.suppress(OSError):  # the listing's own, closed by now
                if fd > 2 and os.get_inheritable(fd):
                    found.append(fd)
        return found
    return []


class SpawnedHelper:
    """The helper started with ``os.posix_spawn``, one pipe each way.

    ``subprocess`` would do the same, but importing it (with ``locale``, ``signal`` and
    ``selectors``) cost the window about 7 ms before its first paint. The names are
    ``Popen``'s, for the part of it the window uses.
    """

    def __init__(self, command: list[str]) -> None:
        to_child, plan_fd = os.pipe()  # both ends close-on-exec, as Python makes them
        answer_fd, from_child = os.pipe()
        try:
            self.pid = os.posix_spawn(
                command[0],
                command,
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, to_child, 0),
                    (os.POSIX_SPAWN_DUP2, from_child, 1),
                    # A crash's traceback could quote what it read.
                    (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
                    *((os.POSIX_SPAWN_CLOSE, fd) for fd in _inherited_descriptors()),
                ],
            )
        except BaseException:
            os.close(plan_fd)
            os.close(answer_fd)
            raise
        finally:
            os.close(to_child)
            os.close(from_child)
        self._plan_fd = plan_fd
        self._answer_fd = answer_fd
        self.returncode: int | None = None
        self._lock = threading.Lock()  # kill() must not signal a pid already reaped

    def communicate(self, input: str) -> tuple[str, None]:  # Popen's name
        """Send *input*, read the answer to its end, and wait for the exit status.

        One after the other, unlike Popen's: the helper reads its whole plan before it
        answers, and a plan is far smaller than a pipe holds.
        """
        try:
            with os.fdopen(self._plan_fd, "w", encoding="utf-8") as plan:
                plan.write(input)
        except BrokenPipeError:
            pass  # it ended without reading: its exit status says so
        with os.fdopen(self._answer_fd, encoding="utf-8", errors="replace") as answer:
            text = answer.read()
        self.wait()
        return text, None

    def poll(self) -> int | None:
        """The exit status, reaping the process if it has ended; None while it runs."""
        with self._lock:
            if self.returncode is None:
                try:
                    pid, status = os.waitpid(self.pid, os.WNOHANG)
                except ChildProcessError:  # reaped for us (SIGCHLD ignored): as Popen, 0
                    self.returncode = 0
                else:
                    if pid:
                        self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode

    def wait(self) -> int:
        # Waits without reaping (WNOWAIT), outside the lock: kill() can still end a process
        # that waits for an unlock prompt, and never signals a pid the system gave away.
        with contextlib.suppress(ChildProcessError):
            os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOWAIT)
        returncode = self.poll()
        assert returncode is not None
        return returncode

    def kill(self) -> None:
        import signal

        with self._lock, contextlib.suppress(ProcessLookupError):
            if self.returncode is None:
                os.kill(self.pid, signal.SIGKILL)


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


def take_prestarted() -> Helper | None:
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
