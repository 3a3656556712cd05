"""A short-lived Python child of this program, with a pipe each way.

Two helpers run beside the window: the keychain read at start (``start_read_child``) and
the demo portal (``demo.portal_process``). Each is this interpreter running a function of
this same copy of the package, started by the entry point before Qt loads so that its
imports happen on another core while the window builds itself.

``spawn`` starts one with ``os.posix_spawn`` where it can: ``subprocess`` would do the same,
but importing it (with ``locale``, ``signal`` and ``selectors``) cost the window about 7 ms
before its first paint. Elsewhere (Windows) it is ``subprocess.Popen``. Both answer to the
names of ``Child``, which are ``Popen``'s.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

TYPE_CHECKING = False  # not typing's: see inspector.i18n
if TYPE_CHECKING:
    from typing import IO, Protocol

    class Child(Protocol):
        """What the program uses of a child process (``subprocess.Popen``'s names)."""

        returncode: int | None

        @property
        def stdin(self) -> IO[str] | None: ...
        @property
        def stdout(self) -> IO[str] | None: ...

        def communicate(self, input: str) -> tuple[str, object]: ...
        def poll(self) -> int | None: ...
        def wait(self) -> int: ...
        def kill(self) -> None: ...


__all__ = ["SpawnedChild", "python_command", "spawn"]


def python_command(code: str) -> list[str]:
    """This interpreter running *code* with the same copy of the package as this process,
    wherever that was loaded from (its folder goes first on the child's path)."""
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    boot = "import os, sys; sys.path.insert(0, sys.argv.pop(1)); " + code
    return [sys.executable, "-c", boot, package_root]


def spawn(command: list[str]) -> Child:
    """Start *command* with pipes to its standard input and output (its standard error
    goes nowhere: a crash's traceback could quote a secret). OSError if it cannot start."""
    if hasattr(os, "posix_spawn") and hasattr(os, "waitid") and _standard_descriptors_open():
        return SpawnedChild(command)
    import subprocess  # Windows: here, where it costs nothing before the first paint

    return subprocess.Popen(  # noqa: S603  # this interpreter and this package
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console on Windows
    )


def _standard_descriptors_open() -> bool:
    """Whether descriptors 0-2 are open. If one is closed (a launcher that closed standard
    input), a pipe end may get its number, and the child's "dup2 to itself" step then
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
    (Python opens its own close-on-exec). Closed in the child, as Popen's close_fds does."""
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


class SpawnedChild:
    """A child started with ``os.posix_spawn``, one pipe each way (``stdin``, ``stdout``:
    text files, as ``Popen``'s with ``text=True``)."""

    def __init__(self, command: list[str]) -> None:
        to_child, stdin_fd = os.pipe()  # both ends close-on-exec, as Python makes them
        stdout_fd, from_child = os.pipe()
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
            os.close(stdin_fd)
            os.close(stdout_fd)
            raise
        finally:
            os.close(to_child)
            os.close(from_child)
        self._stdin_fd, self._stdout_fd = stdin_fd, stdout_fd
        self._stdin: IO[str] | None = None
        self._stdout: IO[str] | None = None
        self.returncode: int | None = None
        self._lock = threading.Lock()  # kill() must not signal a pid already reaped

    # The pipes' text files are made at first use: a child only killed never needs them.
    @property
    def stdin(self) -> IO[str]:
        if self._stdin is None:
            self._stdin = os.fdopen(self._stdin_fd, "w", encoding="utf-8")
        return self._stdin

    @property
    def stdout(self) -> IO[str]:
        if self._stdout is None:
            self._stdout = os.fdopen(self._stdout_fd, encoding="utf-8", errors="replace")
        return self._stdout

    def communicate(self, input: str) -> tuple[str, None]:  # Popen's name
        """Send *input*, read the answer to its end, and wait for the exit status.

        One after the other, unlike Popen's: the children read all they are sent before
        they answer, and what they are sent is far smaller than a pipe holds.
        """
        try:
            with self.stdin as stdin:
                stdin.write(input)
        except BrokenPipeError:
            pass  # it ended without reading: its exit status says so
        with self.stdout as stdout:
            text = stdout.read()
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
