"""``b24-inspector --self-check``: prove at run time that this installation works.

What a frozen build carries (Qt plugins, resource files, keyring backends, the CA bundle)
cannot be assumed from the build log, so the executable checks itself and prints one line
per fact:

- the application version and how it is installed (source, package, one-file, one-dir);
- the Python, Qt and PySide6 versions;
- the Qt platform plugin in use (offscreen when there is no display, so this runs headless);
- the keychain backend and whether a throwaway item can be written, read back and deleted;
- that every resource file is there and loads;
- where TLS trust comes from (the OS store via truststore, or certifi's bundle), and
  that certifi's fallback bundle loads (and, frozen, is inside the bundle).

The exit status is 0 only if every check passed. No secret is ever printed: the keychain
test item is random and is neither shown nor kept.

This module imports no Qt: what Qt reports comes from ``inspector.ui.selfcheck_qt``,
imported by the Qt check itself, so that a Qt that cannot be loaded is a failed line of
the report rather than a traceback.
"""

from __future__ import annotations

import configparser
import os
import platform
import secrets
import ssl
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from . import APP_NAME, __version__
from . import resources as res
from .core.network import build_ssl_context, describe_trust

if TYPE_CHECKING:
    from .core.keychain import CredentialStore

# Where the keychain round trip writes: its own service name, so a failed clean-up can never
# be mistaken for (or overwrite) a real saved credential.
SELF_CHECK_SERVICE = f"{APP_NAME}-self-check"


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    name: str
    ok: bool
    detail: str


class QtFacts(Protocol):
    """What the checks ask Qt (``inspector.ui.selfcheck_qt`` answers)."""

    def versions(self) -> str: ...
    def application_running(self) -> bool: ...
    def start_application(self, argv: list[str]) -> None: ...
    def platform_name(self) -> str: ...
    def plugins_dir(self) -> str: ...
    def image_size(self, path: Path) -> tuple[int, int] | None: ...
    def app_icon_sizes(self) -> set[int]: ...


def run_self_check(out: TextIO) -> int:
    """Run every check, print the report to ``out``, and return the exit status."""
    print(f"{APP_NAME} self-check", file=out, flush=True)
    qt: list[QtFacts] = []  # filled by the Qt check once Qt has loaded
    sections: list[tuple[str, Callable[[], Iterator[Check]]]] = [
        ("version", _check_version),
        ("python", _check_python),
        ("qt", lambda: _check_qt(qt)),
        ("resources", lambda: _check_resources(_running(qt))),
        ("keychain", _check_keychain),
        ("tls", _check_tls),
    ]
    results: list[Check] = []
    for section, run in sections:
        try:
            for check in run():
                _print(out, check)
                results.append(check)
        except Exception as exc:  # a check that crashes is a failed check, not a traceback
            check = Check(section, False, f"the check itself failed: {_describe(exc)}")
            _print(out, check)
            results.append(check)
    failed = [check.name for check in results if not check.ok]
    if failed:
        print(f"self-check FAILED: {len(failed)} of {len(results)} checks", file=out)
        print(f"  failed: {', '.join(failed)}", file=out)
        return 1
    print(f"self-check passed: {len(results)} checks", file=out)
    return 0


def _print(out: TextIO, check: Check) -> None:
    mark = " ok " if check.ok else "FAIL"
    print(f"[{mark}] {check.name}: {check.detail}", file=out, flush=True)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- version and Python --------------------------------------------------------------------


def installation_kind() -> str:
    """How this copy runs: from a source checkout, an installed package, or a frozen build."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        # A one-dir build unpacks nothing: its bundle sits next to the executable.
        onedir = Path(bundle).resolve().parent == Path(sys.executable).resolve().parent
        return "frozen one-dir build" if onedir else "frozen one-file build"
    return res.resources_layout()


def _check_version() -> Iterator[Check]:
    yield Check("version", True, f"{APP_NAME} {__version__} ({installation_kind()})")


def _check_python() -> Iterator[Check]:
    yield Check(
        "python",
        True,
        f"{platform.python_implementation()} {platform.python_version()} "
        f"on {platform.system()} {platform.machine()}",
    )


# -- Qt ------------------------------------------------------------------------------------


def _headless_reason() -> str | None:
    """Why Qt must use the offscreen platform, or None if it may pick its own."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None  # the user (or CI) chose
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "no display found"
    return None


