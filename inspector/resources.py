"""The one place that finds the application's resource files (icons, desktop entry, metainfo).

The files live in the repository's top-level ``resources/`` and reach the user in three
layouts, which this module tells apart so no other module has to:

- **frozen** (PyInstaller): the spec bundles ``resources/`` as ``inspector/resources/``
  under ``sys._MEIPASS``;
- **installed wheel**: hatchling force-includes ``resources/`` as the package directory
  ``inspector/resources/``, next to this module;
- **source checkout**: the ``resources/`` directory next to the ``inspector`` package.

It imports no Qt: the CLI, the self-check and the packaging use it too. The icon built
from these files is ``inspector.ui.icons.app_icon()``.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path, PurePosixPath

from .i18n import N_, _

ICON_STEM = "b24-inspector"
APP_ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
APP_ICON_FILES = tuple(f"icons/{ICON_STEM}-{size}.png" for size in APP_ICON_SIZES)
APP_ICON_SVG = f"icons/{ICON_STEM}.svg"
WINDOWS_ICON = f"icons/{ICON_STEM}.ico"
MACOS_ICON = f"icons/{ICON_STEM}.icns"
DESKTOP_ENTRY = f"{ICON_STEM}.desktop"
APPSTREAM_METAINFO = "io.github.b24inspector.B24Inspector.metainfo.xml"

#: Every file the application ships under ``resources/`` (paths relative to it, with ``/``).
REQUIRED_RESOURCES: tuple[str, ...] = (
    *APP_ICON_FILES,
    APP_ICON_SVG,
    WINDOWS_ICON,
    MACOS_ICON,
    DESKTOP_ENTRY,
    APPSTREAM_METAINFO,
)

# A file that exists in every layout: how a candidate directory is recognised.
_MARKER = APP_ICON_FILES[0]


class ResourceNotFoundError(FileNotFoundError):
    """A resource file, or the resource directory itself, is missing from this installation."""


def _candidates() -> list[tuple[str, Path]]:
    """Where the resource directory may be, most specific layout first."""
    found: list[tuple[str, Path]] = []
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        found.append((N_("frozen bundle"), Path(bundle) / "inspector" / "resources"))
    package = Path(__file__).resolve().parent
    # For a package on disk this is what importlib.resources.files("inspector") returns;
    # importing importlib.resources would add about 20 ms to start-up, and Qt needs real
    # file paths anyway (a zip-imported package is not supported).
    found.append((N_("installed package"), package / "resources"))
    found.append((N_("source checkout"), package.parent / "resources"))
    return found


@functools.cache
def _locate() -> tuple[str, Path]:
    candidates = _candidates()
    for layout, directory in candidates:
        if (directory / _MARKER).is_file():
            return layout, directory
    looked = ", ".join(str(directory) for _, directory in candidates)
    raise ResourceNotFoundError(
        _("the application's resource files are missing (looked in {folders})").format(
            folders=looked
        )
    )


def resources_dir() -> Path:
    """The directory holding the resource files in this installation."""
    return _locate()[1]


def resources_layout() -> str:
    """Which layout the resources were found in: frozen bundle, installed package or checkout.

    The name is marked with ``N_`` (the result is cached): show it as ``i18n._(layout)``."""
    return _locate()[0]


def resource_path(name: str) -> Path:
    """The path of resource ``name`` (relative to ``resources/``, ``/``-separated).

    Raises ``ResourceNotFoundError`` if the file is not there, so a broken installation fails
    with the file's name rather than with an empty icon.
    """
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"not a resource name: {name!r}")
    path = resources_dir().joinpath(*relative.parts)
    if not path.is_file():
        raise ResourceNotFoundError(
            _("resource {name} is missing (expected at {path})").format(name=repr(name), path=path)
        )
    return path
