"""A lock across processes around one profile's token renewal. Stdlib only, no Qt.

Two running copies of the program (two windows, or a window and the CLI) on one profile can
meet ``expired_token`` together. Bitrix24 rotates the refresh token on every renewal, so the
copy that renews second would spend a refresh token that is already void and have to sign in
again. ``RenewalLock`` makes them take turns: the holder renews and saves the new tokens; the
next one, once it holds the lock, re-reads the profile and finds tokens it can use.

The lock is an OS file lock (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows) on a
file in the program's private folder, named by a hash of the profile's keychain entry (never
by a token). The OS drops it with the process, so a copy that crashes while holding it never
blocks the others. Waiting is bounded and ends early when the caller's cancel event is set.

``SharedRenewal`` is the ``BitrixClient`` side: an ``on_credential_renewed`` callback that
also holds this lock and re-reads the stored credential (see ``bitrix_client.refresh``).
``KeychainRenewal`` is that callback for a keychain profile.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..i18n import _
from .credentials import OAuthCredential, credential_from_storage
from .errors import Cancelled, InspectorError, InvalidCredential
from .files import make_private_folder, restrict
from .profile_index import program_folder

if TYPE_CHECKING:
    from .profiles import SecretStore

LOCKS_FOLDER = "locks"
DEFAULT_WAIT = 60.0  # longer than one refresh exchange's deadline, so a live holder finishes
_POLL_SECONDS = 0.05


class RenewalBusy(InspectorError):
    """Another running copy held the profile's renewal lock for longer than the wait."""

    exit_code = 4


def lock_name(service: str, entry: str) -> str:
    """The lock file's name for one keychain entry: a hash, so no name or token shows."""
    # Imported here, at the first renewal: hashlib loads OpenSSL's libcrypto (3 MiB resident),
    # and the window imports this module at start-up, long before any request needs it.
    import hashlib

    digest = hashlib.sha256(f"{service}\0{entry}".encode()).hexdigest()
    return f"renewal-{digest[:32]}.lock"


def _try_lock(handle: IO[bytes]) -> bool:
    """Take the OS lock on *handle* without waiting; False when another holder has it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class RenewalLock:
    """The renewal lock of one keychain entry. One ``hold()`` at a time per object.

    Within one process two objects for the same entry also exclude each other (each opens
    the file anew, and both OS locks belong to the open file, not to the process).
    """

    def __init__(self, service: str, entry: str, folder: Path | None = None) -> None:
        self.path = (folder or program_folder() / LOCKS_FOLDER) / lock_name(service, entry)
        self._handle: IO[bytes] | None = None

    def __repr__(self) -> str:
        return f"<RenewalLock {self.path.name}>"

    @property
    def held(self) -> bool:
        return self._handle is not None

    def acquire(self, cancel: threading.Event | None = None, wait: float = DEFAULT_WAIT) -> None:
        """Take the lock, waiting up to *wait* seconds. Raises ``Cancelled`` when *cancel*
        is set meanwhile, ``RenewalBusy`` when the wait runs out, and ``InspectorError``
        when the lock file cannot be made."""
        if self._handle is not None:
            raise RuntimeError("the renewal lock is already held by this object")
        handle = self._open()
        deadline = time.monotonic() + wait
        try:
            while not _try_lock(handle):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RenewalBusy(
                        _(
                            "Another running copy of the inspector has been renewing this "
                            "profile's access token for {seconds:g} s."
                        ).format(seconds=wait),
                        _("Wait for it to finish (or close it), then try again."),
                    )
                if cancel is not None and cancel.wait(min(_POLL_SECONDS, left)):
                    raise Cancelled()
                if cancel is None:
                    time.sleep(min(_POLL_SECONDS, left))
        except BaseException:
            handle.close()
            raise
        self._handle = handle

    def release(self) -> None:
        """Let the next copy renew. The file stays: removing it would race a new holder."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        try:
            with contextlib.suppress(OSError):
                _unlock(handle)
        finally:
            handle.close()

    @contextlib.contextmanager
    def hold(
        self, cancel: threading.Event | None = None, wait: float = DEFAULT_WAIT
    ) -> Iterator[None]:
        """``acquire`` … ``release`` as a ``with`` block."""
        self.acquire(cancel, wait)
        try:
            yield
        finally:
            self.release()

    def _open(self) -> IO[bytes]:
        try:
            make_private_folder(self.path.parent)
            handle = open(self.path, "a+b")  # noqa: SIM115 - kept open while held
        except OSError as exc:
            raise InspectorError(
                _("The renewal lock file could not be made in {folder} ({reason}).").format(
                    folder=self.path.parent, reason=exc.strerror or type(exc).__name__
                ),
                _("Make the folder writable, then try again."),
            ) from None
        with contextlib.suppress(OSError):
            restrict(self.path, 0o600)
        return handle


