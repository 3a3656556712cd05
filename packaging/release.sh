#!/usr/bin/env bash
# Collect a release into dist/release/:
#
#   b24-inspector-VERSION-linux-x86_64                  the Linux one-file executable
#   b24-inspector-VERSION-linux-x86_64-onedir.tar.gz    the Linux one-dir bundle
#   b24-inspector-VERSION-windows-x64.exe               the Windows window
#   b24-inspector-cli-VERSION-windows-x64.exe           the Windows console companion
#   b24-inspector-VERSION.cdx.json                      software bill of materials (CycloneDX)
#   LICENSE, THIRD-PARTY-NOTICES.md                     (also inside every executable)
#   SHA256SUMS                                          checksums of all of the above
#
#   packaging/release.sh            # collect what packaging/build.sh and build-windows.sh made
#   packaging/release.sh --build    # build everything first (Linux both forms, then Windows)
#   packaging/release.sh --no-windows
#
# VERSION is inspector.__version__, the project's one version source.
set -euo pipefail

cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never

build=0
windows=1
for arg in "$@"; do
    case "$arg" in
        --build) build=1 ;;
        --no-windows) windows=0 ;;
        *) echo "usage: $0 [--build] [--no-windows]" >&2; exit 2 ;;
    esac
done

fail() {
    echo "release: FAIL: $*" >&2
    exit 1
}

if [[ $build == 1 ]]; then
    packaging/build.sh both
    [[ $windows == 0 ]] || packaging/build-windows.sh
fi

version=$(python3 -c 'import sys; sys.path.insert(0, "."); import inspector; print(inspector.__version__)')
out=dist/release
rm -rf "$out"
mkdir -p "$out"

[[ -x dist/b24-inspector ]] || fail "dist/b24-inspector is missing: run packaging/build.sh"
[[ -d dist/b24-inspector-onedir ]] || fail "dist/b24-inspector-onedir/ is missing: run packaging/build.sh"
cp dist/b24-inspector "$out/b24-inspector-$version-linux-x86_64"
onedir="b24-inspector-$version-linux-x86_64-onedir"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -a dist/b24-inspector-onedir "$staging/$onedir"
cp LICENSE THIRD-PARTY-NOTICES.md "$staging/$onedir/"  # also at the top, where users look
tar -C "$staging" --owner=0 --group=0 --numeric-owner -czf "$out/$onedir.tar.gz" "$onedir"

if [[ $windows == 1 ]]; then
    for exe in b24-inspector b24-inspector-cli; do
        [[ -f dist/windows/$exe.exe ]] || fail "dist/windows/$exe.exe is missing: run packaging/build-windows.sh"
        cp "dist/windows/$exe.exe" "$out/$exe-$version-windows-x64.exe"
    done
fi
cp LICENSE THIRD-PARTY-NOTICES.md "$out/"

# The bill of materials: the locked runtime dependencies (uv.lock) and, when the Windows
# executables are part of the release, what they were built from.
uv export --locked --no-default-groups --no-emit-project --no-header --quiet >"$staging/lock-reqs.txt"
sbom_inputs=("$staging/lock-reqs.txt")
if [[ $windows == 1 ]]; then
    [[ -f build/windows/requirements-win.txt ]] || fail "build/windows/requirements-win.txt is missing"
    sbom_inputs+=(build/windows/requirements-win.txt)
fi
uv run --no-sync python packaging/sbom.py "$version" "${sbom_inputs[@]}" >"$out/b24-inspector-$version.cdx.json"

(cd "$out" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | LC_ALL=C sort |
    xargs sha256sum >SHA256SUMS)
(cd "$out" && sha256sum --check --quiet SHA256SUMS)

echo "release: dist/release/ for version $version"
(cd "$out" && ls -l --block-size=K | tail -n +2 | awk '{printf "  %8s  %s\n", $5, $9}')
