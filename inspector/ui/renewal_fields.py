"""The fields OAuth token renewal needs: client ID, client secret, refresh token, OAuth server.

Built the first time the "Automatic renewal" section is opened or a saved credential that
can renew is shown, not at start-up. The client secret and refresh token use password echo;
the client ID is not a secret. All four are saved with the credential in the keychain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget

from ..core.credentials import DEFAULT_OAUTH_SERVER
from ..i18n import _
from .widgets import SecretLineEdit, plain_label

if TYPE_CHECKING:
    from ..core.credentials import OAuthCredential


class RenewalFields(QWidget):
    """Client ID, client secret, refresh token and OAuth server: what renewal needs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client_id_edit = QLineEdit(self)
        self.client_id_edit.setObjectName("clientIdEdit")
        self.client_id_edit.setAccessibleName(_("Application client ID"))
        self.client_id_edit.setPlaceholderText(_("local.0123abcd… (not secret)"))
        self.client_secret_field = SecretLineEdit(
            _("client secret (sent only to the OAuth server)"), _("client secret"), self
        )
        self.client_secret_field.edit.setObjectName("clientSecretEdit")
        self.client_secret_field.edit.setAccessibleName(_("Application client secret"))
        self.refresh_token_field = SecretLineEdit(
            _("refresh token (sent only to the OAuth server)"), _("refresh token"), self
        )
        self.refresh_token_field.edit.setObjectName("refreshTokenEdit")
        self.refresh_token_field.edit.setAccessibleName(_("OAuth refresh token"))
        self.oauth_server_edit = QLineEdit(self)
        self.oauth_server_edit.setObjectName("oauthServerEdit")
        self.oauth_server_edit.setAccessibleName(_("OAuth server address"))
        self.oauth_server_edit.setPlaceholderText(DEFAULT_OAUTH_SERVER)
        self.oauth_server_edit.setToolTip(
            _(
                "Leave empty for Bitrix24's OAuth server; change it only for tests or a "
                "private setup"
            )
        )
        note = plain_label(
            _(
                "When the portal says the access token expired, it is renewed once at the "
                "OAuth server and the new tokens are saved in place of the old ones. The "
                "client secret and refresh token go only to the OAuth server."
            ),
            self,
        )
        note.setObjectName("renewalNote")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for text, field in (
            (_("Client I&D:"), self.client_id_edit),
            (_("C&lient secret:"), self.client_secret_field),
            (_("Refresh to&ken:"), self.refresh_token_field),
            (_("OA&uth server:"), self.oauth_server_edit),
        ):
            label = plain_label(text, self, wrap=False)
            label.setBuddy(field.edit if isinstance(field, SecretLineEdit) else field)
            form.addRow(label, field)
        form.addRow(note)

    def edits(self) -> tuple[QLineEdit, ...]:
        return (
            self.client_id_edit,
            self.client_secret_field.edit,
            self.refresh_token_field.edit,
            self.oauth_server_edit,
        )

    def values(self) -> dict[str, str]:
        return {
            "client_id": self.client_id_edit.text(),
            "client_secret": self.client_secret_field.text(),
            "refresh_token": self.refresh_token_field.text(),
            "oauth_server": self.oauth_server_edit.text(),
        }

    def set_values(self, values: dict[str, str]) -> None:
        """Put back texts as ``values()`` returned them (kept for this session)."""
        self.client_id_edit.setText(values.get("client_id", ""))
        self.client_secret_field.set_text(values.get("client_secret", ""))
        self.refresh_token_field.set_text(values.get("refresh_token", ""))
        self.oauth_server_edit.setText(values.get("oauth_server", ""))
        self.client_secret_field.hide_text()
        self.refresh_token_field.hide_text()

    def fill(self, credential: OAuthCredential | None) -> None:
        self.client_id_edit.setText(credential.client_id or "" if credential else "")
        self.client_secret_field.set_text(credential.client_secret or "" if credential else "")
        self.refresh_token_field.set_text(credential.refresh_token or "" if credential else "")
        server = credential.oauth_server if credential else DEFAULT_OAUTH_SERVER
        self.oauth_server_edit.setText("" if server == DEFAULT_OAUTH_SERVER else server)
        self.client_secret_field.hide_text()
        self.refresh_token_field.hide_text()
