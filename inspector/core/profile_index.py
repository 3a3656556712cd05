"""The profiles the command line knows: a small JSON file beside the window's settings.

The window lists its profiles in ``QSettings`` (``ui.profiles``), which the Qt-free CLI
cannot read. ``login`` records here each profile it saves (its kind, portal host and, when
not the default, the sign-in handler's port), so that the next ``login`` reuses the port
and the window lists the profile too; the window records the ports it saves, renames and
deletions, so both sides agree. Nothing secret is written: the tokens stay in the keychain.

The file is a hint, never the only copy of anything: a damaged or unwritable file is read
as empty and a failed write is reported, not raised. Writes are atomic and private
(``files.write_private_text``).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import NamedTuple

from ..i18n import _
from .files import make_private_folder, write_private_text
from .profiles import check_profile_name

FOLDER_NAME = "b24-inspector"
INDEX_NAME = "cli-profiles.json"
_MAX_FILE_BYTES = 1_000_000  # far beyond any real list; a bigger file is not ours


def program_folder() -> Path:
    """The program's private folder, where the window keeps its settings file on Linux."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return Path(base) / FOLDER_NAME


def index_path() -> Path:
    return program_folder() / INDEX_NAME


class IndexedProfile(NamedTuple):
    """One profile as the command line recorded it (never a secret)."""

    name: str
    kind: str = ""
    host: str = ""
    signin_port: int = 0  # 0: the default port


def _port(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1024 <= value <= 65535:
        return value
    return 0


def read_index(path: Path | None = None) -> list[IndexedProfile]:
    """The recorded profiles, in the order recorded; [] for a missing or damaged file."""
    path = path or index_path()
    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            return []
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    entries = data.get("profiles") if isinstance(data, dict) else None
    found: list[IndexedProfile] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        try:
            name = check_profile_name(str(entry.get("name", "")), [p.name for p in found])
        except ValueError:
            continue  # an edited file: skip the entry, never crash
        kind, host = entry.get("kind"), entry.get("host")
        found.append(
            IndexedProfile(
                name=name,
                kind=kind if kind in ("oauth", "webhook") else "",
                host=host if isinstance(host, str) and len(host) <= 253 else "",
                signin_port=_port(entry.get("signin_port")),
            )
        )
    return found


def find(name: str, path: Path | None = None) -> IndexedProfile | None:
    for profile in read_index(path):
        if profile.name == name:
            return profile
    return None


def _write(profiles: list[IndexedProfile], path: Path) -> str | None:
    data = {
        "profiles": [
            {"name": p.name, "kind": p.kind, "host": p.host, "signin_port": p.signin_port}
            for p in profiles
        ]
    }
    try:
        make_private_folder(path.parent)
        write_private_text(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    except OSError as exc:
        return _("The profile list {path} could not be written ({reason}).").format(
            path=path, reason=exc.strerror or type(exc).__name__
        )
    return None


def record(
    name: str,
    *,
    kind: str | None = None,
    host: str | None = None,
    signin_port: int | None = None,
    path: Path | None = None,
) -> str | None:
    """Add or update *name* (only the facts given); a sentence when writing failed."""
    path = path or index_path()
    profiles = read_index(path)
    for i, old in enumerate(profiles):
        if old.name == name:
            profiles[i] = IndexedProfile(
                name,
                old.kind if kind is None else kind,
                old.host if host is None else host,
                old.signin_port if signin_port is None else _port(signin_port),
            )
            break
    else:
        profiles.append(IndexedProfile(name, kind or "", host or "", _port(signin_port)))
    return _write(profiles, path)


def rename(old: str, new: str, path: Path | None = None) -> str | None:
    """Follow a rename made in the window; nothing to do when *old* is not recorded."""
    path = path or index_path()
    profiles = read_index(path)
    if not any(p.name == old for p in profiles):
        return None
    kept = [p for p in profiles if p.name != new]
    return _write(
        [IndexedProfile(new, p.kind, p.host, p.signin_port) if p.name == old else p for p in kept],
        path,
    )


def forget(name: str, path: Path | None = None) -> str | None:
    """Drop *name* (deleted in the window), so it is not listed again."""
    path = path or index_path()
    profiles = read_index(path)
    if not any(p.name == name for p in profiles):
        return None
    return _write([p for p in profiles if p.name != name], path)
