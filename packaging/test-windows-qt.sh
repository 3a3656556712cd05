#!/usr/bin/env bash
# The window's tests (tests/gui) on the PySide6 that the Windows executables ship, on Linux.
#
# The Windows build holds PySide6 below 6.10 (packaging/windows-pyside.txt) while the
# project's environment has the newest: an API that 6.10 added, or an overload 6.9 resolves
# otherwise, passed every test here and failed only in the Windows executable. This builds
# build/windows-qt-venv from uv.lock with that one override, the package installed editable,
# and runs `python -m pytest tests/gui` in it.
#
# Expects what .ci/run provides (a D-Bus session with an unlocked gnome-keyring, no display,
# QT_QPA_PLATFORM=offscreen); downloads the held PySide6 from PyPI on its first run.
set -euo pipefail

cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
venv=build/windows-qt-venv
mkdir -p build

uv venv --quiet --allow-existing --python "$(uv run python -c 'import sys; print(sys.executable)')" "$venv"
uv export --locked --all-groups --no-emit-project --no-hashes --no-header --no-annotate --quiet |
    grep -v '^[[:space:]]*#' | sed 's/ *;.*//' | grep -viE '^(pyside6|shiboken6)' \
    >build/windows-qt-requirements.txt
grep -v '^#' packaging/windows-pyside.txt >build/windows-qt-overrides.txt
VIRTUAL_ENV="$venv" uv pip install --quiet -r build/windows-qt-requirements.txt \
    -r build/windows-qt-overrides.txt
VIRTUAL_ENV="$venv" uv pip install --quiet --no-deps --editable .

qt="$("$venv/bin/python" -c 'import PySide6; print(PySide6.__version__)')"
echo "== tests/gui on PySide6 $qt (the Windows build's)"
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/gui
