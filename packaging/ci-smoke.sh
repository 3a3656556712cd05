#!/usr/bin/env bash
# CI smoke test of the standalone executable: build it from this checkout, then run it.
#
# Expects what .ci/run provides: a D-Bus session with an unlocked gnome-keyring, no display,
# QT_QPA_PLATFORM=offscreen. Checks, in order:
#   1. packaging/build.sh onefile builds dist/b24-inspector;
#   2. `b24-inspector --version` prints the package version, and `--lang ru get` a Russian
#      usage error (the catalogue is bundled);
#   3. `b24-inspector --self-check` passes and uses the Secret Service keychain;
#   4. `b24-inspector --demo --fetch 6 --screenshot out.png` writes a PNG that is not blank;
#   5. no demo setting value appears in anything the executable printed.
# Outputs are kept in build/ci-smoke/. Ends with one summary line; exits non-zero on failure.
set -euo pipefail

cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
# The checks below use the build environment's Python, which has PySide6 and the sources.
export UV_PROJECT_ENVIRONMENT="${B24_BUILD_VENV:-build/packaging-venv}"

out=build/ci-smoke
rm -rf "$out"
mkdir -p "$out"
exe=dist/b24-inspector

fail() {
    echo "ci-smoke: FAIL: $*" >&2
    exit 1
}

# Runs the executable with a time limit, keeping stdout and stderr apart for the leak scan.
run() {
    local name=$1
    shift
    local status=0
    timeout 120 "$exe" "$@" >"$out/$name.stdout" 2>"$out/$name.stderr" || status=$?
    echo "$status" >"$out/$name.status"
    return "$status"
}

echo "== build"
packaging/build.sh onefile
[ -x "$exe" ] || fail "$exe was not built"
size_mib=$(python3 -c "import os, sys; print(f'{os.path.getsize(sys.argv[1]) / 2**20:.1f}')" "$exe")

echo "== $exe --version"
run version --version || fail "--version exited with $(cat "$out/version.status")"
cat "$out/version.stdout"
expected=$(uv run --no-sync python -c 'import inspector; print(inspector.APP_NAME, inspector.__version__)')
[ "$(cat "$out/version.stdout")" = "$expected" ] || fail "--version printed something else than '$expected'"

echo "== $exe --lang ru get"
run lang-ru --lang ru get || true
grep -q 'использование:' "$out/lang-ru.stderr" ||
    fail "--lang ru did not print Russian: is inspector/locale bundled?"

echo "== $exe --self-check"
self_check_ok=1
run self-check --self-check || self_check_ok=0
cat "$out/self-check.stdout"
[ "$self_check_ok" = 1 ] || fail "--self-check failed (exit $(cat "$out/self-check.status"))"
grep -q '^\[ ok \] keychain: Secret Service' "$out/self-check.stdout" ||
    fail "--self-check did not report the Secret Service keychain as working"
checks=$(grep -c '^\[ ok \]' "$out/self-check.stdout")

echo "== $exe --demo --fetch 6 --screenshot $out/snapshot.png"
run snapshot --demo --fetch 6 --screenshot "$out/snapshot.png" ||
    fail "the snapshot run exited with $(cat "$out/snapshot.status"): $(head -c 2000 "$out/snapshot.stderr")"

echo "== checking the snapshot and the output"
verdict=$(
    uv run --no-sync python - "$out" <<'PY'
import sys
from pathlib import Path

from PySide6.QtGui import QGuiApplication, QImage

from inspector.demo.portal import DEMO_SOURCES

out = Path(sys.argv[1])
app = QGuiApplication([sys.argv[0], "-platform", "offscreen"])
problems = []

png = out / "snapshot.png"
image = QImage(str(png))
colours = 0
if not png.is_file():
    problems.append("no PNG was written")
elif image.isNull():
    problems.append("the PNG cannot be decoded")
else:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    data = bytes(image.constBits())
    colours = len({data[i : i + 4] for i in range(0, len(data), 4)})
    if image.width() < 200 or image.height() < 150:
        problems.append(f"the PNG is only {image.width()}x{image.height()}")
    if colours <= 16:
        problems.append(f"the PNG looks blank ({colours} distinct colours)")

# Every setting value of every demo source; short ones ("1") would match anything.
values = {
    str(setting["value"])
    for source in DEMO_SOURCES.values()
    for setting in source.get("settings", [])
    if setting.get("value") is not None and len(str(setting["value"])) >= 4
}
if not values:
    problems.append("found no demo setting values to look for")
for stream in sorted(out.glob("*.std*")):
    text = stream.read_text(errors="replace")
    leaked = sorted(value for value in values if value in text)
    if leaked:
        problems.append(f"{stream.name} contains {len(leaked)} setting value(s)")

if problems:
    print("; ".join(problems))
    sys.exit(1)
print(f"snapshot {image.width()}x{image.height()} with {colours} colours, "
      f"none of {len(values)} setting values in any output")
PY
) || fail "$verdict"

echo "ci-smoke: OK: one-file $size_mib MiB; $(cat "$out/version.stdout"); self-check $checks checks" \
    "passed (Secret Service); $verdict"
