#!/usr/bin/env bash
# The tests on the Python and the PySide6 that the Windows executables ship, on Linux.
#
# The Windows build runs CPython 3.13 and holds PySide6 below 6.10 (packaging/windows-pyside.txt),
# while the project's environment has Python 3.11 and the newest PySide6. Both gaps let a
# bug through every test here: an API that PySide6 6.10 added, or an overload 6.9 resolves
# otherwise, failed only in the Windows executable; and Python 3.13's argparse lays out
# --help otherwise. This builds build/windows-py313-venv from uv.lock on Python 3.13 with
# that one override, the package installed editable, and runs the whole test suite in it.
#
# Python 3.13 is taken from PATH (python3.13) or pyenv, else uv installs one. Expects what
# .ci/run provides (a D-Bus session with an unlocked gnome-keyring, no display,
# QT_QPA_PLATFORM=offscreen); downloads the held PySide6 from PyPI on its first run.
set -euo pipefail

cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
venv=build/windows-py313-venv
mkdir -p build

python=""
for candidate in "$(command -v python3.13 || true)" \
    "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13.*/bin/python3.13; do
    # A pyenv shim for a version that is not enabled exits non-zero: skipped.
    if [[ -x "$candidate" ]] &&
        "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then
        python="$candidate"
        break
    fi
done
if [[ -z "$python" ]] && ! {
    UV_PYTHON_DOWNLOADS=manual uv python install --quiet 3.13 && python="$(uv python find 3.13)"
}; then
    echo "test-windows-qt.sh: no Python 3.13 (the Windows build's) on PATH or under pyenv," \
        "and uv could not install one; install it (pyenv install 3.13, or" \
        "uv python install 3.13) and run this again" >&2
    exit 1
fi

uv venv --quiet --allow-existing --python "$python" "$venv"
uv export --locked --all-groups --no-emit-project --no-hashes --no-header --no-annotate --quiet |
    grep -v '^[[:space:]]*#' | grep -viE '^(pyside6|shiboken6)' \
    >build/windows-py313-requirements.txt
grep -v '^#' packaging/windows-pyside.txt >build/windows-py313-overrides.txt
VIRTUAL_ENV="$venv" uv pip install --quiet -r build/windows-py313-requirements.txt \
    -r build/windows-py313-overrides.txt
VIRTUAL_ENV="$venv" uv pip install --quiet --no-deps --editable .

versions="$("$venv/bin/python" -c 'import platform, PySide6
print(f"Python {platform.python_version()}, PySide6 {PySide6.__version__}")')"
echo "== the tests on $versions (the Windows build's)"
"$venv/bin/python" -m pytest -q -p no:cacheprovider
