"""Where the user gives the portal credential, and sees where it is kept.

Two kinds (``core.credentials``): an inbound webhook URL, whose path holds the secret code,
or a portal address plus an application's OAuth access token. Both secret fields use
password echo with a Show/Hide button, and the input is validated while typing, with the
result as plain text (never the secret itself).

The keychain is reached only through ``core.keychain.CredentialStore``, only on the GUI
thread, and only after the window is up (``start``), so that importing ``keyring`` does not
slow the first paint. Every outcome (saved, not saved and why, removed) stays visible in
the keychain line. A credential that came from the demo portal or from ``B24_WEBHOOK_URL``
is used for this session only and saved only if the user presses Remember (never for the
demo).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import InvalidCredential
from ..core.masking import sanitize

if TYPE_CHECKING:
    from ..core.credentials import Credential
    from ..core.keychain import CredentialStore

DEFAULT_PROFILE = "default"
WEBHOOK_ENV = "B24_WEBHOOK_URL"
# What the empty webhook field says; shown before core.credentials is imported (start-up).
EMPTY_WEBHOOK_HINT = "Paste the inbound webhook URL that Bitrix24 shows."


class Origin(enum.Enum):
    """Where the credential in the fields came from."""

    TYPED = "typed"
    SAVED = "saved"
    ENVIRONMENT = "environment"
    DEMO = "demo"


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = True) -> QLabel:
    """A label that never interprets rich text (and by default wraps long sentences)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setText(text)
    return label


