"""The keychain store: with ``keychain_backend``, the only modules that talk to ``keyring``.

It keeps opaque secret strings (the credentials module serialises a credential to one; this
module never parses it) in the operating system's keychain, one entry per profile, under the
service name :data:`SERVICE`.

When the keychain cannot be used (none installed, turned off, locked, or failing), the secret
is kept in memory in the :class:`CredentialStore` object for this session only, and every
outcome says so in a plain sentence. Nothing is ever written to disk in plaintext: a
file-based backend from ``keyrings.alt`` (or similar) is treated as "not usable", never as a
fallback.

No secret appears in any message, log record, exception text or ``repr`` made here. Messages
are built only from fixed sentences, the backend's display name and exception class names.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading

import keyring
import keyring.core
import keyring.errors
from keyring.backend import KeyringBackend

from ..i18n import N_, _, ngettext
from .keychain_backend import Resolved, resolve_backend
from .keychain_status import NO_KEYCHAIN, KeychainStatus, LoadOutcome, SaveOutcome

__all__ = [
    "NO_KEYCHAIN",
    "SERVICE",
    "CredentialStore",
    "KeychainStatus",
    "LoadOutcome",
    "SaveOutcome",
]

SERVICE = "b24-inspector"

log = logging.getLogger(__name__)

SESSION_ONLY = N_("The credential is kept for this session only.")  # translated when used


# Windows Credential Manager refuses a blob over 2,560 bytes, and keyring stores the password
# as UTF-16 there. A chunk of at most 512 characters is at most 2,048 bytes in UTF-16 and in
# UTF-8 (4 bytes per character at worst), so it fits every backend. Long secrets are chunked
# on every platform, not only on Windows, so that the chunked path is the same code that runs
# (and is tested) against the real Secret Service on Linux.
CHUNK_CHARS = 512
_CHUNK_SEPARATOR = "#"
# A chunked secret's main entry holds this manifest: the chunk count and a SHA-256 of the
# whole secret, so a torn or mixed set of chunks is detected instead of returned.
# v1 (older versions) keeps the chunks under "<profile>#<n>"; v2 keeps them in one of two
# slots, "<profile>#a#<n>" or "<profile>#b#<n>". A save writes the slot the manifest does
# not name, then switches the manifest (one write), then deletes the other chunks: killed
# at any point, the manifest names a whole generation, the old one or the new one.
_MANIFEST_PREFIX = "b24-inspector-chunked:v1:"
_MANIFEST = re.compile(
    r"^" + re.escape(_MANIFEST_PREFIX) + r"(?P<count>[1-9][0-9]{0,5}):(?P<digest>[0-9a-f]{64})$"
)
_MANIFEST_V2_PREFIX = "b24-inspector-chunked:v2:"
_MANIFEST_V2 = re.compile(
    r"^"
    + re.escape(_MANIFEST_V2_PREFIX)
    + r"(?P<slot>[ab]):(?P<count>[1-9][0-9]{0,5}):(?P<digest>[0-9a-f]{64})$"
)
_SLOTS = ("a", "b")
_PROBE_ENTRY = "#probe"  # can never be a profile: profiles may not contain "#"
# The largest secret kept in the keychain: a credential with tokens of the size the OAuth
# server may send (oauth.MAX_TOKEN_CHARS) is far smaller; a larger one (a hostile server's
# 3 MB "token") would take thousands of entries and minutes to write.
MAX_SECRET_CHARS = 32 * 1024


def _explain(exc: BaseException) -> str:
    """A plain sentence for a keychain failure. Never uses the exception's own text."""
    if isinstance(exc, keyring.errors.KeyringLocked):
        return _("The keychain is locked and was not unlocked.")
    if isinstance(exc, keyring.errors.InitError):
        return _(
            "The keychain could not be opened; it may be locked, or its unlock prompt "
            "was dismissed."
        )
    if isinstance(exc, keyring.errors.NoKeyringError):
        return _("No system keychain is available.")
    if isinstance(exc, keyring.errors.PasswordSetError):
        return _("The keychain refused to store it.")
    if isinstance(exc, keyring.errors.PasswordDeleteError):
        return _("The keychain refused to delete it.")
    if isinstance(exc, keyring.errors.KeyringError):
        return _("The keychain reported an error.")
    return _("The keychain failed unexpectedly.")


def _check_profile(profile: str) -> None:
    if not profile or _CHUNK_SEPARATOR in profile:
        raise ValueError(_("A profile name must be non-empty and must not contain '#'."))


