"""Resources are found in a source checkout, a frozen bundle and an installed wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector import resources
from inspector.resources import (
    APP_ICON_FILES,
    APP_ICON_SIZES,
    REQUIRED_RESOURCES,
    ResourceNotFoundError,
    resource_path,
    resources_dir,
    resources_layout,
)

REPO = Path(__file__).resolve().parent.parent
# Taken at import, before the autouse fixture swaps HOME: uv needs the real cache.
_ENV_AT_COLLECTION = dict(os.environ)


@pytest.fixture
def fresh_lookup() -> Iterator[None]:
    resources._locate.cache_clear()
    yield
    resources._locate.cache_clear()


def test_checkout_layout_finds_every_required_resource(fresh_lookup: None) -> None:
    assert resources_layout() == "source checkout"
    assert resources_dir() == REPO / "resources"
    for name in REQUIRED_RESOURCES:
        path = resource_path(name)
        assert path.is_file() and path.stat().st_size > 0, name


def test_required_list_matches_what_is_shipped() -> None:
    shipped = {
        path.relative_to(REPO / "resources").as_posix()
        for path in (REPO / "resources").rglob("*")
        if path.is_file()
    }
    assert shipped == set(REQUIRED_RESOURCES)


@pytest.mark.parametrize("name", ["../pyproject.toml", "/etc/passwd", "", "icons/../../README.md"])
def test_names_outside_the_resource_dir_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a resource name"):
        resource_path(name)


def test_missing_resource_names_the_file() -> None:
    with pytest.raises(ResourceNotFoundError, match=r"icons/nope\.png"):
        resource_path("icons/nope.png")


def test_frozen_bundle_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_lookup: None
) -> None:
    bundle_resources = tmp_path / "inspector" / "resources"
    shutil.copytree(REPO / "resources", bundle_resources)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_layout() == "frozen bundle"
    assert resource_path(APP_ICON_FILES[0]) == bundle_resources / APP_ICON_FILES[0]


def test_nothing_found_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_lookup: None
) -> None:
    monkeypatch.setattr(resources, "_candidates", lambda: [("nowhere", tmp_path)])
    with pytest.raises(ResourceNotFoundError, match="resource files are missing"):
        resources_dir()


def test_module_does_not_import_qt() -> None:
    code = "import sys, inspector.resources as r; r.resource_path(r.APP_ICON_SVG); "
    code += "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_app_icon_has_every_size(qapp: object) -> None:
    from PySide6.QtCore import QSize

    from inspector.ui.icons import app_icon

    icon = app_icon()
    assert not icon.isNull()
    assert {size.width() for size in icon.availableSizes()} == set(APP_ICON_SIZES)
    for size in APP_ICON_SIZES:
        pixmap = icon.pixmap(QSize(size, size))
        assert pixmap.width() == size and not pixmap.toImage().isNull()


def test_installed_wheel_finds_its_resources(tmp_path: Path) -> None:
    """Build the wheel, install it alone into a fresh venv, and look resources up there."""
    uv = shutil.which("uv", path=_ENV_AT_COLLECTION.get("PATH"))
    if uv is None:
        pytest.skip("uv is not on PATH")
    env = {**_ENV_AT_COLLECTION, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("VIRTUAL_ENV", None)

    def run(*args: str) -> None:
        subprocess.run(args, check=True, env=env, cwd=REPO, capture_output=True, timeout=300)

    run(uv, "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(REPO))
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    venv = tmp_path / "venv"
    run(uv, "venv", "--python", sys.executable, str(venv))
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    run(uv, "pip", "install", "--python", str(python), "--no-deps", str(wheel))

    check = textwrap.dedent(
        """
        import inspector, inspector.resources as r
        from pathlib import Path
        assert r.resources_layout() == "installed package", r.resources_layout()
        assert r.resources_dir() == Path(inspector.__file__).resolve().parent / "resources"
        for name in r.REQUIRED_RESOURCES:
            assert r.resource_path(name).stat().st_size > 0, name
        print("ok", len(r.REQUIRED_RESOURCES))
        """
    )
    # Run from an empty directory so the checkout is not importable.
    out = subprocess.run(
        [str(python), "-I", "-c", check],
        check=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.stdout.strip() == f"ok {len(REQUIRED_RESOURCES)}"
