"""What leaves the window through the clipboard or a file, and nothing secret with it.

* ``copy_curl``: a cURL command repeating the last request, its secret left to a shell
  variable (``core.export.curl_command``);
* ``copy_json``: the shown source as JSON, every setting value masked (revealed ones too);
* ``export_bundle``: the support bundle (``core.export.support_bundle``) written to a file;
* ``SecretClipboard``: a revealed value put on the clipboard on purpose, marked so that
  clipboard managers and the Windows clipboard history skip it, and cleared from the
  clipboard after a while or when the window closes, if the clipboard still holds it.

The support bundle is written like every file of the program (``core.files``): 0600,
atomically, so a full disk leaves no 0-byte or half-written file.

Each action returns the sentence for the status line. Imported when something is first
copied or exported, not at start-up.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QMimeData, QObject, QTimer
from PySide6.QtGui import QGuiApplication

from ..core.errors import InspectorError
from ..core.export import (
    ACCESS_TOKEN_VAR,
    WEBHOOK_CODE_VAR,
    bundle_file_name,
    curl_command,
    support_bundle,
)
from ..core.files import write_private_text

if TYPE_CHECKING:
    from ..core.options import RequestOptions
    from .request_record import RequestRecord
    from .source_tree_model import SourceTreeModel

NOTHING_YET = "fetch a source first."

_WINDOWS_MIME = 'application/x-qt-windows-mime;value="{}"'
_DWORD_ZERO = b"\x00\x00\x00\x00"
SECRET_MIME_HINTS: dict[str, bytes] = {
    # KDE's Klipper (and clipboard managers that follow it) do not record this entry.
    "x-kde-passwordManagerHint": b"secret",
    # Windows: no clipboard history, no cloud clipboard, no clipboard monitors.
    _WINDOWS_MIME.format("ExcludeClipboardContentFromMonitorProcessing"): b"",
    _WINDOWS_MIME.format("CanIncludeInClipboardHistory"): _DWORD_ZERO,
    _WINDOWS_MIME.format("CanUploadToCloudClipboard"): _DWORD_ZERO,
}
"""The formats password managers add to a copied secret so that it is not recorded."""


def copy_curl(record: RequestRecord | None) -> str:
    """Copy a cURL command repeating *record*'s request, the secret left to a variable."""
    if record is None:
        return f"Nothing to copy yet: {NOTHING_YET}"

    try:
        command = curl_command(record.credential, record.method, record.params)
    except InspectorError as exc:
        return str(exc)
    QGuiApplication.clipboard().setText(command)
    variable = WEBHOOK_CODE_VAR if record.credential.kind == "webhook" else ACCESS_TOKEN_VAR
    return (
        f"Copied a cURL command for {record.method}. The secret is not in it: set the "
        f"{variable} variable before running it."
    )


def copy_json(model: SourceTreeModel) -> str:
    """Copy the shown source as JSON, every setting value masked."""
    try:
        text = model.masked_json()
    except InspectorError as exc:
        return str(exc)
    if not text:
        return f"Nothing to copy yet: {NOTHING_YET}"
    QGuiApplication.clipboard().setText(text)
    return "Copied the source as JSON, with every setting value masked."


def network_facts(network: RequestOptions) -> dict[str, Any]:
    """What the support bundle says about the network: whether, never which."""
    return {
        "proxy": "set in the profile" if network.proxy else "from the environment/system",
        "extraCaFile": bool(network.extra_ca_file),
    }


def export_bundle(
    record: RequestRecord | None,
    network: RequestOptions,
    path: str | None,
    ask_path: Callable[[str], str | None],
) -> tuple[str | None, str | None]:
    """Write the support bundle of *record* to *path* (``ask_path`` asks if None).

    Returns (the path written or None, the sentence for the status line or None when the
    user cancelled the file dialog). The bundle holds no secret (``core.export``).
    """
    if record is None:
        return None, f"Nothing to export yet: {NOTHING_YET}"

    try:
        text = support_bundle(
            credential=record.credential,
            method=record.method,
            params=record.params,
            source=record.source,
            report=record.report,
            error=record.error,
            request_id=record.request_id,
            network=network_facts(network),
            endpoint_check=record.endpoint_check,
        )
    except InspectorError as exc:
        return None, str(exc)
    if path is None:
        path = ask_path(bundle_file_name())
        if not path:
            return None, None
    try:
        write_private_text(path, text + "\n")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return None, (
            f"Could not save the support bundle: {reason}. {os.path.basename(path)} was not "
            "written (an earlier file of that name is unchanged); free some space or choose "
            "another folder, then export again."
        )
    return path, (
        f"Saved the support bundle as {os.path.basename(path)}: the request, the masked "
        "answer or the error, and no secret."
    )


class SecretClipboard(QObject):
    """Puts a revealed value on the clipboard and clears it after ``timer``'s interval,
    unless something else replaced it there meanwhile."""

    def __init__(self, seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._copied: str | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(seconds * 1000)
        self.timer.timeout.connect(self.clear)

    @property
    def seconds(self) -> int:
        return self.timer.interval() // 1000

    def put(self, secret: str) -> None:
        """Put *secret* on the clipboard, marked for clipboard managers to skip it."""
        data = QMimeData()
        data.setText(secret)
        for kind, value in SECRET_MIME_HINTS.items():
            data.setData(kind, QByteArray(value))
        QGuiApplication.clipboard().setMimeData(data)
        self._copied = secret
        self.timer.start()

    def clear(self) -> None:
        """Clear the copied value from the clipboard, unless something replaced it."""
        clipboard = QGuiApplication.clipboard()
        if self._copied is not None and clipboard.text() == self._copied:
            clipboard.clear()
        self._copied = None
        self.timer.stop()
