"""What the frozen executable runs: the same ``main`` as the ``b24-inspector`` console script.

PyInstaller runs its entry script as a top-level ``__main__``, where the package's relative
imports in ``inspector/__main__.py`` would fail; importing the package first avoids that.
"""

import sys

from inspector.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