def _check_qt(loaded: list[QtFacts]) -> Iterator[Check]:
    """Load Qt (into *loaded*), report its versions, and start an application if none runs."""
    try:
        # Imported here, not at the top: a Qt that cannot be loaded is a failed check.
        from .ui import selfcheck_qt as qt
    except ImportError as exc:
        # The usual cause on Linux is a missing system library (libGL, libEGL, fontconfig).
        yield Check("qt", False, f"Qt could not be loaded: {_describe(exc)}")
        return
    loaded.append(qt)
    yield Check("qt", True, qt.versions())

    how = "the running application's"
    if not qt.application_running():
        argv = [sys.argv[0] if sys.argv else APP_NAME]
        why = _headless_reason()
        if why is not None:
            argv += ["-platform", "offscreen"]
            how = f"chosen here: {why}"
        elif os.environ.get("QT_QPA_PLATFORM"):
            how = "from QT_QPA_PLATFORM"
        else:
            how = "Qt's default"
        qt.start_application(argv)
    name = qt.platform_name()
    yield Check(
        "qt platform", bool(name), f"{name or 'none'} ({how}); plugins in {qt.plugins_dir()}"
    )


def _running(loaded: list[QtFacts]) -> QtFacts | None:
    """Qt, if it loaded and an application runs (needed to decode images)."""
    if loaded and loaded[0].application_running():
        return loaded[0]
    return None


# -- resources -----------------------------------------------------------------------------


def _check_resources(qt: QtFacts | None) -> Iterator[Check]:
    try:
        where = res.resources_dir()
    except res.ResourceNotFoundError as exc:
        yield Check("resources", False, str(exc))
        return
    yield Check("resources", True, f"{res.resources_layout()}: {where}")
    for name in res.REQUIRED_RESOURCES:
        try:
            path = res.resource_path(name)
            detail = _load_resource(name, path, qt)
        except Exception as exc:
            yield Check(f"resource {name}", False, _describe(exc))
        else:
            yield Check(f"resource {name}", True, detail)
    if qt is not None:
        try:
            sizes = qt.app_icon_sizes()
        except Exception as exc:
            yield Check("app icon", False, _describe(exc))
            return
        missing = sorted(set(res.APP_ICON_SIZES) - sizes)
        yield Check(
            "app icon",
            not missing,
            f"{len(sizes)} sizes" + (f", missing {missing}" if missing else ""),
        )


def _load_resource(name: str, path: Path, qt: QtFacts | None) -> str:
    """Load one resource the way its consumer would; return what was found or raise."""
    data = path.read_bytes()
    if not data:
        raise ValueError("the file is empty")
    if name.endswith(".png"):
        if qt is None:
            raise RuntimeError("Qt is not available to load it")
        size = qt.image_size(path)
        if size is None:
            raise ValueError("Qt cannot decode it")
        width, height = size
        expected = int(Path(name).stem.rsplit("-", 1)[1])
        if (width, height) != (expected, expected):
            raise ValueError(f"{width}x{height}, expected {expected}x{expected}")
        return f"{width}x{height} PNG"
    if name.endswith((".svg", ".xml")):
        # Our own bundled file, not untrusted input.
        root = ET.fromstring(data)  # noqa: S314
        return f"XML <{root.tag.rsplit('}', 1)[-1]}>"
    if name.endswith(".ico"):
        if data[:4] != b"\0\0\1\0":
            raise ValueError("not an ICO file")
        return f"ICO, {int.from_bytes(data[4:6], 'little')} images"
    if name.endswith(".icns"):
        if data[:4] != b"icns" or int.from_bytes(data[4:8], "big") != len(data):
            raise ValueError("not an ICNS file")
        return f"ICNS, {len(data)} bytes"
    if name.endswith(".desktop"):
        entry = configparser.ConfigParser(interpolation=None)
        entry.read_string(data.decode("utf-8"))
        section = entry["Desktop Entry"]
        return f"desktop entry Exec={section['Exec']} Icon={section['Icon']}"
    return f"{len(data)} bytes"


