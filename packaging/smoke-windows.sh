#!/usr/bin/env bash
# Smoke test of the Windows executables built by packaging/build-windows.sh, run under Wine
# with Qt's offscreen platform and no display. Checks, in order:
#   1. `b24-inspector-cli.exe --version` prints the package version;
#   2. `b24-inspector-cli.exe --self-check` passes, with Windows Credential Manager working;
#   3. `b24-inspector.exe --demo --fetch 6 --screenshot shot.png` (the windowed build) writes a
#      PNG that is not blank;
#   4. `b24-inspector-cli.exe get 6 --demo --json` prints the demo source as JSON;
#   5. no demo setting value appears in anything either executable printed.
# Outputs are kept in build/windows/smoke/. Ends with one summary line; exits non-zero on
# failure. The PNG and leak checks use the project's own environment (`uv run`).
set -euo pipefail

cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never
# shellcheck source=packaging/wine-env.sh
source packaging/wine-env.sh

dist=dist/windows
out=build/windows/smoke
rm -rf "$out"
mkdir -p "$out"

fail() {
    echo "smoke-windows: FAIL: $*" >&2
    exit 1
}
for exe in b24-inspector.exe b24-inspector-cli.exe; do
    [[ -f $dist/$exe ]] || fail "$dist/$exe is missing: run packaging/build-windows.sh first"
done

# Runs an executable under Wine with a time limit. Windows Python dies under Wine 8.0 when
# its stdout or stderr is a regular file, so both go through pipes (stderr merged into
# stdout, kept in $out/NAME.out); carriage returns are dropped.
run() {
    local name=$1 exe=$2
    shift 2
    local status=0
    set +o pipefail
    timeout 180 wine "$dist/$exe" "$@" 2>&1 </dev/null | tr -d '\r' | cat >"$out/$name.out"
    status=${PIPESTATUS[0]}
    set -o pipefail
    echo "$status" >"$out/$name.status"
    return "$status"
}

started=$SECONDS

echo "== b24-inspector-cli.exe --version"
run version b24-inspector-cli.exe --version || fail "--version exited with $(cat "$out/version.status")"
cat "$out/version.out"
expected=$(python3 -c 'import sys; sys.path.insert(0, "."); import inspector; print(inspector.APP_NAME, inspector.__version__)')
grep -qxF "$expected" "$out/version.out" || fail "--version did not print '$expected'"

echo "== b24-inspector-cli.exe --self-check"
self_check_ok=1
run self-check b24-inspector-cli.exe --self-check || self_check_ok=0
cat "$out/self-check.out"
[[ $self_check_ok == 1 ]] || fail "--self-check failed (exit $(cat "$out/self-check.status"))"
grep -q '^\[ ok \] keychain: Windows Credential Manager' "$out/self-check.out" ||
    fail "--self-check did not report Windows Credential Manager as working"
checks=$(grep -c '^\[ ok \]' "$out/self-check.out")

shot_win=$(winepath -w "$PWD/$out/snapshot.png" 2>/dev/null)
echo "== b24-inspector.exe --demo --fetch 6 --screenshot $out/snapshot.png"
run snapshot b24-inspector.exe --demo --fetch 6 --screenshot "$shot_win" ||
    fail "the snapshot run exited with $(cat "$out/snapshot.status"): $(head -c 2000 "$out/snapshot.out")"

echo "== b24-inspector-cli.exe get 6 --demo --json"
run get b24-inspector-cli.exe get 6 --demo --json || fail "get exited with $(cat "$out/get.status"): $(head -c 2000 "$out/get.out")"
head -c 600 "$out/get.out"
echo

echo "== checking the snapshot, the JSON and the output"
verdict=$(
    uv run --no-sync python - "$out" <<'PY'
import json
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

text = (out / "get.out").read_text(encoding="utf-8", errors="replace")
try:
    document = json.loads(text[text.index("{") :])
except ValueError as exc:
    problems.append(f"get 6 --demo --json printed no JSON ({exc})")
else:
    if "6" not in json.dumps(document):
        problems.append("the JSON does not mention source 6")

values = {
    str(setting["value"])
    for source in DEMO_SOURCES.values()
    for setting in source.get("settings", [])
    if setting.get("value") is not None and len(str(setting["value"])) >= 4
}
if not values:
    problems.append("found no demo setting values to look for")
for stream in sorted(out.glob("*.out")):
    leaked = sorted(v for v in values if v in stream.read_text(errors="replace"))
    if leaked:
        problems.append(f"{stream.name} contains {len(leaked)} setting value(s)")

if problems:
    print("; ".join(problems))
    sys.exit(1)
print(
    f"snapshot {image.width()}x{image.height()} with {colours} colours, JSON parsed, "
    f"none of {len(values)} setting values in any output"
)
PY
) || fail "$verdict"

echo "smoke-windows: OK in $((SECONDS - started)) s: $(cat "$out/version.out");" \
    "self-check $checks checks passed (Windows Credential Manager); $verdict"
