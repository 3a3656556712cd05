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

from . import APP_NAME, __version__, i18n
from . import resources as res
from .core.network import build_ssl_context, describe_trust
from .i18n import _, ngettext

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
    def qt_translation_found(self, language: str) -> bool: ...
    def image_size(self, path: Path) -> tuple[int, int] | None: ...
    def app_icon_sizes(self) -> set[int]: ...


def run_self_check(out: TextIO) -> int:
    """Run every check, print the report to ``out``, and return the exit status."""
    print(_("{app} self-check").format(app=APP_NAME), file=out, flush=True)
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
            check = Check(
                section, False, _("the check itself failed: {error}").format(error=_describe(exc))
            )
            _print(out, check)
            results.append(check)
    failed = [check.name for check in results if not check.ok]
    if failed:
        summary = ngettext(
            "self-check FAILED: {failed} of {total} check",
            "self-check FAILED: {failed} of {total} checks",
            len(results),
        )
        print(summary.format(failed=len(failed), total=len(results)), file=out)
        print("  " + _("failed: {names}").format(names=", ".join(failed)), file=out)
        return 1
    passed = ngettext("self-check passed: {n} check", "self-check passed: {n} checks", len(results))
    print(passed.format(n=len(results)), file=out)
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
        return _("frozen one-dir build") if onedir else _("frozen one-file build")
    return i18n._(res.resources_layout())  # marked in resources


def _check_version() -> Iterator[Check]:
    yield Check("version", True, f"{APP_NAME} {__version__} ({installation_kind()})")


def _check_python() -> Iterator[Check]:
    yield Check(
        "python",
        True,
        _("{python} {version} on {system} {machine}").format(
            python=platform.python_implementation(),
            version=platform.python_version(),
            system=platform.system(),
            machine=platform.machine(),
        ),
    )


# -- Qt ------------------------------------------------------------------------------------


