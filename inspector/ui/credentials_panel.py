"""Where the user picks a profile, gives the portal credential, and sees where it is kept.

Profiles (``profiles.py``) are named portals: the combo box switches between them, and
New / Rename / Delete manage them. Each profile's credential is one keychain entry under
its name; deleting a profile removes that entry (and its proxy password, if any).

Two kinds of credential (``core.credentials``): an inbound webhook URL, whose path holds
the secret code, or a portal address plus an application's OAuth access token, optionally
with what renewing it needs (client ID, client secret, refresh token, OAuth server; the
"Automatic renewal" fields, built when first opened). Secret fields use password echo with
a Show/Hide button, and the input is validated while typing, with the result as plain
text (never the secret itself).

The keychain is reached only through ``core.keychain.CredentialStore``, only on the GUI
thread, and only after the window is up (``start``), so that importing ``keyring`` does not
slow the first paint. Every outcome (saved, not saved and why, removed, renewed) stays
visible in the keychain line. A credential that came from the demo portal or from
``B24_WEBHOOK_URL`` is used for this session only and saved only if the user presses
Remember (never for the demo, which has a profile entry of its own).

Nothing typed is lost by switching profile: when the fields differ from what the profile
has (saved, or kept for this session), leaving it asks first (``keep_changes.py``):
Remember, Keep for this session, or Cancel (stay).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.masking import sanitize
from .profiles import DEFAULT_PROFILE, NetworkSettings, Profile, ProfileStore, check_profile_name
from .widgets import SecretLineEdit, plain_label

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings

    from ..core.credentials import Credential, OAuthCredential
    from ..core.keychain import CredentialStore
    from .keep_changes import FieldValues, KeepChoice
    from .renewal_fields import RenewalFields

__all__ = ["DEFAULT_PROFILE", "WEBHOOK_ENV", "CredentialsPanel", "Origin", "plain_label"]

WEBHOOK_ENV = "B24_WEBHOOK_URL"
# What the empty webhook field says; shown before core.credentials is imported (start-up).
EMPTY_WEBHOOK_HINT = "Paste the inbound webhook URL that Bitrix24 shows."
DEMO_ENTRY = "Demo portal (this session)"
MAX_SHOWN_NAME = 64


class Origin(enum.Enum):
    """Where the credential in the fields came from."""

    TYPED = "typed"
    SAVED = "saved"
    ENVIRONMENT = "environment"
    DEMO = "demo"


class CredentialsPanel(QGroupBox):
    """Profile switcher, webhook or OAuth credential, validation, and the keychain line."""

    credential_changed = Signal()
    profile_changed = Signal()
    """The user switched to another profile (or back to the demo entry)."""

    network_changed = Signal()

    def __init__(
        self,
        store: CredentialStore | None = None,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__("Portal credential", parent)
        self.setObjectName("credentialsPanel")
        if settings is None:
            from PySide6.QtCore import QSettings

            settings = QSettings()
        self.profiles = ProfileStore(settings)
        self._store = store
        self._profile: str | None = self.profiles.last_used  # None: the demo session
        self._session_profile = Profile("")  # the demo entry's network settings
        self._session_webhook: str | None = None  # the demo's URL, to return to its entry
        self._proxy_url: str | None = None  # the current profile's proxy with its password
        self._origin = Origin.TYPED
        self._credential: Credential | None = None
        self._problem = ""
        self._saved: Credential | None = None
        # What the keychain (or its copy for this session) holds for the current profile.
        self._held: Credential | None = None
        # "Keep for this session" answers: the fields as left, per profile (None: the demo).
        self._kept: dict[str | None, FieldValues] = {}
        self.leave_note = ""
        """What happened to the changes of the profile just left (for the status line)."""
        self._filling = False
        self._updating_combo = False
        self._started = False
        self._backend_name = ""
        self._backend_usable = False
        self._backend_reason = ""
        self.renewal: RenewalFields | None = None
        self._build()
        self._fill_profile_combo()
        self._update_network_label()
        self._validate()

    # --- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        self.profile_combo = QComboBox(self)
        self.profile_combo.setObjectName("profileCombo")
        self.profile_combo.setAccessibleName("Profile")
        self.profile_combo.setToolTip("Each profile is one portal with its own saved credential")
        self.profile_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        profile_label = plain_label("Pro&file:", self, wrap=False)
        profile_label.setBuddy(self.profile_combo)
        self.new_profile_button = QPushButton("New…", self)
        self.new_profile_button.setObjectName("newProfileButton")
        self.new_profile_button.setToolTip("Add a profile for another portal")
        self.rename_profile_button = QPushButton("Rename…", self)
        self.rename_profile_button.setObjectName("renameProfileButton")
        self.rename_profile_button.setToolTip("Rename this profile (its keychain entry moves)")
        self.delete_profile_button = QPushButton("Delete…", self)
        self.delete_profile_button.setObjectName("deleteProfileButton")
        self.delete_profile_button.setToolTip(
            "Delete this profile and remove its credential from the keychain"
        )
        self.network_label = plain_label("", self, wrap=False)
        self.network_label.setObjectName("networkSummary")
        self.network_label.setAccessibleName("Network settings of this profile")
        self.network_button = QPushButton("Net&work…", self)
        self.network_button.setObjectName("networkButton")
        self.network_button.setToolTip("Proxy and extra CA file for this profile")
        profile_row = QHBoxLayout()
        profile_row.addWidget(profile_label)
        profile_row.addWidget(self.profile_combo)
        profile_row.addWidget(self.new_profile_button)
        profile_row.addWidget(self.rename_profile_button)
        profile_row.addWidget(self.delete_profile_button)
        profile_row.addStretch(1)
        profile_row.addWidget(self.network_label)
        profile_row.addWidget(self.network_button)

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
        self.renewal_toggle = QToolButton(self)
        self.renewal_toggle.setObjectName("renewalToggle")
        self.renewal_toggle.setCheckable(True)
        self.renewal_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.renewal_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.renewal_toggle.setAutoRaise(True)
        self.renewal_toggle.setText("Automatic renewal: off")
        self.renewal_toggle.setAccessibleName("Show the automatic renewal fields")
        oauth_page = QWidget(self)
        self._oauth_form = QFormLayout(oauth_page)
        self._oauth_form.setContentsMargins(0, 0, 0, 0)
        portal_label = plain_label("&Portal:", oauth_page, wrap=False)
        portal_label.setBuddy(self.portal_edit)
        token_label = plain_label("Access &token:", oauth_page, wrap=False)
        token_label.setBuddy(self.token_field.edit)
        self._oauth_form.addRow(portal_label, self.portal_edit)
        self._oauth_form.addRow(token_label, self.token_field)
        self._oauth_form.addRow(self.renewal_toggle)

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
        layout.addLayout(profile_row)
        layout.addLayout(kind_row)
        layout.addWidget(self.pages)
        layout.addWidget(self.feedback_label)
        layout.addWidget(self.http_warning)
        layout.addLayout(keychain_row)

        self.profile_combo.currentIndexChanged.connect(self._on_profile_index_changed)
        self.new_profile_button.clicked.connect(self.new_profile)
        self.rename_profile_button.clicked.connect(self.rename_profile)
        self.delete_profile_button.clicked.connect(self.delete_profile)
        self.webhook_radio.toggled.connect(self._on_kind_toggled)
        self.webhook_field.edit.textChanged.connect(self._on_typed)
        self.portal_edit.textChanged.connect(self._on_typed)
        self.token_field.edit.textChanged.connect(self._on_typed)
        self.renewal_toggle.toggled.connect(self.show_renewal)
        self.remember_button.clicked.connect(self.remember)
        self.forget_button.clicked.connect(self.forget)

        QWidget.setTabOrder(self.profile_combo, self.new_profile_button)
        QWidget.setTabOrder(self.new_profile_button, self.rename_profile_button)
        QWidget.setTabOrder(self.rename_profile_button, self.delete_profile_button)
        QWidget.setTabOrder(self.delete_profile_button, self.network_button)
        QWidget.setTabOrder(self.network_button, self.webhook_radio)
        QWidget.setTabOrder(self.webhook_radio, self.oauth_radio)
        QWidget.setTabOrder(self.oauth_radio, self.webhook_field.edit)
        QWidget.setTabOrder(self.webhook_field.edit, self.webhook_field.show_button)
        QWidget.setTabOrder(self.webhook_field.show_button, self.portal_edit)
        QWidget.setTabOrder(self.portal_edit, self.token_field.edit)
        QWidget.setTabOrder(self.token_field.edit, self.token_field.show_button)
        QWidget.setTabOrder(self.token_field.show_button, self.renewal_toggle)
        QWidget.setTabOrder(self.renewal_toggle, self.remember_button)
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

    def show_renewal(self, shown: bool = True) -> RenewalFields:
        """Show (building them on first use) or hide the automatic renewal fields."""
        renewal = self._renewal_fields()
        renewal.setVisible(shown)
        if self.renewal_toggle.isChecked() != shown:
            self.renewal_toggle.setChecked(shown)
        self.renewal_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        self.renewal_toggle.setAccessibleName(
            "Hide the automatic renewal fields" if shown else "Show the automatic renewal fields"
        )
        self._show_page(self.pages.currentIndex())
        return renewal

    def _renewal_fields(self) -> RenewalFields:
        if self.renewal is None:
            from .renewal_fields import RenewalFields  # built when first needed (start-up)

            renewal = RenewalFields(self.pages.widget(1))
            renewal.setVisible(False)
            self._oauth_form.addRow(renewal)
            for edit in renewal.edits():
                edit.textChanged.connect(self._on_typed)
            QWidget.setTabOrder(self.renewal_toggle, renewal.client_id_edit)
            QWidget.setTabOrder(renewal.client_id_edit, renewal.client_secret_field.edit)
            QWidget.setTabOrder(
                renewal.client_secret_field.edit, renewal.client_secret_field.show_button
            )
            QWidget.setTabOrder(
                renewal.client_secret_field.show_button, renewal.refresh_token_field.edit
            )
            QWidget.setTabOrder(
                renewal.refresh_token_field.edit, renewal.refresh_token_field.show_button
            )
            QWidget.setTabOrder(renewal.refresh_token_field.show_button, renewal.oauth_server_edit)
            QWidget.setTabOrder(renewal.oauth_server_edit, self.remember_button)
            self.renewal = renewal
        return self.renewal

    # --- state -------------------------------------------------------------------------

    @property
    def origin(self) -> Origin:
        return self._origin

    @property
    def current_profile(self) -> str | None:
        """The profile in use; None for the demo portal's session entry."""
        return self._profile

    def profile(self) -> Profile:
        """The current profile's non-secret facts (the demo entry's are session-only)."""
        if self._profile is None:
            return self._session_profile
        return self.profiles.get(self._profile)

    def credential(self) -> Credential | None:
        """The valid credential in the fields, or None (see ``problem``)."""
        return self._credential

    @property
    def problem(self) -> str:
        """Why there is no usable credential ("" when there is one)."""
        return self._problem

    @property
    def backend_name(self) -> str:
        return self._backend_name

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
            from ..core.errors import InvalidCredential

            renewal = self.renewal.values() if self.renewal is not None else {}
            try:
                if webhook:
                    credential = parse_webhook_url(self.webhook_field.text())
                else:
                    credential = make_oauth_credential(
                        self.portal_edit.text(), self.token_field.text(), **renewal
                    )
            except InvalidCredential as exc:
                problem = str(exc)
        self._credential, self._problem = credential, problem
        renewable = credential is not None and credential.kind == "oauth" and credential.can_refresh
        self.renewal_toggle.setText(f"Automatic renewal: {'on' if renewable else 'off'}")
        if credential is not None and credential.kind == "webhook":
            self.feedback_label.setText(
                f"✓ Webhook for {sanitize(credential.host)}, user {credential.user_id}"
            )
        elif credential is not None:
            renewed = ", renewed automatically when it expires" if renewable else ""
            self.feedback_label.setText(
                f"✓ OAuth access token for {sanitize(credential.host)}{renewed}"
            )
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
        on_profile = self._profile is not None
        self.remember_button.setEnabled(
            on_profile and self._credential is not None and self._origin is not Origin.DEMO
        )
        self.forget_button.setEnabled(on_profile)
        self.rename_profile_button.setEnabled(on_profile)
        self.delete_profile_button.setEnabled(on_profile)
        if not self._started:
            self.remember_button.setText("Remember")
        elif self._backend_usable:
            self.remember_button.setText(f"Remember in {self._backend_name}")
        else:
            self.remember_button.setText("Remember for this session")

    def _update_keychain_line_for_edit(self) -> None:
        """After an edit, say whether the fields still match what is saved."""
        if not self._started or self._origin is not Origin.TYPED or self._profile is None:
            return
        if self._profile in self._kept and self._kept[self._profile] == self._field_values():
            self._set_keychain_text(self._kept_text())
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

    def _kept_text(self) -> str:
        if self._saved is not None and self._credential == self._saved:
            return f"Saved in {self._backend_name}."
        if self._saved is not None:
            return (
                f"Kept for this session: {self._backend_name} still holds the previous "
                "credential. Press Remember to replace it."
            )
        if self._backend_usable:
            return f"Kept for this session, not saved. Remember keeps it in {self._backend_name}."
        return f"Kept for this session, not saved: {self._backend_reason}"

    def _set_keychain_text(self, text: str) -> None:
        self.keychain_label.setText(text)

    def _not_saved_text(self) -> str:
        if self._backend_usable:
            return f"Not saved. Remember keeps it in {self._backend_name}."
        return f"Not saved: {self._backend_reason}"

    # --- filling the fields ------------------------------------------------------------

    def _fill(
        self,
        origin: Origin,
        *,
        webhook: str = "",
        oauth: OAuthCredential | None = None,
        kind: str = "webhook",
    ) -> None:
        """Replace every field: a webhook URL, an OAuth credential, or nothing (*kind*)."""
        self._filling = True
        try:
            if oauth is not None or kind == "oauth":
                self.oauth_radio.setChecked(True)
            else:
                self.webhook_radio.setChecked(True)
            self.webhook_field.set_text(webhook)
            self.portal_edit.setText(oauth.portal.origin if oauth is not None else "")
            self.token_field.set_text(oauth.access_token if oauth is not None else "")
            if oauth is not None and oauth.can_refresh:
                self._renewal_fields().fill(oauth)
            elif self.renewal is not None:
                self.renewal.fill(None)
            self.webhook_field.hide_text()
            self.token_field.hide_text()
            self._origin = origin
        finally:
            self._filling = False
        self._validate()

    def _fill_values(self, values: FieldValues, origin: Origin) -> None:
        """Put back fields kept for this session, exactly as they were typed."""
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
            self._origin = origin
        finally:
            self._filling = False
        self._validate()

    def _field_values(self) -> FieldValues:
        from .keep_changes import FieldValues

        return FieldValues(
            "webhook" if self.webhook_radio.isChecked() else "oauth",
            webhook=self.webhook_field.text(),
            portal=self.portal_edit.text(),
            token=self.token_field.text(),
            renewal=self.renewal.values() if self.renewal is not None else None,
        )

    @staticmethod
    def _credential_of(values: FieldValues) -> Credential | None:
        """The credential that fields kept for this session hold, if they hold a valid one."""
        from ..core.credentials import make_oauth_credential, parse_webhook_url
        from ..core.errors import InvalidCredential

        try:
            if values.kind == "webhook":
                return parse_webhook_url(values.webhook)
            return make_oauth_credential(values.portal, values.token, **values.renewal)
        except InvalidCredential:
            return None

    def _fill_credential(self, credential: Credential, origin: Origin) -> None:
        if credential.kind == "webhook":
            self._fill(origin, webhook=credential.endpoint(""))
        else:
            self._fill(origin, oauth=credential)

    def use_session_webhook(self, url: str, origin: Origin) -> None:
        """Fill in a webhook URL for this session only (demo portal or environment)."""
        if origin is Origin.DEMO:
            self._session_webhook = url
            self._profile = None
            self._fill_profile_combo()
        self._fill(origin, webhook=url)
        if origin is Origin.DEMO:
            self._set_keychain_text("Demo portal credential: for this session only, never saved.")
        else:
            # The profile's credential for this session: it comes back after a switch.
            self._kept[self._profile] = self._field_values()
            self._set_keychain_text(
                f"From {WEBHOOK_ENV}: used for this session only; not saved unless you "
                "press Remember."
            )

    # --- profiles ----------------------------------------------------------------------

    def _fill_profile_combo(self) -> None:
        self._updating_combo = True
        try:
            self.profile_combo.clear()
            if self._session_webhook is not None:
                self.profile_combo.addItem(DEMO_ENTRY, "")
            for name in self.profiles.names():
                self.profile_combo.addItem(sanitize(name, max_len=MAX_SHOWN_NAME), name)
            index = self.profile_combo.findData(self._profile if self._profile else "")
            self.profile_combo.setCurrentIndex(max(index, 0))
        finally:
            self._updating_combo = False

    def _on_profile_index_changed(self, index: int) -> None:
        if self._updating_combo or index < 0:
            return
        name = self.profile_combo.itemData(index) or None
        if name == self._profile:
            return
        if not self.confirm_leave():
            self._fill_profile_combo()  # Cancel: the combo goes back to the current profile
            return
        self.select_profile(name)

    def select_profile(self, name: str | None) -> None:
        """Switch to profile *name* (None: the demo entry) and load its credential.

        Does not ask about changes in the fields: ``confirm_leave`` does, before.
        """
        if name is not None and name not in self.profiles.names():
            return
        if name is None and self._session_webhook is None:
            return
        self._profile = name
        self._saved = self._held = None
        self._proxy_url = None
        self._fill_profile_combo()
        kept = self._kept.get(name)
        if name is None:
            assert self._session_webhook is not None
            if kept is None:
                self.use_session_webhook(self._session_webhook, Origin.DEMO)
            else:
                self._fill_values(kept, Origin.TYPED)
                self._set_keychain_text(
                    "Your changes to the demo portal entry, kept for this session; never saved."
                )
        else:
            self.profiles.last_used = name
            if kept is None:
                self._fill(Origin.TYPED, kind=self.profiles.get(name).kind or "webhook")
            else:
                self._fill_values(kept, Origin.TYPED)
            if self._started:
                self._load_proxy_secret()
                self._load_saved()
        self._update_buttons()
        self._update_network_label()
        self.profile_changed.emit()
        self.leave_note = ""
        self.network_changed.emit()

    # --- leaving a profile with changes ------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        """Whether the fields differ from what the current profile has (saved or kept for
        this session), so that switching away would lose something."""
        if self._profile in self._kept:
            return self._field_values() != self._kept[self._profile]
        if self._origin is not Origin.TYPED:
            return False  # as loaded: the saved credential, the demo's
        if self._credential is not None:
            return self._credential != self._held
        return self._field_values().has_text()  # incomplete, but typed

    def _can_remember(self) -> bool:
        return (
            self._profile is not None
            and self._credential is not None
            and self._origin is not Origin.DEMO
        )

    def _shown_profile(self) -> str:
        if self._profile is None:
            return "the demo portal entry"
        return f"“{sanitize(self._profile, max_len=MAX_SHOWN_NAME)}”"

    def confirm_leave(self) -> bool:
        """Before leaving the current profile: if the fields hold changes, ask whether to
        keep them and do what the user chose. False: stay on this profile (Cancel)."""
        self.leave_note = ""
        if not self.has_unsaved_changes():
            return True
        from .keep_changes import KeepChoice

        shown = self._shown_profile()
        can_remember = self._can_remember()
        choice = self.ask_keep_changes(shown, can_remember)
        if choice is KeepChoice.REMEMBER and can_remember:
            self.remember()
            self.leave_note = f"The changes to {shown}: {self.keychain_label.text()}"
        elif choice in (KeepChoice.REMEMBER, KeepChoice.SESSION):
            self._kept[self._profile] = self._field_values()
            self.leave_note = f"The changes to {shown} are kept for this session."
        else:
            return False
        return True

    def ask_keep_changes(self, name: str, can_remember: bool) -> KeepChoice:
        """Ask "Keep the changes to *name*?" (tests replace this). *name* is shown as is."""
        from .keep_changes import ask_keep_changes

        return ask_keep_changes(
            self, name, can_remember=can_remember, backend_name=self._backend_name
        )

    def ask_profile_name(self, title: str, label: str, text: str = "") -> str | None:
        """Ask for a profile name (tests replace this); None when the user cancelled."""
        from PySide6.QtWidgets import QInputDialog

        name, ok = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Normal, text)
        return name if ok else None

    def confirm_delete(self, name: str) -> bool:
        """Ask before deleting a profile (tests replace this)."""
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Delete profile")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            f"Delete the profile “{sanitize(name, max_len=MAX_SHOWN_NAME)}”? Its saved "
            "credential is removed from the keychain."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def new_profile(self) -> str | None:
        """Ask for a name, add an empty profile and switch to it; return its name."""
        names = self.profiles.names()
        text = self.ask_profile_name("New profile", "Name of the new profile (not a secret):")
        if text is None:
            return None
        try:
            name = check_profile_name(text, names)
        except ValueError as exc:
            self._set_keychain_text(f"No profile was added: {exc}")
            return None
        if not self.confirm_leave():
            return None
        self.profiles.put(Profile(name))
        self.select_profile(name)
        return name

    def rename_profile(self) -> str | None:
        """Rename the current profile; its keychain entries move to the new name."""
        old = self._profile
        if old is None:
            return None
        text = self.ask_profile_name("Rename profile", "New name of this profile:", old)
        if text is None:
            return None
        try:
            new = check_profile_name(text, self.profiles.names(), current=old)
        except ValueError as exc:
            self._set_keychain_text(f"The profile was not renamed: {exc}")
            return None
        if new == old:
            return old
        store = self._get_store()
        message = ""
        profile = self.profiles.get(old)
        entries = [(old, new)]
        if profile.proxy_has_password:
            entries.append((profile.proxy_entry, Profile(new).proxy_entry))
        for source, target in entries:
            outcome = store.load(source)
            if outcome.secret is not None:
                saved = store.save(target, outcome.secret)
                store.forget(source)
                if source == old:
                    message = f" {saved.message}"
        self.profiles.rename(old, new)
        if old in self._kept:
            self._kept[new] = self._kept.pop(old)
        self._profile = new
        self.profiles.last_used = new
        self._fill_profile_combo()
        self._update_buttons()
        self._set_keychain_text(f"Renamed the profile to “{sanitize(new)}”.{message}")
        return new

    def delete_profile(self) -> bool:
        """Delete the current profile and its keychain entries, after confirmation."""
        name = self._profile
        if name is None or not self.confirm_delete(name):
            return False
        store = self._get_store()
        profile = self.profiles.get(name)
        message = store.forget(name)
        if profile.proxy_has_password:
            store.forget(profile.proxy_entry)
        self.profiles.remove(name)
        self._kept.pop(name, None)  # the changes went with the profile the user deleted
        self.select_profile(self.profiles.names()[0])
        self._set_keychain_text(f"Deleted the profile “{sanitize(name)}”. {message}")
        return True

    # --- network settings --------------------------------------------------------------

    def network_settings(self) -> NetworkSettings:
        """What the next request of this profile uses (the proxy with its password)."""
        profile = self.profile()
        proxy = self._proxy_url if profile.proxy_has_password else profile.proxy
        return NetworkSettings(proxy=proxy or None, extra_ca_file=profile.ca_file or None)

    def set_network(self, proxy: str | None, ca_file: str | None) -> str:
        """Keep a checked proxy URL and CA file path for this profile; return a sentence.

        A proxy password goes to the keychain (``"<profile>/proxy"``); the settings file
        gets the proxy with the password replaced.
        """
        from ..core.network import display_proxy, proxy_secrets

        shown = display_proxy(proxy) if proxy else ""
        has_password = bool(proxy and proxy_secrets(proxy))
        profile = self.profile()
        message = "Network settings saved."
        if self._profile is None:
            self._session_profile = Profile(
                "", proxy=shown, proxy_has_password=has_password, ca_file=ca_file or ""
            )
            message = "Network settings kept for this session."
        else:
            store = self._get_store()
            if has_password:
                assert proxy is not None
                outcome = store.save(profile.proxy_entry, proxy)
                message = f"Network settings saved; the proxy password: {outcome.message}"
            elif profile.proxy_has_password:
                store.forget(profile.proxy_entry)
            self.profiles.update(
                self._profile,
                proxy=shown,
                proxy_has_password=has_password,
                ca_file=ca_file or "",
            )
        self._proxy_url = proxy if has_password else None
        self._update_network_label()
        self.network_changed.emit()
        return message

    def _load_proxy_secret(self) -> None:
        profile = self.profile()
        if self._profile is None or not profile.proxy_has_password:
            return
        outcome = self._get_store().load(profile.proxy_entry)
        self._proxy_url = outcome.secret
        self._update_network_label()

    def _update_network_label(self) -> None:
        profile = self.profile()
        proxy = (
            f"Network: proxy {sanitize(profile.proxy, max_len=80)}"
            if profile.proxy
            else "Network: system proxy"
        )
        if profile.proxy_has_password and self._started and self._proxy_url is None:
            proxy += " (its password is missing: enter it again)"
        trust = "system CAs"
        if profile.ca_file:
            trust += " + " + sanitize(
                profile.ca_file.replace("\\", "/").rsplit("/", 1)[-1], max_len=60
            )
        self.network_label.setText(f"{proxy} · {trust}")

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
        self._load_proxy_secret()
        if self._origin in (Origin.DEMO, Origin.ENVIRONMENT):
            self._update_buttons()
            return
        self._load_saved()

    def _load_saved(self) -> None:
        """Read the current profile's credential from the keychain into the fields."""
        profile = self._profile
        if profile is None:
            return
        outcome = self._get_store().load(profile)
        kept = profile in self._kept  # the fields were put back as the user left them
        if outcome.secret is None:
            self._update_buttons()
            if kept:
                self._update_keychain_line_for_edit()
                return
            # Without a usable keychain, say so (and that the fields are session-only) rather
            # than that nothing could be read.
            usable_message = outcome.message if self._backend_usable else None
            self._set_keychain_text(usable_message or self._not_saved_text())
            return
        from ..core.credentials import credential_from_storage
        from ..core.errors import InvalidCredential

        try:
            credential = credential_from_storage(outcome.secret)
        except InvalidCredential as exc:
            self._update_buttons()
            self._set_keychain_text(str(exc))
            return
        self._held = credential
        if kept or (self._origin is Origin.TYPED and self._credential is not None):
            # The user typed one before the keychain answered, or kept their changes for
            # this session: theirs wins.
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
        """Save the credential in the fields under the current profile."""
        credential = self._credential
        profile = self._profile
        if credential is None or self._origin is Origin.DEMO or profile is None:
            return
        self._started = True
        self._refresh_status()
        outcome = self._get_store().save(profile, credential.to_storage())
        self._held = credential  # in the keychain, or in the store for this session
        self._kept.pop(profile, None)
        if outcome.persisted:
            self._saved = credential
            self._origin = Origin.SAVED
        self.profiles.update(profile, kind=credential.kind, host=credential.host)
        self._update_buttons()
        self._set_keychain_text(outcome.message)

    def forget(self) -> None:
        """Remove the saved credential; the fields keep it for this session."""
        profile = self._profile
        if profile is None:
            return
        self._started = True
        self._refresh_status()
        message = self._get_store().forget(profile)
        self._saved = self._held = None
        if self._origin is Origin.SAVED:
            self._origin = Origin.TYPED
        if self._credential is not None:
            message += " The fields still hold it for this session."
            self._kept[profile] = self._field_values()  # and keep it after a switch
        self.profiles.update(profile, host="")
        self._update_buttons()
        self._set_keychain_text(message)

    # --- renewal and moves, reported by the window ---------------------------------------

    def store_renewed(self, profile: str | None, old: Credential, renewed: OAuthCredential) -> str:
        """Keep a renewed credential: in the fields, and in the keychain in place of *old*.

        The keychain entry is replaced when it holds *old*'s refresh token (now void).
        Returns a sentence for the user.
        """
        persisted = False
        message = ""
        saved: Credential | None = None
        if profile is not None:
            if profile == self._profile:
                saved = self._saved
            else:
                from ..core.credentials import credential_from_storage
                from ..core.errors import InvalidCredential

                outcome = self._get_store().load(profile)
                if outcome.secret is not None:
                    try:
                        saved = credential_from_storage(outcome.secret)
                    except InvalidCredential:
                        saved = None
        holds_old = (
            saved is not None
            and saved.kind == "oauth"
            and old.kind == "oauth"
            and saved.refresh_token == old.refresh_token
        )
        if profile is not None and holds_old:
            result = self._get_store().save(profile, renewed.to_storage())
            persisted = result.persisted
            message = result.message
            if profile == self._profile:
                self._held = renewed
        kept = self._kept.get(profile) if profile is not None else None
        if kept is not None and self._credential_of(kept) == old:
            from .keep_changes import FieldValues

            self._kept[profile] = FieldValues.of(renewed)  # the old refresh token is void
        if profile == self._profile and self._credential == old:
            origin = self._origin
            self._fill_credential(renewed, origin)
            if persisted:
                self._saved = renewed
                self._origin = Origin.SAVED
        if persisted:
            saved_in = message[:1].lower() + message[1:]
            text = f"The access token expired and was renewed; the new tokens are {saved_in}"
        elif holds_old:
            text = f"The access token was renewed, but the new tokens could not be saved: {message}"
        else:
            text = (
                "The access token was renewed. The new tokens are in the fields only: press "
                "Remember to keep them (the old refresh token no longer works)."
            )
        if profile == self._profile:
            self._set_keychain_text(text)
        return text

    def move_to(self, new_origin: str) -> str:
        """Point the current credential at the portal's new address (the user agreed)."""
        credential = self._credential
        if credential is None:
            return "There is no credential to move."
        moved = credential.with_origin(new_origin)
        was_saved = self._saved is not None and self._saved == credential
        was_kept = self._kept.get(self._profile)
        if was_kept is not None and was_kept == self._field_values():
            from .keep_changes import FieldValues

            self._kept[self._profile] = FieldValues.of(moved)
        self._fill_credential(moved, self._origin)
        if was_saved and self._profile is not None:
            outcome = self._get_store().save(self._profile, moved.to_storage())
            self._held = moved
            if outcome.persisted:
                self._saved = moved
                self._origin = Origin.SAVED
            self.profiles.update(self._profile, host=moved.host)
            self._set_keychain_text(outcome.message)
        return f"The profile now uses {sanitize(moved.host)}."