class SecretLineEdit(QWidget):
    """A password-echo line edit with a Show/Hide button named after what it hides."""

    def __init__(self, what: str, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._what = what
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setPlaceholderText(placeholder)
        self.edit.setAccessibleName(what.capitalize())
        self.edit.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhNoAutoUppercase
        )
        self.edit.setClearButtonEnabled(True)
        self.show_action = QAction(self)
        self.show_action.setCheckable(True)
        self.show_action.toggled.connect(self._on_show_toggled)
        self.show_button = QToolButton(self)
        self.show_button.setDefaultAction(self.show_action)
        self.show_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.show_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._on_show_toggled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.show_button)
        self.setFocusProxy(self.edit)

    def _on_show_toggled(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        verb = "Hide" if shown else "Show"
        self.show_action.setText(verb)
        self.show_action.setToolTip(f"{verb} the {self._what}")
        self.show_button.setAccessibleName(f"{verb} the {self._what}")

    def text(self) -> str:
        return self.edit.text()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def hide_text(self) -> None:
        self.show_action.setChecked(False)


class CredentialsPanel(QGroupBox):
    """Webhook or OAuth credential, its validation, and the keychain buttons."""

    credential_changed = Signal()

    def __init__(self, store: CredentialStore | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Portal credential", parent)
        self.setObjectName("credentialsPanel")
        self._store = store
        self._origin = Origin.TYPED
        self._credential: Credential | None = None
        self._problem = ""
        self._saved: Credential | None = None
        self._filling = False
        self._started = False
        self._backend_name = ""
        self._backend_usable = False
        self._backend_reason = ""
        self._build()
        self._validate()

    # --- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        self.webhook_radio = QRadioButton("&Webhook", self)
        self.webhook_radio.setToolTip(
            "An inbound webhook URL: https://<portal>/rest/<user>/<code>/"
        )
        self.oauth_radio = QRadioButton("&OAuth application", self)
        self.oauth_radio.setToolTip(
            "The portal address and an access token of the application that created the source"
        )
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.webhook_radio)
        self.kind_group.addButton(self.oauth_radio)
        self.webhook_radio.setChecked(True)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.webhook_radio)
        kind_row.addWidget(self.oauth_radio)
        kind_row.addStretch(1)

        self.webhook_field = SecretLineEdit(
            "webhook URL (it contains the secret code)",
            "https://your-portal.bitrix24.com/rest/1/…/",
            self,
        )
        self.webhook_field.edit.setObjectName("webhookUrlEdit")
        self.webhook_field.edit.setAccessibleName("Webhook URL")
        webhook_page = QWidget(self)
        webhook_form = QFormLayout(webhook_page)
        webhook_form.setContentsMargins(0, 0, 0, 0)
        webhook_label = plain_label("Webhook &URL:", webhook_page, wrap=False)
        webhook_label.setBuddy(self.webhook_field.edit)
        webhook_form.addRow(webhook_label, self.webhook_field)

        self.portal_edit = QLineEdit(self)
        self.portal_edit.setObjectName("portalEdit")
        self.portal_edit.setPlaceholderText("your-portal.bitrix24.com")
        self.portal_edit.setAccessibleName("Portal address")
        self.token_field = SecretLineEdit("OAuth access token", "access token", self)
        self.token_field.edit.setObjectName("accessTokenEdit")
        self.token_field.edit.setAccessibleName("OAuth access token")
        oauth_page = QWidget(self)
        oauth_form = QFormLayout(oauth_page)
        oauth_form.setContentsMargins(0, 0, 0, 0)
        portal_label = plain_label("&Portal:", oauth_page, wrap=False)
        portal_label.setBuddy(self.portal_edit)
        token_label = plain_label("Access &token:", oauth_page, wrap=False)
        token_label.setBuddy(self.token_field.edit)
        oauth_form.addRow(portal_label, self.portal_edit)
        oauth_form.addRow(token_label, self.token_field)

        self.pages = QStackedWidget(self)
        self.pages.addWidget(webhook_page)
        self.pages.addWidget(oauth_page)
        self._show_page(0)

        self.feedback_label = plain_label("", self)
        self.feedback_label.setObjectName("credentialFeedback")
        self.feedback_label.setAccessibleName("Credential check")
        self.http_warning = plain_label(
            "⚠ This address uses plain http:// to a remote host: the credential and the "
            "source's secrets travel unencrypted. Use https:// if the portal offers it.",
            self,
        )
        self.http_warning.setObjectName("plainHttpWarning")
        self.http_warning.setAccessibleName("Unencrypted connection warning")
        self.http_warning.setStyleSheet("color: #b35900;")
        self.http_warning.setVisible(False)

        self.remember_button = QPushButton("Remember", self)
        self.remember_button.setObjectName("rememberButton")
        self.remember_button.setToolTip("Save this credential in the system keychain")
        self.forget_button = QPushButton("Forget", self)
        self.forget_button.setObjectName("forgetButton")
        self.forget_button.setToolTip("Remove the saved credential from the system keychain")
        self.keychain_label = plain_label("Keychain: checking…", self)
        self.keychain_label.setObjectName("keychainStatus")
        self.keychain_label.setAccessibleName("Keychain status")
        keychain_row = QHBoxLayout()
        keychain_row.addWidget(self.remember_button)
        keychain_row.addWidget(self.forget_button)
        keychain_row.addWidget(self.keychain_label, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(kind_row)
        layout.addWidget(self.pages)
        layout.addWidget(self.feedback_label)
        layout.addWidget(self.http_warning)
        layout.addLayout(keychain_row)

        self.webhook_radio.toggled.connect(self._on_kind_toggled)
        self.webhook_field.edit.textChanged.connect(self._on_typed)
        self.portal_edit.textChanged.connect(self._on_typed)
        self.token_field.edit.textChanged.connect(self._on_typed)
        self.remember_button.clicked.connect(self.remember)
        self.forget_button.clicked.connect(self.forget)

        QWidget.setTabOrder(self.webhook_radio, self.oauth_radio)
        QWidget.setTabOrder(self.oauth_radio, self.webhook_field.edit)
        QWidget.setTabOrder(self.webhook_field.edit, self.webhook_field.show_button)
        QWidget.setTabOrder(self.webhook_field.show_button, self.portal_edit)
        QWidget.setTabOrder(self.portal_edit, self.token_field.edit)
        QWidget.setTabOrder(self.token_field.edit, self.token_field.show_button)
        QWidget.setTabOrder(self.token_field.show_button, self.remember_button)
        QWidget.setTabOrder(self.remember_button, self.forget_button)

    def _show_page(self, number: int) -> None:
        # A stacked widget is as tall as its tallest page; let hidden pages take no room.
        for page_number in range(self.pages.count()):
            page = self.pages.widget(page_number)
            if page is None:
                continue
            policy = (
                QSizePolicy.Policy.Preferred
                if page_number == number
                else QSizePolicy.Policy.Ignored
            )
            page.setSizePolicy(policy, policy)
        self.pages.setCurrentIndex(number)
        self.pages.adjustSize()

    # --- state -------------------------------------------------------------------------

    @property
    def origin(self) -> Origin:
        return self._origin

    def credential(self) -> Credential | None:
        """The valid credential in the fields, or None (see ``problem``)."""
        return self._credential

    @property
    def problem(self) -> str:
        """Why there is no usable credential ("" when there is one)."""
        return self._problem

    def first_field(self) -> QWidget:
        return self.webhook_field.edit if self.webhook_radio.isChecked() else self.portal_edit

    def _on_kind_toggled(self, webhook: bool) -> None:
        self._show_page(0 if webhook else 1)
        if not self._filling:
            self._origin = Origin.TYPED
        self._validate()

    def _on_typed(self) -> None:
        if not self._filling:
            self._origin = Origin.TYPED
        self._validate()

    def _validate(self) -> None:
        credential: Credential | None = None
        problem = ""
        webhook = self.webhook_radio.isChecked()
        if webhook and not self.webhook_field.text().strip():
            problem = EMPTY_WEBHOOK_HINT  # the window's first state: no parser needed yet
        else:
            # Imported on first use to keep start-up lean.
            from ..core.credentials import make_oauth_credential, parse_webhook_url

            try:
                if webhook:
                    credential = parse_webhook_url(self.webhook_field.text())
                else:
                    credential = make_oauth_credential(
                        self.portal_edit.text(), self.token_field.text()
                    )
            except InvalidCredential as exc:
                problem = str(exc)
        self._credential, self._problem = credential, problem
        if credential is not None and credential.kind == "webhook":
            self.feedback_label.setText(
                f"✓ Webhook for {sanitize(credential.host)}, user {credential.user_id}"
            )
        elif credential is not None:
            self.feedback_label.setText(f"✓ OAuth access token for {sanitize(credential.host)}")
        else:
            empty = not (
                self.webhook_field.text()
                if self.webhook_radio.isChecked()
                else self.portal_edit.text() or self.token_field.text()
            ).strip()
            self.feedback_label.setText(problem if empty else f"✗ {problem}")
        self.http_warning.setVisible(credential is not None and credential.is_plain_http_remote)
        self._update_buttons()
        self._update_keychain_line_for_edit()
        self.credential_changed.emit()

    def _update_buttons(self) -> None:
        self.remember_button.setEnabled(
            self._credential is not None and self._origin is not Origin.DEMO
        )
        if not self._started:
            self.remember_button.setText("Remember")
        elif self._backend_usable:
            self.remember_button.setText(f"Remember in {self._backend_name}")
        else:
            self.remember_button.setText("Remember for this session")

    def _update_keychain_line_for_edit(self) -> None:
        """After an edit, say whether the fields still match what is saved."""
        if not self._started or self._origin is not Origin.TYPED:
            return
        if self._saved is not None and self._credential == self._saved:
            self._set_keychain_text(f"Saved in {self._backend_name}.")
        elif self._saved is not None:
            self._set_keychain_text(
                f"Changed: {self._backend_name} still holds the previous credential. "
                "Press Remember to replace it."
            )
        else:
            self._set_keychain_text(self._not_saved_text())

    def _set_keychain_text(self, text: str) -> None:
        self.keychain_label.setText(text)

    def _not_saved_text(self) -> str:
        if self._backend_usable:
            return f"Not saved. Remember keeps it in {self._backend_name}."
        return f"Not saved: {self._backend_reason}"

    # --- filling the fields ------------------------------------------------------------

    def _fill(self, credential_text: str, origin: Origin, *, oauth: tuple[str, str] | None) -> None:
        self._filling = True
        try:
            if oauth is None:
                self.webhook_radio.setChecked(True)
                self.webhook_field.set_text(credential_text)
            else:
                self.oauth_radio.setChecked(True)
                self.portal_edit.setText(oauth[0])
                self.token_field.set_text(oauth[1])
            self.webhook_field.hide_text()
            self.token_field.hide_text()
            self._origin = origin
        finally:
            self._filling = False
        self._validate()

    def use_session_webhook(self, url: str, origin: Origin) -> None:
        """Fill in a webhook URL for this session only (demo portal or environment)."""
        self._fill(url, origin, oauth=None)
        if origin is Origin.DEMO:
            self._set_keychain_text("Demo portal credential: for this session only, never saved.")
        else:
            self._set_keychain_text(
                f"From {WEBHOOK_ENV}: used for this session only; not saved unless you "
                "press Remember."
            )

    def _fill_credential(self, credential: Credential, origin: Origin) -> None:
        if credential.kind == "webhook":
            self._fill(credential.endpoint(""), origin, oauth=None)
        else:
            self._fill("", origin, oauth=(credential.portal.origin, credential.access_token))

    # --- keychain ----------------------------------------------------------------------

    def _get_store(self) -> CredentialStore:
        if self._store is None:
            # Imported on first use: keyring costs as much start-up time as Qt itself.
            from ..core.keychain import CredentialStore

            self._store = CredentialStore()
        return self._store

    def _refresh_status(self) -> None:
        status = self._get_store().status()
        self._backend_name = status.backend_name
        self._backend_usable = status.usable
        self._backend_reason = status.reason or "the keychain cannot be used."

    @property
    def started(self) -> bool:
        return self._started

    def start(self) -> None:
        """Ask the keychain where credentials go and load the saved one (GUI thread only).

        A credential already given for this session (demo, environment) is kept and the
        saved one is not read.
        """
        if self._started:
            return
        self._started = True
        self._refresh_status()
        if self._origin in (Origin.DEMO, Origin.ENVIRONMENT):
            self._update_buttons()
            return
        outcome = self._get_store().load(DEFAULT_PROFILE)
        if outcome.secret is None:
            self._update_buttons()
            # Without a usable keychain, say so (and that the fields are session-only) rather
            # than that nothing could be read.
            usable_message = outcome.message if self._backend_usable else None
            self._set_keychain_text(usable_message or self._not_saved_text())
            return
        from ..core.credentials import credential_from_storage

        try:
            credential = credential_from_storage(outcome.secret)
        except InvalidCredential as exc:
            self._update_buttons()
            self._set_keychain_text(str(exc))
            return
        if self._origin is Origin.TYPED and self._credential is not None:
            # The user typed one before the keychain answered: theirs wins.
            self._saved = credential
            self._update_keychain_line_for_edit()
            return
        self._saved = None if outcome.from_session_only else credential
        self._fill_credential(credential, Origin.SAVED)
        if outcome.from_session_only:
            self._set_keychain_text(outcome.message or "Kept for this session only.")
        else:
            self._set_keychain_text(f"Saved in {self._backend_name}.")

    def remember(self) -> None:
        """Save the credential in the fields under the default profile."""
        credential = self._credential
        if credential is None or self._origin is Origin.DEMO:
            return
        self._started = True
        self._refresh_status()
        outcome = self._get_store().save(DEFAULT_PROFILE, credential.to_storage())
        if outcome.persisted:
            self._saved = credential
            self._origin = Origin.SAVED
        self._update_buttons()
        self._set_keychain_text(outcome.message)

    def forget(self) -> None:
        """Remove the saved credential; the fields keep it for this session."""
        self._started = True
        self._refresh_status()
        message = self._get_store().forget(DEFAULT_PROFILE)
        self._saved = None
        if self._origin is Origin.SAVED:
            self._origin = Origin.TYPED
        if self._credential is not None:
            message += " The fields still hold it for this session."
        self._update_buttons()
        self._set_keychain_text(message)
