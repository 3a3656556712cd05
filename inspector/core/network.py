"""TLS trust: which certificate authorities every request trusts.

Every request the program makes (portal calls and the OAuth token refresh alike) goes
through one ``httpx.Client`` built by the client package from these settings:

* **TLS** is always verified. The trust comes from the operating system's store through
  ``truststore`` (Windows and macOS ask the OS to verify; on Linux and the BSDs OpenSSL
  reads the system CA bundle). If no system bundle can be found (a minimal container),
  certifi's bundle is used instead. An **extra CA file** (PEM) can be added for an
  on-premise portal whose certificate comes from a private CA; it adds to the trust, it
  never replaces it. There is deliberately no way to turn verification off.
* **Proxies** are checked and shown by ``proxies``.

No Qt and no httpx here: plain ``ssl`` and ``truststore``.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import ssl
from functools import lru_cache

from .. import i18n
from ..i18n import N_, _
from .errors import BadCAFile

# Where truststore looks on Linux when OpenSSL's compiled-in default is missing
# (mirrors truststore/_openssl.py, which takes them from certifi-system-store).
_CA_FILE_CANDIDATES = (
    "/etc/ssl/cert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/pki/tls/cert.pem",
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/ssl/ca-bundle.pem",
)


# Names of the OS trust stores (cached below, so marked and translated where shown).
_WINDOWS_STORE = N_("the Windows certificate store")
_MACOS_STORE = N_("the macOS keychain trust settings")


@lru_cache(maxsize=1)
def _os_bundle() -> str | None:
    """What the OS trust store means on this machine, or None if truststore finds nothing."""
    system = platform.system()
    if system == "Windows":
        return _WINDOWS_STORE
    if system == "Darwin":
        return _MACOS_STORE
    paths = ssl.get_default_verify_paths()
    if paths.cafile:
        return paths.cafile
    if paths.capath and os.path.isdir(paths.capath):
        names = os.listdir(paths.capath)
        if any(len(n) == 10 and n[8] == "." and n[9].isdigit() for n in names):
            return paths.capath
    return next((path for path in _CA_FILE_CANDIDATES if os.path.isfile(path)), None)


def _truststore_available() -> bool:
    return importlib.util.find_spec("truststore") is not None


def build_ssl_context(extra_ca_file: str | None = None) -> ssl.SSLContext:
    """A verifying client context: the OS trust store (or certifi), plus *extra_ca_file*.

    Raises ``BadCAFile`` (an ``InputError``) when the extra file is missing, unreadable or
    holds no PEM certificate.
    """
    ctx: ssl.SSLContext
    if _truststore_available() and _os_bundle() is not None:
        import truststore

        ctx = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    else:
        import certifi

        ctx = ssl.create_default_context(cafile=certifi.where())
    if extra_ca_file:
        _load_extra_ca(ctx, extra_ca_file)
    return ctx


def _load_extra_ca(ctx: ssl.SSLContext, path: str) -> None:
    name = os.path.basename(path) or path
    if not os.path.isfile(path):
        raise BadCAFile(
            _("The extra CA file “{name}” does not exist or is not a file.").format(name=name),
            _("Choose the PEM file of the CA that signed the portal's certificate."),
        )
    try:
        with open(path, "rb") as handle:
            data = handle.read(8 * 1024 * 1024)
    except OSError as exc:
        raise BadCAFile(
            _("The extra CA file “{name}” cannot be read ({reason}).").format(
                name=name, reason=exc.strerror or type(exc).__name__
            ),
            _("Check the file's permissions."),
        ) from exc
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise BadCAFile(
            _("The extra CA file “{name}” holds no PEM certificate.").format(name=name),
            _(
                "Export the CA certificate in PEM format (text starting with "
                "-----BEGIN CERTIFICATE-----)."
            ),
        )
    try:
        ctx.load_verify_locations(cadata=data.decode("ascii", "replace"))
    except (ssl.SSLError, ValueError) as exc:
        raise BadCAFile(
            _(
                "The extra CA file “{name}” could not be loaded: it is not a valid PEM certificate."
            ).format(name=name),
            _("Export the CA certificate in PEM format and choose it again."),
        ) from exc


def describe_trust(extra_ca_file: str | None = None) -> str:
    """One sentence saying where TLS trust comes from, for the self-check and the bundle."""
    bundle = _os_bundle()
    if _truststore_available() and bundle is not None:
        import truststore

        if bundle in (_WINDOWS_STORE, _MACOS_STORE):
            bundle = i18n._(bundle)
        sentence = (
            _(
                "TLS certificates are verified against the operating system's trust store "
                "({bundle}) via truststore {version}, plus the extra CA file {extra}; "
                "verification is always on."
            )
            if extra_ca_file
            else _(
                "TLS certificates are verified against the operating system's trust store "
                "({bundle}) via truststore {version}; verification is always on."
            )
        )
        return sentence.format(bundle=bundle, version=truststore.__version__, extra=extra_ca_file)
    import certifi

    why = _("truststore is missing") if not _truststore_available() else _("no system CA bundle")
    sentence = (
        _(
            "TLS certificates are verified against certifi's CA bundle {bundle} ({why}), plus "
            "the extra CA file {extra}; verification is always on."
        )
        if extra_ca_file
        else _(
            "TLS certificates are verified against certifi's CA bundle {bundle} ({why}); "
            "verification is always on."
        )
    )
    return sentence.format(bundle=certifi.where(), why=why, extra=extra_ca_file)