def _headless_reason() -> str | None:
    """Why Qt must use the offscreen platform, or None if it may pick its own."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None  # the user (or CI) chose
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return _("no display found")
    return None


def _check_qt(loaded: list[QtFacts]) -> Iterator[Check]:
    """Load Qt (into *loaded*), report its versions, and start an application if none runs."""
    try:
        # Imported here, not at the top: a Qt that cannot be loaded is a failed check.
        from .ui import selfcheck_qt as qt
    except ImportError as exc:
        # The usual cause on Linux is a missing system library (libGL, libEGL, fontconfig).
        yield Check("qt", False, _("Qt could not be loaded: {error}").format(error=_describe(exc)))
        return
    loaded.append(qt)
    yield Check("qt", True, qt.versions())

    how = _("the running application's")
    if not qt.application_running():
        argv = [sys.argv[0] if sys.argv else APP_NAME]
        why = _headless_reason()
        if why is not None:
            argv += ["-platform", "offscreen"]
            how = _("chosen here: {reason}").format(reason=why)
        elif os.environ.get("QT_QPA_PLATFORM"):
            how = _("from QT_QPA_PLATFORM")
        else:
            how = _("Qt's default")
        qt.start_application(argv)
    name = qt.platform_name()
    yield Check(
        "qt platform",
        bool(name),
        _("{platform} ({how}); plugins in {folder}").format(
            platform=name or _("none"), how=how, folder=qt.plugins_dir()
        ),
    )
    # Qt's own buttons and menus in every language the program speaks (English needs none).
    for language in i18n.LANGUAGES:
        if language != i18n.SOURCE_LANGUAGE:
            found = qt.qt_translation_found(language)
            detail = _("found") if found else _("missing: Qt's buttons and menus stay English")
            yield Check(f"qt texts {language}", found, detail)


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
    yield Check("resources", True, f"{i18n._(res.resources_layout())}: {where}")
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
        if missing:
            detail = ngettext(
                "{n} size, missing {missing}", "{n} sizes, missing {missing}", len(sizes)
            ).format(n=len(sizes), missing=missing)
        else:
            detail = ngettext("{n} size", "{n} sizes", len(sizes)).format(n=len(sizes))
        yield Check("app icon", not missing, detail)


def _load_resource(name: str, path: Path, qt: QtFacts | None) -> str:
    """Load one resource the way its consumer would; return what was found or raise."""
    data = path.read_bytes()
    if not data:
        raise ValueError(_("the file is empty"))
    if name.endswith(".png"):
        if qt is None:
            raise RuntimeError(_("Qt is not available to load it"))
        size = qt.image_size(path)
        if size is None:
            raise ValueError(_("Qt cannot decode it"))
        width, height = size
        expected = int(Path(name).stem.rsplit("-", 1)[1])
        if (width, height) != (expected, expected):
            raise ValueError(
                _("{width}x{height}, expected {expected}x{expected}").format(
                    width=width, height=height, expected=expected
                )
            )
        return f"{width}x{height} PNG"
    if name.endswith((".svg", ".xml")):
        # Our own bundled file, not untrusted input.
        root = ET.fromstring(data)  # noqa: S314
        return f"XML <{root.tag.rsplit('}', 1)[-1]}>"
    if name.endswith(".ico"):
        if data[:4] != b"\0\0\1\0":
            raise ValueError(_("not an ICO file"))
        images = int.from_bytes(data[4:6], "little")
        return ngettext("ICO, {n} image", "ICO, {n} images", images).format(n=images)
    if name.endswith(".icns"):
        if data[:4] != b"icns" or int.from_bytes(data[4:8], "big") != len(data):
            raise ValueError(_("not an ICNS file"))
        return ngettext("ICNS, {n} byte", "ICNS, {n} bytes", len(data)).format(n=len(data))
    if name.endswith(".desktop"):
        entry = configparser.ConfigParser(interpolation=None)
        entry.read_string(data.decode("utf-8"))
        section = entry["Desktop Entry"]
        return _("desktop entry Exec={command} Icon={icon}").format(
            command=section["Exec"], icon=section["Icon"]
        )
    return ngettext("{n} byte", "{n} bytes", len(data)).format(n=len(data))


# -- keychain ------------------------------------------------------------------------------


def _check_keychain() -> Iterator[Check]:
    from .core.keychain import CredentialStore

    store = CredentialStore(SELF_CHECK_SERVICE)
    status = store.status(probe=True)
    if not status.usable:
        yield Check(
            "keychain",
            False,
            _("{backend} is not usable: {reason}").format(
                backend=status.backend_name, reason=status.reason or _("no reason given")
            ),
        )
        return
    yield Check("keychain", True, _("{backend}: available").format(backend=status.backend_name))
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
            return Check(
                name,
                False,
                loaded.message or _("{backend} returned a different value").format(backend=backend),
            )
    finally:
        forgot = store.forget(profile)
    after = store.load(profile)
    if after.secret is not None or after.message is not None:
        return Check(
            name, False, _("the test item could not be deleted: {outcome}").format(outcome=forgot)
        )
    return Check(
        name,
        True,
        _("a test item was written to {backend}, read back and deleted").format(backend=backend),
    )


# -- TLS -----------------------------------------------------------------------------------


def _check_tls() -> Iterator[Check]:
    # What every request uses (the client package builds its context the same way).
    context = build_ssl_context()
    verifying = context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    yield Check(
        "tls trust",
        verifying,
        describe_trust()
        if verifying
        else _("{trust} BUT the context does not verify").format(trust=describe_trust()),
    )

    paths = ssl.get_default_verify_paths()
    overrides = [name for name in ("SSL_CERT_FILE", "SSL_CERT_DIR") if os.environ.get(name)]
    openssl = (
        _("{openssl}; default CA file {file}, CA directory {folder} (set by {variables})")
        if overrides
        else _("{openssl}; default CA file {file}, CA directory {folder}")
    )
    yield Check(
        "tls openssl",
        True,
        openssl.format(
            openssl=ssl.OPENSSL_VERSION,
            file=_exists(paths.cafile),
            folder=_exists(paths.capath),
            variables=", ".join(overrides),
        ),
    )

    # certifi's bundle: the fallback when no system bundle is found, so a frozen build
    # must carry it inside itself.
    try:
        import certifi
    except ImportError as exc:
        yield Check(
            "tls fallback",
            False,
            _("certifi, the fallback CA bundle, is missing: {error}").format(error=exc),
        )
        return
    cafile = certifi.where()
    problems = []
    count = 0
    if not Path(cafile).is_file():
        problems.append(_("the file is missing"))
    else:
        count = ssl.create_default_context(cafile=cafile).cert_store_stats()["x509_ca"]
        if count == 0:
            problems.append(_("it holds no CA certificate"))
    bundle = getattr(sys, "_MEIPASS", None)
    frozen = bool(getattr(sys, "frozen", False) and bundle)
    if frozen and not Path(cafile).resolve().is_relative_to(Path(str(bundle)).resolve()):
        problems.append(_("it is not inside the frozen bundle"))
    detail = ngettext(
        "certifi {version} CA bundle {file} ({n} CA certificate)",
        "certifi {version} CA bundle {file} ({n} CA certificates)",
        count,
    ).format(version=certifi.__version__, file=cafile, n=count)
    yield Check("tls fallback", not problems, detail + "".join(f"; {p}" for p in problems))


def _exists(path: str | None) -> str:
    if not path:
        return _("none")
    if Path(path).exists():
        return _("{path} (exists)").format(path=path)
    return _("{path} (missing)").format(path=path)
