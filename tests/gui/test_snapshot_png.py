"""The snapshot's own PNG writer: what it writes reads back as the same pixels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QColor, QImage, QPainter

from inspector.ui.snapshot_png import save_png


def picture(width: int, height: int) -> QImage:
    """Distinct colours everywhere, and a width whose RGB rows need padding."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    for y in range(height):
        for x in range(width):
            image.setPixelColor(x, y, QColor((x * 7) % 256, (y * 13) % 256, (x * y) % 256))
    return image


def test_the_written_png_reads_back_pixel_for_pixel(qapp: Any, tmp_path: Path) -> None:
    original = picture(37, 23)  # 37 * 3 = 111 bytes a row: padded to 112 in memory
    path = tmp_path / "shot.png"
    assert save_png(original, str(path))
    read = QImage(str(path))
    assert not read.isNull()
    assert (read.width(), read.height()) == (37, 23)
    assert read.convertToFormat(QImage.Format.Format_RGB32) == original


def test_a_window_sized_picture_with_text_reads_back(qapp: Any, tmp_path: Path) -> None:
    original = QImage(940, 720, QImage.Format.Format_ARGB32_Premultiplied)
    original.fill(QColor("white"))
    painter = QPainter(original)
    painter.drawText(20, 40, "Source 6: 1 setting")
    painter.end()
    path = tmp_path / "shot.png"
    assert save_png(original, str(path))
    expected = original.convertToFormat(QImage.Format.Format_RGB32)
    assert QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32) == expected


def test_an_unwritable_path_or_an_empty_image_is_reported(qapp: Any, tmp_path: Path) -> None:
    assert not save_png(picture(4, 4), str(tmp_path / "missing" / "shot.png"))
    assert not save_png(QImage(), str(tmp_path / "empty.png"))
    assert not (tmp_path / "empty.png").exists()