def _chunk_entry(profile: str, number: int, slot: str | None = None) -> str:
    """A chunk's entry: ``<profile>#<n>`` (v1) or ``<profile>#<slot>#<n>`` (v2)."""
    if slot is None:
        return f"{profile}{_CHUNK_SEPARATOR}{number}"
    return f"{profile}{_CHUNK_SEPARATOR}{slot}{_CHUNK_SEPARATOR}{number}"


def _parse_manifest(value: str) -> tuple[str | None, int, str] | None:
    """(slot or None for v1, chunk count, digest) of a manifest; None for a plain secret."""
    v2 = _MANIFEST_V2.match(value)
    if v2 is not None:
        return v2["slot"], int(v2["count"]), v2["digest"]
    v1 = _MANIFEST.match(value)
    if v1 is not None:
        return None, int(v1["count"]), v1["digest"]
    return None


def _split(secret: str) -> list[str]:
    return [secret[i : i + CHUNK_CHARS] for i in range(0, len(secret), CHUNK_CHARS)] or [""]


def _kib(chars: int) -> str:
    if chars >= 1024:
        return _("{size} KiB").format(size=f"{chars / 1024:,.0f}")
    return ngettext("{n} character", "{n} characters", chars).format(n=chars)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


class CredentialStore:
    """Saves, loads and forgets one opaque secret per profile.

    Falls back to an in-memory copy, for this session only, whenever the system keychain
    cannot be used; the outcome's message then says why.
    """

    def __init__(self, service: str = SERVICE) -> None:
        if not service:
            raise ValueError("The keychain service name must not be empty.")
        self._service = service
        self._lock = threading.Lock()
        self._session: dict[str, str] = {}
        # The backend that failed last, and why: status() reports it as not usable until an
        # operation on it succeeds again (the user may unlock it in the meantime).
        self._failed_backend: KeyringBackend | None = None
        self._failure_reason: str | None = None

    def __repr__(self) -> str:
        with self._lock:
            kept = len(self._session)
        return f"CredentialStore(service={self._service!r}, session_only_profiles={kept})"

    @property
    def service(self) -> str:
        return self._service

    # -- status -----------------------------------------------------------------------

    def status(self, probe: bool = False) -> KeychainStatus:
        """Which keychain a save would use, and whether it is expected to work.

        Looks the backend up again at each call. With ``probe=True`` it also reads a
        non-existent entry, which is what finds a locked keychain (and, on a desktop, may
        show the keychain's own unlock prompt); without it no entry is read or written.
        """
        resolved = resolve_backend()
        if resolved.backend is None:
            return KeychainStatus(resolved.name, False, f"{resolved.why} {_(SESSION_ONLY)}")
        if probe:
            try:
                resolved.backend.get_password(self._service, _PROBE_ENTRY)
            except Exception as exc:
                self._record_failure(resolved, "probe", exc)
            else:
                self._clear_failure()
        with self._lock:
            if self._failed_backend is resolved.backend and self._failure_reason:
                return KeychainStatus(
                    resolved.name, False, f"{self._failure_reason} {_(SESSION_ONLY)}"
                )
        return KeychainStatus(resolved.name, True, None)

    # -- save ---------------------------------------------------------------------------

    def save(self, profile: str, secret: str) -> SaveOutcome:
        """Save ``secret`` for ``profile`` in the keychain, or keep it for this session."""
        _check_profile(profile)
        if len(secret) > MAX_SECRET_CHARS:
            self._keep_in_session(profile, secret)
            log.warning("keychain save: outcome=too-large (%d characters)", len(secret))
            return SaveOutcome(
                False,
                _(
                    "Not saved: it is too large for the keychain ({size}; at most {limit}). "
                    "{session_only}"
                ).format(
                    size=_kib(len(secret)),
                    limit=_kib(MAX_SECRET_CHARS),
                    session_only=_(SESSION_ONLY),
                ),
            )
        resolved = resolve_backend()
        if resolved.backend is None:
            self._keep_in_session(profile, secret)
            log.info("keychain save: backend=%s outcome=session-only", resolved.name)
            return SaveOutcome(
                False,
                _("Not saved: {why} {session_only}").format(
                    why=resolved.why, session_only=_(SESSION_ONLY)
                ),
                resolved.name,
            )
        try:
            slot, count = self._write(resolved.backend, profile, secret)
        except Exception as exc:
            reason = self._record_failure(resolved, "save", exc)
            self._keep_in_session(profile, secret)
            return SaveOutcome(
                False,
                _("Not saved in {store}: {why} {session_only}").format(
                    store=resolved.name, why=reason, session_only=_(SESSION_ONLY)
                ),
                resolved.name,
            )
        self._clear_failure()
        with self._lock:
            self._session.pop(profile, None)
        # The manifest now names the new generation: every other chunk is left over.
        self._sweep_chunks(resolved, profile, first=1)  # v1
        for other in _SLOTS:
            self._sweep_chunks(
                resolved, profile, first=count + 1 if other == slot else 1, slot=other
            )
        log.info("keychain save: backend=%s outcome=saved", resolved.name)
        return SaveOutcome(True, _("Saved in {store}.").format(store=resolved.name), resolved.name)

    def _write(self, backend: KeyringBackend, profile: str, secret: str) -> tuple[str | None, int]:
        """Write *secret*; (the slot its chunks went to, None if not chunked; chunk count)."""
        chunks = _split(secret)
        if len(chunks) == 1:
            backend.set_password(self._service, profile, secret)
            return None, 0
        # The new chunks go to the slot the current manifest does not name; the manifest is
        # switched last, in one write: until then a load reads the previous value whole.
        current = _parse_manifest(backend.get_password(self._service, profile) or "")
        slot = "b" if current is not None and current[0] == "a" else "a"
        for number, chunk in enumerate(chunks, start=1):
            backend.set_password(self._service, _chunk_entry(profile, number, slot), chunk)
        manifest = f"{_MANIFEST_V2_PREFIX}{slot}:{len(chunks)}:{_digest(secret)}"
        backend.set_password(self._service, profile, manifest)
        return slot, len(chunks)

    def check_writable(self) -> KeychainStatus:
        """Whether a secret can be saved now: writes, reads back and deletes a throwaway
        entry. Used before a refresh token is spent, so that the new one can be kept.
        ``reason`` says why not, in a sentence."""
        resolved = resolve_backend()
        if resolved.backend is None:
            return KeychainStatus(resolved.name, False, resolved.why)
        value = f"probe-{secrets.token_hex(8)}"
        try:
            resolved.backend.set_password(self._service, _PROBE_ENTRY, value)
            read_back = resolved.backend.get_password(self._service, _PROBE_ENTRY)
            resolved.backend.delete_password(self._service, _PROBE_ENTRY)
        except Exception as exc:
            reason = self._record_failure(resolved, "write probe", exc)
            return KeychainStatus(resolved.name, False, reason)
        if read_back != value:
            log.warning("keychain write probe: backend=%s outcome=not-kept", resolved.name)
            return KeychainStatus(
                resolved.name, False, _("The keychain did not keep what was written.")
            )
        self._clear_failure()
        return KeychainStatus(resolved.name, True, None)

    def _sweep_chunks(
        self, resolved: Resolved, profile: str, first: int, slot: str | None = None
    ) -> None:
        """Delete chunk entries ``first``, ``first + 1``… (of *slot*) up to the first missing.

        The last one goes first, so a kill part-way leaves a run that starts at ``first``
        and the next sweep finds all of it. Best effort: leftovers are pieces of an older
        value, and the manifest's slot, count and digest keep them from being read back.
        """
        backend = resolved.backend
        if backend is None:
            return
        try:
            last = first - 1
            while backend.get_password(self._service, _chunk_entry(profile, last + 1, slot)):
                last += 1
            for number in range(last, first - 1, -1):
                backend.delete_password(self._service, _chunk_entry(profile, number, slot))
        except keyring.errors.PasswordDeleteError:
            pass
        except Exception as exc:
            log.warning(
                "keychain cleanup: backend=%s outcome=failed (%s)",
                resolved.name,
                type(exc).__name__,
            )

    # -- load ---------------------------------------------------------------------------

    def load(self, profile: str) -> LoadOutcome:
        """The secret for ``profile``: this session's copy if there is one, else the keychain's."""
        _check_profile(profile)
        with self._lock:
            kept = self._session.get(profile)
        if kept is not None:
            return LoadOutcome(
                kept,
                True,
                _("Using the credential entered in this session; it is not saved in the keychain."),
            )
        resolved = resolve_backend()
        if resolved.backend is None:
            log.info("keychain load: backend=%s outcome=unavailable", resolved.name)
            return LoadOutcome(
                None, False, _("No saved credential could be read: {why}").format(why=resolved.why)
            )
        try:
            secret, complete = self._read(resolved.backend, profile)
        except Exception as exc:
            reason = self._record_failure(resolved, "load", exc)
            return LoadOutcome(
                None,
                False,
                _("Could not read the saved credential from {store}: {why}").format(
                    store=resolved.name, why=reason
                ),
            )
        self._clear_failure()
        if not complete:
            log.warning("keychain load: backend=%s outcome=incomplete", resolved.name)
            return LoadOutcome(
                None,
                False,
                _("The credential saved in {store} is incomplete; please enter it again.").format(
                    store=resolved.name
                ),
            )
        log.info(
            "keychain load: backend=%s outcome=%s",
            resolved.name,
            "found" if secret is not None else "not-found",
        )
        return LoadOutcome(secret, False, None)

    def _read(self, backend: KeyringBackend, profile: str) -> tuple[str | None, bool]:
        """(secret or None, whether the stored value was complete)."""
        value = backend.get_password(self._service, profile)
        if value is None:
            return None, True
        manifest = _parse_manifest(value)
        if manifest is None:
            return value, True
        slot, count, digest = manifest
        parts: list[str] = []
        for number in range(1, count + 1):
            part = backend.get_password(self._service, _chunk_entry(profile, number, slot))
            if part is None:
                return None, False
            parts.append(part)
        secret = "".join(parts)
        if _digest(secret) != digest:
            return None, False
        return secret, True

    # -- forget -------------------------------------------------------------------------

    def forget(self, profile: str) -> str:
        """Remove ``profile``'s secret from the keychain and from this session."""
        _check_profile(profile)
        with self._lock:
            had_session_copy = self._session.pop(profile, None) is not None
        dropped = " " + _("The copy kept for this session was dropped.") if had_session_copy else ""
        resolved = resolve_backend()
        if resolved.backend is None:
            log.info("keychain forget: backend=%s outcome=session-only", resolved.name)
            return _("Forgotten for this session. The keychain was not changed: {why}").format(
                why=resolved.why
            )
        backend = resolved.backend
        try:
            manifest = _parse_manifest(backend.get_password(self._service, profile) or "")
            backend.delete_password(self._service, profile)
        except keyring.errors.PasswordDeleteError:
            self._clear_failure()
            self._sweep_all(resolved, profile)  # orphans of a torn save
            log.info("keychain forget: backend=%s outcome=already-gone", resolved.name)
            return (
                _("Nothing was saved in {store}; it is already gone.").format(store=resolved.name)
                + dropped
            )
        except Exception as exc:
            reason = self._record_failure(resolved, "forget", exc)
            return (
                _("Could not remove it from {store}: {why}").format(store=resolved.name, why=reason)
                + dropped
            )
        self._clear_failure()
        if manifest is not None:
            slot, count, _digest_unused = manifest
            for number in range(count, 0, -1):  # every listed chunk, even past a missing one
                self._delete_quietly(resolved, _chunk_entry(profile, number, slot))
        self._sweep_all(resolved, profile)
        log.info("keychain forget: backend=%s outcome=removed", resolved.name)
        return _("Removed from {store}.").format(store=resolved.name) + dropped

    def _sweep_all(self, resolved: Resolved, profile: str) -> None:
        """Delete every chunk of *profile*: the v1 layout's and both slots'."""
        for slot in (None, *_SLOTS):
            self._sweep_chunks(resolved, profile, first=1, slot=slot)

    def _delete_quietly(self, resolved: Resolved, entry: str) -> None:
        if resolved.backend is None:
            return
        try:
            resolved.backend.delete_password(self._service, entry)
        except keyring.errors.PasswordDeleteError:
            pass
        except Exception as exc:
            log.warning(
                "keychain cleanup: backend=%s outcome=failed (%s)",
                resolved.name,
                type(exc).__name__,
            )

    # -- helpers ------------------------------------------------------------------------

    def _keep_in_session(self, profile: str, secret: str) -> None:
        with self._lock:
            self._session[profile] = secret

    def _record_failure(self, resolved: Resolved, operation: str, exc: BaseException) -> str:
        reason = _explain(exc)
        with self._lock:
            self._failed_backend = resolved.backend
            self._failure_reason = reason
        # The class name only: a broken backend's exception text could echo what it was given.
        log.warning(
            "keychain %s: backend=%s outcome=failed (%s)",
            operation,
            resolved.name,
            type(exc).__name__,
        )
        return reason

    def _clear_failure(self) -> None:
        with self._lock:
            self._failed_backend = None
            self._failure_reason = None