# -- keychain ------------------------------------------------------------------------------


def _check_keychain() -> Iterator[Check]:
    from .core.keychain import CredentialStore

    store = CredentialStore(SELF_CHECK_SERVICE)
    status = store.status(probe=True)
    if not status.usable:
        yield Check(
            "keychain",
            False,
            f"{status.backend_name} is not usable: {status.reason or 'no reason given'}",
        )
        return
    yield Check("keychain", True, f"{status.backend_name}: available")
    yield _keychain_round_trip(store, status.backend_name)


def _keychain_round_trip(store: CredentialStore, backend: str) -> Check:
    """Write, read back and delete a random throwaway item (nothing of it is printed)."""
    profile = f"probe-{secrets.token_hex(4)}"
    value = secrets.token_urlsafe(24)
    name = "keychain round trip"
    saved = store.save(profile, value)
    try:
        if not saved.persisted:
            return Check(name, False, saved.message)
        loaded = store.load(profile)
        if loaded.from_session_only or loaded.secret != value:
            return Check(name, False, loaded.message or f"{backend} returned a different value")
    finally:
        forgot = store.forget(profile)
    after = store.load(profile)
    if after.secret is not None or after.message is not None:
        return Check(name, False, f"the test item could not be deleted: {forgot}")
    return Check(name, True, f"a test item was written to {backend}, read back and deleted")


# -- TLS -----------------------------------------------------------------------------------


def _check_tls() -> Iterator[Check]:
    # What every request uses (the client package builds its context the same way).
    context = build_ssl_context()
    verifying = context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    yield Check(
        "tls trust",
        verifying,
        describe_trust() + ("" if verifying else " BUT the context does not verify"),
    )

    paths = ssl.get_default_verify_paths()
    overrides = [name for name in ("SSL_CERT_FILE", "SSL_CERT_DIR") if os.environ.get(name)]
    yield Check(
        "tls openssl",
        True,
        f"{ssl.OPENSSL_VERSION}; default CA file {_exists(paths.cafile)}, "
        f"CA directory {_exists(paths.capath)}"
        + (f" (set by {' and '.join(overrides)})" if overrides else ""),
    )

    # certifi's bundle: the fallback when no system bundle is found, so a frozen build
    # must carry it inside itself.
    try:
        import certifi
    except ImportError as exc:
        yield Check("tls fallback", False, f"certifi, the fallback CA bundle, is missing: {exc}")
        return
    cafile = certifi.where()
    problems = []
    count = 0
    if not Path(cafile).is_file():
        problems.append("the file is missing")
    else:
        count = ssl.create_default_context(cafile=cafile).cert_store_stats()["x509_ca"]
        if count == 0:
            problems.append("it holds no CA certificate")
    bundle = getattr(sys, "_MEIPASS", None)
    frozen = bool(getattr(sys, "frozen", False) and bundle)
    if frozen and not Path(cafile).resolve().is_relative_to(Path(str(bundle)).resolve()):
        problems.append("it is not inside the frozen bundle")
    detail = f"certifi {certifi.__version__} CA bundle {cafile} ({count} CA certificates)"
    yield Check("tls fallback", not problems, detail + "".join(f"; {p}" for p in problems))


def _exists(path: str | None) -> str:
    if not path:
        return "none"
    return f"{path} ({'exists' if Path(path).exists() else 'missing'})"
