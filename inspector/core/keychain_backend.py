"""Which keyring backend the keychain store uses, and its name for people.

Kept apart from the store (``keychain``) because choosing is a concern of its own: the
platform's keychain is opened directly when nothing else chose one (keyring's discovery
loads every backend's entry point, about 50 ms with the GIL held at start-up); keyring
decides whenever the user configured it; file-based and "fail" backends are never used.
The second module allowed to import ``keyring``.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.core
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from ..i18n import _
from .keychain_status import NO_KEYCHAIN

log = logging.getLogger("inspector.core.keychain")

# Display names for the keyring backends people actually meet; anything else falls back to
# the backend class's own ``name``.
_FRIENDLY_NAMES: dict[str, str] = {
    "keyring.backends.SecretService.Keyring": "Secret Service",
    "keyring.backends.libsecret.Keyring": "Secret Service (libsecret)",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KWallet 4",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
    "keyring.backends.fail.Keyring": NO_KEYCHAIN,
    "keyring.backends.null.Keyring": NO_KEYCHAIN,
}

# Backends that keep secrets in a file of their own rather than in a system keychain.
# keyrings.alt's are plaintext or weakly protected; keyrings.cryptfile asks for its password
# on the terminal, which a desktop app does not have. None of them is used.
_FILE_BACKEND_MODULES = ("keyrings.alt", "keyrings.cryptfile")


@dataclass(frozen=True)
class Resolved:
    """The backend keyring would use now, or why there is none we can use."""

    backend: KeyringBackend | None
    name: str
    why: str | None  # set exactly when backend is None


def backend_display_name(backend: KeyringBackend) -> str:
    """A human name for a keyring backend, e.g. "Secret Service"."""
    cls = type(backend)
    qualified = f"{cls.__module__}.{cls.__qualname__}"
    if qualified in _FRIENDLY_NAMES:
        return _(_FRIENDLY_NAMES[qualified])
    try:
        name = getattr(cls, "name", None)
    except Exception:  # a broken third-party classproperty
        name = None
    return name if isinstance(name, str) and name else cls.__name__


def _is_file_backend(backend: KeyringBackend) -> bool:
    cls = type(backend)
    return cls.__module__.startswith(_FILE_BACKEND_MODULES) or "plaintext" in cls.__name__.lower()


# The keychain of each platform, by the module and class keyring gives it.
_PLATFORM_BACKENDS: dict[str, tuple[str, str]] = {
    "linux": ("keyring.backends.SecretService", "Keyring"),
    "win32": ("keyring.backends.Windows", "WinVaultKeyring"),
    "darwin": ("keyring.backends.macOS", "Keyring"),
}


def _keyring_left_to_choose() -> bool:
    """True when nothing chose a backend for keyring: no ``PYTHON_KEYRING_BACKEND``, no
    ``keyringrc.cfg``, no ``keyring.set_keyring`` yet, and (Linux) not a KDE session,
    where keyring prefers KWallet."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return False
    if getattr(keyring.core, "_keyring_backend", True) is not None:
        return False  # already set (or a keyring whose internals we do not know)
    if "KDE" in os.environ.get("XDG_CURRENT_DESKTOP", "").upper().split(":"):
        return False
    try:
        from keyring.util import platform_

        return not (Path(platform_.config_root()) / "keyringrc.cfg").exists()
    except Exception:
        return False


def _platform_backend() -> KeyringBackend | None:
    """This platform's keychain, set as keyring's backend without keyring's discovery.

    Discovery loads every backend's entry point and asks each whether it is usable (the
    macOS and Windows ones too, on Linux): about 50 ms of the keychain read at start-up,
    with the GIL held. It still decides whenever the user configured keyring, when the
    platform's keychain is not usable, and on other platforms.
    """
    if not _keyring_left_to_choose():
        return None
    where = _PLATFORM_BACKENDS.get("linux" if sys.platform.startswith("linux") else sys.platform)
    if where is None:
        return None
    try:
        backend_class = getattr(importlib.import_module(where[0]), where[1])
        backend_class.priority  # noqa: B018  # raises when the keychain is not reachable
        chosen: KeyringBackend = backend_class()
    except Exception as exc:
        log.info("keychain: %s not usable directly (%s)", where[0], type(exc).__name__)
        return None
    keyring.set_keyring(chosen)
    return chosen


def resolve_backend() -> Resolved:
    """Ask keyring for its backend now (never cached: the user may unlock or install one)."""
    try:
        chosen = _platform_backend() or keyring.get_keyring()
    except Exception as exc:  # e.g. a keyringrc.cfg naming a backend that cannot be imported
        log.warning("keychain: keyring could not choose a backend (%s)", type(exc).__name__)
        return Resolved(None, _(NO_KEYCHAIN), _("The keychain could not be opened."))
    if isinstance(chosen, chainer.ChainerBackend):
        # The chainer writes to its first backend and reads from all of them, plaintext
        # files included. Use the one it would write to directly, so what we check is
        # what we use.
        try:
            chained: list[KeyringBackend] = list(getattr(chosen, "backends", []))
        except Exception as exc:
            log.warning("keychain: chained backends unavailable (%s)", type(exc).__name__)
            chained = []
        if not chained:
            return Resolved(None, _(NO_KEYCHAIN), _("No system keychain is available."))
        chosen = chained[0]
    name = backend_display_name(chosen)
    if isinstance(chosen, fail.Keyring):
        return Resolved(
            None,
            _(NO_KEYCHAIN),
            _(
                "No system keychain is available (on Linux, a Secret Service such as "
                "GNOME Keyring or KWallet must be running)."
            ),
        )
    if isinstance(chosen, null.Keyring):
        return Resolved(
            None, _(NO_KEYCHAIN), _("Saving to the keychain is turned off in the keyring settings.")
        )
    if _is_file_backend(chosen):
        return Resolved(
            None,
            name,
            _(
                "The configured keyring backend ({name}) would keep the credential in a file "
                "on disk rather than in a system keychain, so it is not used."
            ).format(name=name),
        )
    return Resolved(chosen, name, None)
