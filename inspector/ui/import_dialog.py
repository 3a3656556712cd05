"""Import tokens: paste the tokens Bitrix24 gave an application, and save them.

The paste box is password-style (the text is a secret: never echoed, logged or kept
outside the keychain). ``core.token_import.import_tokens`` recognises the shapes (the
installation callback's form body, the OAuth server's JSON answer, the application frame's
fields, ``BX24.getAuth()``); the client ID, secret and OAuth server come from the profile's
renewal fields, so that a pasted refresh token can renew. On success the credential goes
into the profile and is saved as Remember saves it; a failure says what was missing (field
names only) and saves nothing.

Imported when the dialog is first opened, not at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QVBoxLayout, QWidget

from ..core.errors import InspectorError
from ..core.masking import safe_text
from ..core.token_import import import_tokens
from ..i18n import _
from .dialog_slot import open_once
from .widgets import LiveLabel, SecretLineEdit, plain_label

if TYPE_CHECKING:
    from ..core.token_import import ImportedTokens
    from .credentials_panel import CredentialsPanel


class ImportTokensDialog(QDialog):
    """A password-style paste box; Import reads it with ``import_tokens``."""

    imported = Signal(object)
    """The pasted text made a credential (an ``ImportedTokens``); not saved yet."""

    def __init__(self, panel: CredentialsPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importTokensDialog")
        self.setWindowTitle(_("Import tokens"))
        self._panel = panel
        note = plain_label(
            _(
                "Paste what the portal gave the application: the installation callback's "
                "body (auth[access_token]=…), the OAuth server's JSON answer, the frame's "
                "AUTH_ID / REFRESH_ID / DOMAIN fields, or what BX24.getAuth() returns. The "
                "text stays hidden. The client ID and secret are taken from the profile's "
                "renewal fields."
            ),
            self,
        )
        self.paste_field = SecretLineEdit(_("pasted tokens"), _("paste here"), self)
        self.paste_field.edit.setObjectName("importPasteEdit")
        self.paste_field.edit.setAccessibleName(_("Pasted tokens"))
        label = plain_label(_("&Tokens:"), self, wrap=False)
        label.setBuddy(self.paste_field.edit)
        self.status_label = LiveLabel(_("Import status"), self, assertive=True)
        self.status_label.setObjectName("importStatus")
        self.import_button = QPushButton(_("&Import"), self)
        self.import_button.setObjectName("importButton")
        self.import_button.setDefault(True)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(label)
        layout.addWidget(self.paste_field)
        layout.addWidget(self.status_label)
        layout.addWidget(buttons)
        self.import_button.clicked.connect(self.run_import)
        buttons.rejected.connect(self.reject)
        self.resize(560, self.sizeHint().height())

    def run_import(self) -> None:
        text = self.paste_field.text()
        values = self._panel.form.values()
        renewal = values.renewal
        try:
            result = import_tokens(
                text,
                portal=values.portal.strip() or None,
                client_id=renewal.get("client_id") or None,
                client_secret=renewal.get("client_secret") or None,
                oauth_server=renewal.get("oauth_server") or None,
            )
        except InspectorError as exc:
            secrets = [s for s in (text, renewal.get("client_secret", "")) if s]
            self.status_label.setText(f"✗ {safe_text(str(exc), secrets, max_len=600)}")
            return
        self.paste_field.set_text("")  # the text goes no further than the keychain
        self.imported.emit(result)


def open_import(window: Any) -> ImportTokensDialog:
    """Open the import dialog over the ``MainWindow`` *window* (one at a time)."""
    panel: CredentialsPanel = window.credentials_panel

    def make() -> ImportTokensDialog:
        panel.start()
        dialog = ImportTokensDialog(panel, window)
        dialog.imported.connect(lambda result: _finish(window, dialog, result))
        return dialog

    return open_once(window, "import_dialog", make)


def _finish(window: Any, dialog: ImportTokensDialog, result: ImportedTokens) -> None:
    credential = result.credential
    saved = window.credentials_panel.use_signed_in(credential)
    warnings = " ".join(safe_text(w, credential.secrets(), max_len=400) for w in result.warnings)
    dialog.accept()
    message = _("Imported the tokens from {shape}. {saved}").format(
        shape=_(result.shape), saved=saved
    )
    window.status_line.setText(f"{message} ⚠ {warnings}" if warnings else message)
