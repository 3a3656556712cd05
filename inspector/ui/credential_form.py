"""The credential form: a webhook URL, or a portal address with an OAuth access token.

What the credentials panel shows under the profile row: the Webhook / OAuth choice, the
fields of that kind (the "Automatic renewal" fields built when first opened, see
``renewal_fields.py``), the check of what was typed (plain text, never the secret itself),
a warning for plain http:// to a remote host, the Remember / Forget buttons and the
keychain line. Secret fields use password echo with a Show/Hide button.

The form only shows and reports: the texts come and go as a ``core.field_values.FieldValues``
(``values`` / ``show_values``), a change by the user is announced with ``edited``, and
whether the texts make a credential is decided by the profile session.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.field_values import FieldValues
from ..core.hosts import display_host
from ..core.profile_session import CHECKING_KEYCHAIN
from ..i18n import _
from .qt_namespace import set_enum
from .renewal_fields import RenewalFields
from .theme import Tone, set_tone
from .widgets import SecretLineEdit, plain_label

if TYPE_CHECKING:
    from ..core.credentials import Credential


class CredentialForm(QWidget):
    """Webhook or OAuth fields, their check, Remember / Forget and the keychain line."""

    edited = Signal()
    """The user changed a field or the kind (not when ``show_values`` fills them)."""

    sign_in_requested = Signal()
    """The user pressed "Sign in with browser…"."""

    import_requested = Signal()
    """The user pressed "Import tokens…"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._filling = False
        self.renewal: RenewalFields | None = None
        self._build()

    def _build(self) -> None:
        self.webhook_radio = QRadioButton(_("&Webhook"), self)
        self.webhook_radio.setToolTip(
            _("An inbound webhook URL: https://<portal>/rest/<user>/<code>/")
        )
        self.oauth_radio = QRadioButton(_("&OAuth application"), self)
        self.oauth_radio.setToolTip(
            _("The portal address and an access token of the application that created the source")
        )
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.webhook_radio)
        self.kind_group.addButton(self.oauth_radio)
        self.oauth_radio.setChecked(True)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.webhook_radio)
        kind_row.addWidget(self.oauth_radio)
        kind_row.addStretch(1)

        self.webhook_field = SecretLineEdit(
            _("webhook URL (it contains the secret code)"),
            _("https://your-portal.bitrix24.com/rest/1/…/"),
            self,
        )
        self.webhook_field.edit.setObjectName("webhookUrlEdit")
        self.webhook_field.edit.setAccessibleName(_("Webhook URL"))
        webhook_page = QWidget(self)
        webhook_form = QFormLayout(webhook_page)
        webhook_form.setContentsMargins(0, 0, 0, 0)
        webhook_label = plain_label(_("Webhook &URL:"), webhook_page, wrap=False)
        webhook_label.setBuddy(self.webhook_field.edit)
        webhook_form.addRow(webhook_label, self.webhook_field)
        webhook_note = plain_label(
            _(
                "Current portals refuse webhooks for the BI Builder methods (ACCESS_DENIED): "
                "use an OAuth application unless your portal still accepts them."
            ),
            webhook_page,
        )
        webhook_note.setObjectName("webhookNote")
        webhook_form.addRow(webhook_note)

        self.portal_edit = QLineEdit(self)
        self.portal_edit.setObjectName("portalEdit")
        self.portal_edit.setPlaceholderText(_("your-portal.bitrix24.com"))
        self.portal_edit.setAccessibleName(_("Portal address"))
        self.token_field = SecretLineEdit(_("OAuth access token"), _("access token"), self)
        self.token_field.edit.setObjectName("accessTokenEdit")
        self.token_field.edit.setAccessibleName(_("OAuth access token"))
        self.renewal_toggle = QToolButton(self)
        self.renewal_toggle.setObjectName("renewalToggle")
        self.renewal_toggle.setCheckable(True)
        set_enum(self.renewal_toggle, "arrowType", "RightArrow")
        set_enum(self.renewal_toggle, "toolButtonStyle", "ToolButtonTextBesideIcon")
        self.renewal_toggle.setAutoRaise(True)
        self.renewal_toggle.setText(_("Automatic renewal: off"))
        self.renewal_toggle.setAccessibleName(_("Show the automatic renewal fields"))
        oauth_page = QWidget(self)
        self._oauth_form = QFormLayout(oauth_page)
        self._oauth_form.setContentsMargins(0, 0, 0, 0)
        portal_label = plain_label(_("Port&al:"), oauth_page, wrap=False)
        portal_label.setBuddy(self.portal_edit)
        token_label = plain_label(_("Access &token:"), oauth_page, wrap=False)
        token_label.setBuddy(self.token_field.edit)
        self.sign_in_button = QPushButton(_("Si&gn in with browser…"), oauth_page)
        self.sign_in_button.setObjectName("signInButton")
        self.sign_in_button.setToolTip(
            _("Get the tokens from the portal with the application's client ID and secret")
        )
        self.import_button = QPushButton(_("I&mport tokens…"), oauth_page)
        self.import_button.setObjectName("importTokensButton")
        self.import_button.setToolTip(_("Paste tokens the portal gave an application"))
        sign_in_row = QHBoxLayout()
        sign_in_row.addWidget(self.sign_in_button)
        sign_in_row.addWidget(self.import_button)
        sign_in_row.addStretch(1)
        self._oauth_form.addRow(sign_in_row)
        self._oauth_form.addRow(portal_label, self.portal_edit)
        self._oauth_form.addRow(token_label, self.token_field)
        self._oauth_form.addRow(self.renewal_toggle)

        # One page per kind, only the chosen one shown: a hidden page takes no room (a
        # QStackedWidget is as tall as its tallest page).
        self._webhook_page, self._oauth_page = webhook_page, oauth_page
        self._show_page(webhook=False)

        self.feedback_label = plain_label("", self)
        self.feedback_label.setObjectName("credentialFeedback")
        self.feedback_label.setAccessibleDescription(_("Credential check"))
        self.http_warning = plain_label(
            _(
                "⚠ This address uses plain http:// to a remote host: the credential and the "
                "source's secrets travel unencrypted. Use https:// if the portal offers it."
            ),
            self,
        )
        self.http_warning.setObjectName("plainHttpWarning")
        self.http_warning.setAccessibleDescription(_("Unencrypted connection warning"))
        set_tone(self.http_warning, Tone.WARNING)
        self.http_warning.setVisible(False)

        self.remember_button = QPushButton(_("Remember"), self)
        self.remember_button.setObjectName("rememberButton")
        self.remember_button.setToolTip(_("Save this credential in the system keychain"))
        self.forget_button = QPushButton(_("Forget"), self)
        self.forget_button.setObjectName("forgetButton")
        self.forget_button.setToolTip(_("Remove the saved credential from the system keychain"))
        self.keychain_label = plain_label(_(CHECKING_KEYCHAIN), self)
        self.keychain_label.setObjectName("keychainStatus")
        self.keychain_label.setAccessibleDescription(_("Keychain status"))
        keychain_row = QHBoxLayout()
        keychain_row.addWidget(self.remember_button)
        keychain_row.addWidget(self.forget_button)
        keychain_row.addWidget(self.keychain_label, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(kind_row)
        layout.addWidget(webhook_page)
        layout.addWidget(oauth_page)
        layout.addWidget(self.feedback_label)
        layout.addWidget(self.http_warning)
        layout.addLayout(keychain_row)

        self.webhook_radio.toggled.connect(self._on_kind_toggled)
        self.webhook_field.edit.textChanged.connect(self._on_typed)
        self.portal_edit.textChanged.connect(self._on_typed)
        self.token_field.edit.textChanged.connect(self._on_typed)
        self.renewal_toggle.toggled.connect(self.show_renewal)
        self.sign_in_button.clicked.connect(self.sign_in_requested)
        self.import_button.clicked.connect(self.import_requested)

        QWidget.setTabOrder(self.webhook_radio, self.oauth_radio)
        QWidget.setTabOrder(self.oauth_radio, self.webhook_field.edit)
        QWidget.setTabOrder(self.webhook_field.edit, self.webhook_field.show_button)
        QWidget.setTabOrder(self.webhook_field.show_button, self.sign_in_button)
        QWidget.setTabOrder(self.sign_in_button, self.import_button)
        QWidget.setTabOrder(self.import_button, self.portal_edit)
        QWidget.setTabOrder(self.portal_edit, self.token_field.edit)
        QWidget.setTabOrder(self.token_field.edit, self.token_field.show_button)
        QWidget.setTabOrder(self.token_field.show_button, self.renewal_toggle)
        QWidget.setTabOrder(self.renewal_toggle, self.remember_button)
        QWidget.setTabOrder(self.remember_button, self.forget_button)

    def _show_page(self, *, webhook: bool) -> None:
        self._webhook_page.setVisible(webhook)
        self._oauth_page.setVisible(not webhook)

    def show_renewal(self, shown: bool = True) -> RenewalFields:
        """Show (building them on first use) or hide the automatic renewal fields."""
        renewal = self._renewal_fields()
        renewal.setVisible(shown)
        if self.renewal_toggle.isChecked() != shown:
            self.renewal_toggle.setChecked(shown)
        set_enum(self.renewal_toggle, "arrowType", "DownArrow" if shown else "RightArrow")
        self.renewal_toggle.setAccessibleName(
            _("Hide the automatic renewal fields")
            if shown
            else _("Show the automatic renewal fields")
        )
        return renewal

    def _renewal_fields(self) -> RenewalFields:
        if self.renewal is None:
            renewal = RenewalFields(self._oauth_page)
            renewal.setVisible(False)
            self._oauth_form.addRow(renewal)
            for edit in renewal.edits():
                edit.textChanged.connect(self._on_typed)
            chain = (
                self.renewal_toggle,
                renewal.client_id_edit,
                renewal.client_secret_field.edit,
                renewal.client_secret_field.show_button,
                renewal.refresh_token_field.edit,
                renewal.refresh_token_field.show_button,
                renewal.oauth_server_edit,
                self.remember_button,
            )
            for before, after in itertools.pairwise(chain):
                QWidget.setTabOrder(before, after)
            self.renewal = renewal
        return self.renewal

    def first_field(self) -> QWidget:
        return self.webhook_field.edit if self.webhook_radio.isChecked() else self.portal_edit

    def _on_kind_toggled(self, webhook: bool) -> None:
        self._show_page(webhook=webhook)
        self._on_typed()

    def _on_typed(self) -> None:
        if not self._filling:
            self.edited.emit()

    # --- the texts ---------------------------------------------------------------------

    def values(self) -> FieldValues:
        """Every field's text as typed, and the chosen kind."""
        return FieldValues(
            "webhook" if self.webhook_radio.isChecked() else "oauth",
            webhook=self.webhook_field.text(),
            portal=self.portal_edit.text(),
            token=self.token_field.text(),
            renewal=self.renewal.values() if self.renewal is not None else {},
        )

    def show_values(self, values: FieldValues) -> None:
        """Replace every field with *values* (secrets hidden again); ``edited`` stays quiet."""
        self._filling = True
        try:
            radio = self.oauth_radio if values.kind == "oauth" else self.webhook_radio
            radio.setChecked(True)
            self.webhook_field.set_text(values.webhook)
            self.portal_edit.setText(values.portal)
            self.token_field.set_text(values.token)
            if values.has_renewal():
                self._renewal_fields().set_values(values.renewal)
            elif self.renewal is not None:
                self.renewal.fill(None)
            self.webhook_field.hide_text()
            self.token_field.hide_text()
        finally:
            self._filling = False

    def show_check(self, credential: Credential | None, problem: str) -> None:
        """Say what the fields make: a credential for which portal, or what is wrong."""
        renewable = credential is not None and credential.kind == "oauth" and credential.can_refresh
        self.renewal_toggle.setText(
            _("Automatic renewal: on") if renewable else _("Automatic renewal: off")
        )
        host, warning = display_host(credential.host) if credential else ("", None)
        caution = f"\n⚠ {warning}" if warning else ""
        if credential is not None and credential.kind == "webhook":
            check = _("✓ Webhook for {host}, user {user}").format(
                host=host, user=credential.user_id
            )
            self.feedback_label.setText(check + caution)
        elif credential is not None:
            if renewable:
                check = _("✓ OAuth access token for {host}, renewed automatically when it expires")
            else:
                check = _("✓ OAuth access token for {host}")
            self.feedback_label.setText(check.format(host=host) + caution)
        else:
            empty = self.values().is_empty_choice()
            self.feedback_label.setText(problem if empty else f"✗ {problem}")
        self.http_warning.setVisible(credential is not None and credential.is_plain_http_remote)
