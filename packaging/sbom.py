"""Write a CycloneDX 1.5 JSON software bill of materials for a release.

    python packaging/sbom.py VERSION LINUX_REQS [WINDOWS_REQS] > b24-inspector.cdx.json

LINUX_REQS is ``uv export --no-default-groups --no-emit-project`` (the locked runtime
dependencies, hashes included); WINDOWS_REQS is build/windows/requirements-win.txt from
packaging/build-windows.sh. Licences come from the installed distributions' metadata where
the running Python has them. Build-only tools (PyInstaller itself and its helpers) are left
out; PyInstaller's bootloader, which every executable contains, is listed.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

# In the Windows requirements for the build, not in the executables (except the bootloader).
BUILD_ONLY = {
    "altgraph",
    "macholib",
    "packaging",
    "pefile",
    "pyinstaller-hooks-contrib",
    "setuptools",
}
LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\#]+?))?\s*\\?$")
HASH = re.compile(r"--hash=sha256:([0-9a-f]{64})")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_requirements(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    """(name, version) -> {"marker": str | None, "hashes": [sha256, ...]}."""
    found: dict[tuple[str, str], dict[str, object]] = {}
    current: dict[str, object] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        match = LINE.match(line)
        if match:
            key = (normalise(match.group(1)), match.group(2))
            current = found.setdefault(key, {"marker": match.group(3), "hashes": []})
        elif current is not None and line.startswith("--hash="):
            hashes = current["hashes"]
            assert isinstance(hashes, list)
            hashes.extend(HASH.findall(line))
        elif not line.startswith("--hash="):
            current = None
    return found


# Licences of what the running Python may not have installed (Windows-only, build tools).
KNOWN_LICENCES = {
    "pywin32-ctypes": "BSD-3-Clause",
    "pyinstaller": "GPL-2.0-or-later WITH Bootloader-exception",
}
CLASSIFIER_IDS = {"MIT License": "MIT", "BSD License": "BSD-3-Clause"}


def licence(name: str) -> str | None:
    try:
        meta = metadata.metadata(name)
    except metadata.PackageNotFoundError:
        return KNOWN_LICENCES.get(name)
    expression = meta.get("License-Expression")
    if expression:
        return expression
    text = meta.get("License") or ""
    if text and "\n" not in text and len(text) < 80:
        return text
    classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if not classifiers:
        return KNOWN_LICENCES.get(name)
    words = classifiers[0].split(" :: ")[-1]
    return CLASSIFIER_IDS.get(words, words)


def component(name: str, version: str, info: dict[str, object], platform: str) -> dict[str, object]:
    entry: dict[str, object] = {
        "type": "library",
        "bom-ref": f"pkg:pypi/{name}@{version}",
        "name": name,
        "version": version,
        "purl": f"pkg:pypi/{name}@{version}",
        "properties": [{"name": "b24-inspector:resolved-in", "value": platform}],
    }
    if info.get("marker"):
        entry["properties"].append(  # type: ignore[union-attr]
            {"name": "b24-inspector:environment-marker", "value": info["marker"]}
        )
    hashes = info.get("hashes") or []
    assert isinstance(hashes, list)
    if hashes:
        # Several files (wheels for other platforms) may carry this version; all are listed.
        entry["hashes"] = [{"alg": "SHA-256", "content": h} for h in hashes]
    found = licence(name)
    if found:
        key = "expression" if any(op in found for op in (" OR ", " AND ", " WITH ")) else "id"
        entry["licenses"] = [{key: found} if key == "expression" else {"license": {"id": found}}]
        if key == "id" and not re.fullmatch(r"[A-Za-z0-9.+-]+", found):
            entry["licenses"] = [{"license": {"name": found}}]
    return entry


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    version = argv[1]
    # "uv.lock": every platform's runtime dependencies (see the markers); "windows": what
    # the Windows executables were built from.
    sets = {"uv.lock": read_requirements(Path(argv[2]))}
    if len(argv) == 4:
        sets["windows-build"] = read_requirements(Path(argv[3]))
    merged: dict[tuple[str, str], tuple[dict[str, object], list[str]]] = {}
    for platform, requirements in sets.items():
        for key, info in requirements.items():
            if key[0] in BUILD_ONLY:
                continue
            merged.setdefault(key, (info, []))[1].append(platform)
    components = [
        component(name, ver, info, ",".join(platforms))
        for (name, ver), (info, platforms) in sorted(merged.items())
    ]
    for entry in components:
        if entry["name"] == "pyinstaller":
            entry["description"] = "only its bootloader is in the executables"
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "component": {
                "type": "application",
                "bom-ref": f"pkg:pypi/b24-inspector@{version}",
                "name": "b24-inspector",
                "version": version,
                "licenses": [{"license": {"id": "MIT"}}],
            },
        },
        "components": components,
        "dependencies": [
            {
                "ref": f"pkg:pypi/b24-inspector@{version}",
                "dependsOn": [entry["bom-ref"] for entry in components],
            }
        ],
    }
    json.dump(bom, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
