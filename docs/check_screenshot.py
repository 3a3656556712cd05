"""Make ``docs/check.png``, the README's picture of Check endpoints on the demo.

    uv run python docs/check_screenshot.py [PATH]

Offscreen, with no keychain (a null keyring backend): demo source 18, whose connector's
urlTableDescription answers a proxy's HTML error page, checked with the failed step
selected. The picture is the same on each run but for the port number and the timings.
"""

from __future__ import annotations

import os
import sys

SOURCE_ID = 18
FAILED_STEP = 2  # urlTableDescription


def main() -> int:
    # Before Qt and keyring are imported: no display, and never the user's keychain.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
    from inspector.ui.check_snapshot import save_check_snapshot

    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "check.png")
    code = save_check_snapshot(path, SOURCE_ID, FAILED_STEP)
    if code == 0:
        print(f"wrote {path}")
    return code


if __name__ == "__main__":
    sys.exit(main())