@runtime_checkable
class SharedRenewal(Protocol):
    """An ``on_credential_renewed`` callback for a credential that other running copies may
    renew too. ``BitrixClient.refresh`` holds ``hold()`` around the whole renewal, asks
    ``newer_than(credential)`` first and, when it returns stored tokens, uses them (and
    calls ``adopted``) instead of spending the refresh token it holds."""

    def __call__(self, credential: OAuthCredential) -> None: ...

    def hold(self, cancel: threading.Event) -> contextlib.AbstractContextManager[None]: ...

    def newer_than(self, credential: OAuthCredential) -> OAuthCredential | None: ...

    def adopted(self, credential: OAuthCredential) -> None: ...


def newer_stored(stored: object, in_hand: OAuthCredential) -> OAuthCredential | None:
    """*in_hand* with the stored tokens, when *stored* is the same application on the same
    portal with another refresh token (another copy renewed it); otherwise None."""
    from .credentials import OAuthCredential

    if not isinstance(stored, OAuthCredential) or not stored.refresh_token:
        return None
    if stored.refresh_token == in_hand.refresh_token:
        return None
    if stored.client_id != in_hand.client_id or stored.host != in_hand.host:
        return None
    try:
        return in_hand.with_tokens(stored.access_token, stored.refresh_token)
    except InvalidCredential:
        return None


class KeychainRenewal:
    """``SharedRenewal`` for a keychain profile: the lock of its entry, its stored credential.

    *then* is called with the renewed (or adopted) credential; with ``save=True`` the new
    tokens are saved in the keychain first, still under the lock, so that the next copy
    finds them (the window's worker hands the credential on to the GUI thread, too late).
    ``prepare`` is passed on when *then* has one (see ``PreparedRenewal``).
    """

    def __init__(
        self,
        profile: str,
        open_store: Callable[[], SecretStore],
        then: Callable[[OAuthCredential], None],
        *,
        service: str,
        save: bool = False,
        on_adopted: Callable[[OAuthCredential], None] | None = None,
    ) -> None:
        self._profile = profile
        self._open_store = open_store
        self._then = then
        self._save = save
        self._on_adopted = on_adopted
        self._lock = RenewalLock(service, profile)
        self._stored_held_in_hand = False  # set under the lock by newer_than

    def __repr__(self) -> str:
        return f"<KeychainRenewal {self._lock.path.name}>"

    def hold(self, cancel: threading.Event) -> contextlib.AbstractContextManager[None]:
        return self._lock.hold(cancel)

    def prepare(self) -> None:
        prepare = getattr(self._then, "prepare", None)
        if callable(prepare):
            prepare()

    def newer_than(self, credential: OAuthCredential) -> OAuthCredential | None:
        self._stored_held_in_hand = False
        secret = self._open_store().load(self._profile).secret
        if secret is None:
            return None
        try:
            stored = credential_from_storage(secret)
        except InvalidCredential:
            return None
        # Only tokens that came from this entry go back into it: a credential typed in
        # the window and not yet remembered is never saved behind the user's back.
        self._stored_held_in_hand = (
            isinstance(stored, OAuthCredential) and stored.refresh_token == credential.refresh_token
        )
        return newer_stored(stored, credential)

    def adopted(self, credential: OAuthCredential) -> None:
        (self._on_adopted or self._then)(credential)

    def __call__(self, credential: OAuthCredential) -> None:
        if self._save and self._stored_held_in_hand:
            self._open_store().save(self._profile, credential.to_storage())
        self._then(credential)


def keychain_renewal(
    profile: str,
    then: Callable[[OAuthCredential], None],
    *,
    save: bool = False,
    on_adopted: Callable[[OAuthCredential], None] | None = None,
) -> KeychainRenewal:
    """``KeychainRenewal`` for *profile* in the program's keychain (keyring loads here)."""
    from .keychain import SERVICE, CredentialStore

    return KeychainRenewal(
        profile, CredentialStore, then, service=SERVICE, save=save, on_adopted=on_adopted
    )


class _Output(Protocol):
    """What ``note_adopted`` needs of the CLI's output (``cli.Output``)."""

    hidden: Any

    def know(self, secrets: Any) -> None: ...

    def note(self, text: str) -> None: ...


def note_adopted(output: _Output) -> Callable[[OAuthCredential], None]:
    """The CLI's ``on_adopted``: hide the taken tokens from its output, and say so."""

    def adopted(credential: OAuthCredential) -> None:
        output.know(output.hidden | credential.secrets())
        output.note(_("note: another running copy had renewed the access token; using its tokens."))

    return adopted
