#!/usr/bin/env bash
# Build the standalone b24-inspector with PyInstaller and say what it weighs.
#
#   packaging/build.sh            # both: dist/b24-inspector and dist/b24-inspector-onedir/
#   packaging/build.sh onefile    # only dist/b24-inspector (what CI ships and smoke-tests)
#   packaging/build.sh onedir     # only dist/b24-inspector-onedir/
#   B24_ONEFILE_UNCOMPRESSED=1 packaging/build.sh onefile   # larger, starts faster (spec)
#
# Installs nothing system-wide. The build runs in an environment of its own
# (build/packaging-venv, or $B24_BUILD_VENV) holding the locked runtime dependencies and
# PyInstaller only: no dev tool can end up in the bundle, and the dev .venv is left alone.
# On Linux PyInstaller needs `objdump` and `strip` (binutils).
set -euo pipefail

cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
export UV_PROJECT_ENVIRONMENT="${B24_BUILD_VENV:-build/packaging-venv}"

case "${1:-both}" in
    both) modes=(onefile onedir) ;;
    onefile | onedir) modes=("$1") ;;
    *) echo "usage: $0 [onefile|onedir|both]" >&2; exit 2 ;;
esac

uv sync --locked --no-default-groups --group packaging --quiet

for mode in "${modes[@]}"; do
    echo "== building the $mode executable"
    start=$SECONDS
    uv run --no-sync pyinstaller \
        --noconfirm \
        --log-level WARN \
        --distpath dist \
        --workpath "build/pyinstaller-$mode" \
        packaging/b24-inspector.spec -- "--$mode"
    echo "   built in $((SECONDS - start)) s"
done

# What the bundle weighs, and where.
uv run --no-sync python - "${modes[@]}" <<'PY'
import os
import sys
from pathlib import Path

MIB = 2**20
TARGET_MIB = 55


def tree_size(path: Path) -> int:
    if path.is_symlink() or not path.is_dir():
        return path.lstat().st_size
    return sum(tree_size(child) for child in path.iterdir())


if "onefile" in sys.argv[1:]:
    from PyInstaller.archive.readers import CArchiveReader

    exe = next(p for p in (Path("dist/b24-inspector"), Path("dist/b24-inspector.exe")) if p.exists())
    size = exe.stat().st_size
    verdict = "within" if size <= TARGET_MIB * MIB else "OVER"
    print(f"\none-file  {exe}: {size / MIB:.1f} MiB ({verdict} the {TARGET_MIB} MiB target)")
    toc = CArchiveReader(str(exe)).toc
    heaviest = sorted(toc.items(), key=lambda item: item[1][1], reverse=True)[:15]
    print("  15 heaviest entries, compressed (unpacked):")
    for name, (_offset, length, unpacked, _flag, _kind) in heaviest:
        print(f"  {length / MIB:6.2f} MiB ({unpacked / MIB:6.2f})  {name}")

if "onedir" in sys.argv[1:]:
    root = Path("dist/b24-inspector-onedir")
    count = sum(1 for path in root.rglob("*") if path.is_file())
    print(f"\none-dir   {root}/: {tree_size(root) / MIB:.1f} MiB in {count} files")
    entries = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    entries.sort(key=lambda p: p.stat().st_size, reverse=True)
    print("  15 largest files:")
    for path in entries[:15]:
        print(f"  {path.stat().st_size / MIB:6.2f} MiB  {path.relative_to(root)}")
    internal = root / "_internal"
    if internal.is_dir():
        tops = sorted(internal.iterdir(), key=tree_size, reverse=True)
        dirs = [p for p in tops if p.is_dir() and not p.is_symlink()][:8]
        print("  largest directories in _internal/:")
        for path in dirs:
            print(f"  {tree_size(path) / MIB:6.2f} MiB  {path.relative_to(root)}/")
PY
