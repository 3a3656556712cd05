"""A profile's network settings: a proxy and an extra CA file, checked while typing.

Imported when the dialog is first opened, not at start-up. Empty fields mean the defaults:
proxies from the environment (``HTTPS_PROXY``…) or the system, and TLS verified against the
operating system's trust store. There is deliberately no way to turn verification off.
What is wrong with a value is explained under its field (``core.network``), and OK stays
disabled until both are usable. A proxy password is never shown: the field shows it as a
placeholder, and leaving that text unchanged keeps the saved password.

``edit_profile_network`` opens it for the credentials panel's current profile and, on OK,
keeps what was entered for that profile (``CredentialsPanel.set_network``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import BadCAFile, InputError, InspectorError
from ..core.masking import sanitize
from ..core.network import build_ssl_context, describe_trust
from ..core.proxies import check_proxy
from ..i18n import _
from .theme import Tone, set_tone
from .widgets import plain_label

if TYPE_CHECKING:
    from .credentials_panel import CredentialsPanel


class NetworkDialog(QDialog):
    """Edit the proxy and extra CA file of one profile; ``proxy_text``/``ca_file`` on OK."""

    def __init__(
        self, profile_name: str, proxy_shown: str, ca_file: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("networkDialog")
        self.setWindowTitle(_("Network settings: {profile}").format(profile=profile_name))
        self.setMinimumWidth(620)
        self._proxy_shown = proxy_shown

        self.proxy_edit = QLineEdit(proxy_shown, self)
        self.proxy_edit.setObjectName("proxyEdit")
        self.proxy_edit.setAccessibleName(_("Proxy"))
        self.proxy_edit.setPlaceholderText(_("empty: from the environment or the system"))
        self.proxy_error = plain_label("", self)
        self.proxy_error.setObjectName("proxyError")
        set_tone(self.proxy_error, Tone.ERROR)

        self.ca_edit = QLineEdit(ca_file, self)
        self.ca_edit.setObjectName("caFileEdit")
        self.ca_edit.setAccessibleName(_("Extra CA file"))
        self.ca_edit.setPlaceholderText(_("empty: the system's trust store only"))
        self.ca_browse_button = QPushButton(_("&Browse…"), self)
        self.ca_browse_button.setToolTip(_("Choose the PEM file of your organisation's CA"))
        self.ca_browse_button.clicked.connect(self._browse)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(self.ca_browse_button)
        self.ca_error = plain_label("", self)
        self.ca_error.setObjectName("caFileError")
        set_tone(self.ca_error, Tone.ERROR)

        self.trust_label = plain_label("", self)
        self.trust_label.setObjectName("trustDescription")

        form = QFormLayout()
        proxy_label = plain_label(_("&Proxy:"), self, wrap=False)
        proxy_label.setBuddy(self.proxy_edit)
        ca_label = plain_label(_("Extra &CA file:"), self, wrap=False)
        ca_label.setBuddy(self.ca_edit)
        form.addRow(proxy_label, self.proxy_edit)
        form.addRow("", self.proxy_error)
        form.addRow(ca_label, ca_row)
        form.addRow("", self.ca_error)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                _(
                    "Used by every request of this profile, the token renewal included. A "
                    "proxy looks like http://proxy.example.com:3128 (user:password@ before the "
                    "host if it needs one; the password is kept in the keychain). The extra CA "
                    "file adds a private CA (PEM) for an on-premise portal to the system's trust."
                ),
                self,
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.trust_label)
        layout.addWidget(self.buttons)

        self.proxy_edit.textChanged.connect(self.validate)
        self.ca_edit.textChanged.connect(self.validate)
        self.validate()

    @property
    def proxy_text(self) -> str:
        return self.proxy_edit.text().strip()

    @property
    def ca_file(self) -> str:
        return self.ca_edit.text().strip()

    @property
    def proxy_unchanged(self) -> bool:
        return self.proxy_text == self._proxy_shown

    def validate(self) -> bool:
        """Explain what is wrong under each field; enable OK only when both are usable."""
        proxy_ok = ca_ok = True
        self.proxy_error.setText("")
        self.ca_error.setText("")
        if not self.proxy_unchanged:
            try:
                check_proxy(self.proxy_text)
            except InputError as exc:
                self.proxy_error.setText(str(exc))
                proxy_ok = False
        if self.ca_file:
            try:
                build_ssl_context(self.ca_file)
            except BadCAFile as exc:
                self.ca_error.setText(str(exc))
                ca_ok = False
        shown = (self.proxy_error.isVisibleTo(self), self.ca_error.isVisibleTo(self))
        self.proxy_error.setVisible(not proxy_ok)
        self.ca_error.setVisible(not ca_ok)
        self.trust_label.setText(describe_trust(self.ca_file if ca_ok else None))
        if shown != (not proxy_ok, not ca_ok):
            # Wrapped sentences appeared or went: let the dialog take their height.
            layout = self.layout()
            if layout is not None:
                layout.activate()
            self.adjustSize()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(proxy_ok and ca_ok)
        return proxy_ok and ca_ok

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Extra CA file"),
            self.ca_file,
            _("PEM certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        if path:
            self.ca_edit.setText(path)


def edit_profile_network(
    panel: CredentialsPanel, parent: QWidget, on_done: Callable[[str, bool], None]
) -> NetworkDialog:
    """Open the network settings of *panel*'s current profile (not modal).

    On OK they are kept for that profile; ``on_done(sentence, applied)`` then says what
    happened (``applied`` is False when the proxy could not be used).
    """
    profile = panel.profile()
    dialog = NetworkDialog(
        sanitize(profile.name or _("demo portal")), profile.proxy, profile.ca_file, parent
    )
    dialog.accepted.connect(lambda: on_done(*_apply(panel, dialog)))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def _apply(panel: CredentialsPanel, dialog: NetworkDialog) -> tuple[str, bool]:
    if dialog.proxy_unchanged:
        proxy = panel.network_settings().proxy  # with the saved password
    else:
        try:
            proxy = check_proxy(dialog.proxy_text)
        except InspectorError as exc:
            return str(exc), False
    return panel.set_network(proxy, dialog.ca_file or None), True
