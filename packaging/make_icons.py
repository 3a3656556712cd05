#!/usr/bin/env python3
"""Render the application icon from its SVG source into every size and container we ship.

Run from the repository root after editing ``resources/icons/b24-inspector.svg``::

    uv run python packaging/make_icons.py

and commit what it writes:

- ``resources/icons/b24-inspector-<N>.png`` for N in 16…512 (Linux hicolor sizes, and what
  ``inspector.ui.icons.app_icon()`` loads at run time, so the app needs no SVG plugin);
- ``resources/icons/b24-inspector.ico`` (Windows): an ICO directory of PNG entries, which
  Windows reads since Vista;
- ``resources/icons/b24-inspector.icns`` (macOS): an ICNS container of PNG chunks
  (``icp4``/``icp5`` and ``ic07``…``ic14``), the same types Apple's ``iconutil`` writes.

The SVG is rendered with Qt's own QtSvg, which ships with PySide6-Essentials, and the two
containers are written with the standard library: no image tools to install.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SOURCE = ICONS / "b24-inspector.svg"
STEM = "b24-inspector"

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS chunk type -> pixel size (the @2x types carry twice the nominal size).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),  # 16@2x
    (b"ic12", 64),  # 32@2x
    (b"ic07", 128),
    (b"ic13", 256),  # 128@2x
    (b"ic08", 256),
    (b"ic14", 512),  # 256@2x
    (b"ic09", 512),
    (b"ic10", 1024),  # 512@2x
)


def render_png(svg: Path, size: int) -> bytes:
    """Render ``svg`` into a square transparent PNG of ``size`` pixels."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot parse {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # The stubs ask for bytes, the binding accepts only str (PySide6 6.11).
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise SystemExit(f"cannot encode a {size}px PNG")
    buffer.close()
    return bytes(data.data())


def build_ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO file whose entries are PNG images (width/height 0 means 256)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    directory = b""
    payload = b""
    for size in sizes:
        data = pngs[size]
        dim = 0 if size >= 256 else size
        directory += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        payload += data
        offset += len(data)
    return header + directory + payload


def build_icns(chunks: list[tuple[bytes, bytes]]) -> bytes:
    """An ICNS file: ``icns`` + total length, then (type, length incl. header, PNG) chunks."""
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in chunks)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])

    needed = set(PNG_SIZES) | set(ICO_SIZES) | {size for _, size in ICNS_TYPES}
    pngs = {size: render_png(SOURCE, size) for size in sorted(needed)}

    written: list[Path] = []
    for size in PNG_SIZES:
        path = ICONS / f"{STEM}-{size}.png"
        path.write_bytes(pngs[size])
        written.append(path)

    ico = ICONS / f"{STEM}.ico"
    ico.write_bytes(build_ico({size: pngs[size] for size in ICO_SIZES}))
    written.append(ico)

    icns = ICONS / f"{STEM}.icns"
    icns.write_bytes(build_icns([(kind, pngs[size]) for kind, size in ICNS_TYPES]))
    written.append(icns)

    for path in written:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:>8} bytes")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
