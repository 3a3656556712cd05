"""Where the user picks a profile, gives the portal credential, and sees where it is kept.

The panel composes three parts and keeps none of their work:

* ``profile_bar.ProfileBar``: the Profile combo, New / Rename / Delete, and the network
  summary with its Network… button;
* ``credential_form.CredentialForm``: webhook or OAuth fields, their check, Remember /
  Forget and the keychain line;
* ``core.profile_session.ProfileSession``: what is stored in the keychain, what is edited
  in the form, what is kept for this session, renames, deletes, renewals and the network
  settings of each profile, without Qt.

The questions (keep the changes? the new profile's name? delete it?) go through
``profile_questions.ProfileQuestions``; ``questions`` is the Qt dialogs unless replaced.

The keychain is reached only through ``core.keychain.CredentialStore``, and only once the
window is up: ``begin_start`` reads the saved credential on a worker thread
(``keychain_reader``) while the keychain line says "Reading the keychain…", and ``ready``
follows on the GUI thread; ``start`` does the same and waits, for a caller that needs the
answer now. Saving and forgetting run on the GUI thread, as the user's actions. A
credential that came from the demo portal or from ``B24_WEBHOOK_URL`` is used for this
session only and saved only if the user presses Remember (never for the demo, which has a
profile entry of its own); then nothing is read at start and ``keyring`` is not loaded.
Nothing typed is lost by switching profile: leaving a profile whose fields hold changes
asks first.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QGroupBox, QVBoxLayout, QWidget

from ..core.field_values import FieldValues
from ..core.options import RequestOptions
from ..core.profile_session import READING_KEYCHAIN, KeepChoice, Origin, ProfileSession
from ..core.profiles import Profile
from ..core.start_read_child import child_command
from ..i18n import _
from .credential_form import CredentialForm
from .keychain_reader import KeychainReader
from .profile_bar import ProfileBar
from .profile_questions import DialogQuestions, ProfileQuestions
from .profiles import ProfileStore

if TYPE_CHECKING:
    from ..core.credentials import Credential, OAuthCredential
    from ..core.keychain import CredentialStore
    from ..core.profiles import SecretStore
    from ..core.start_read import StartPlan, StartRead
    from .renewal_fields import RenewalFields

__all__ = ["CredentialsPanel"]


class CredentialsPanel(QGroupBox):
    """The profile bar over the credential form, driven by one profile session."""

    credential_changed = Signal()
    profile_changed = Signal()
    """The user switched to another profile (or back to the demo entry)."""

    network_changed = Signal()

    ready = Signal()
    """The start is over: the saved credential was read (or there was none to read)."""

    start_wait_s = 60.0
    """How long ``start`` waits for a keychain that has not answered (an unlock prompt)."""

    def __init__(
        self,
        store: CredentialStore | None = None,
        parent: QWidget | None = None,
        *,
        settings: QSettings | None = None,
        questions: ProfileQuestions | None = None,
        read_saved: bool = False,
    ) -> None:
        """*read_saved*: begin reading the saved credential at once, before the widgets are
        built, so that the answer is in by the window's first paint (``begin_start``)."""
        super().__init__(_("Portal credential"), parent)
        self.setObjectName("credentialsPanel")
        self.profiles = ProfileStore(settings if settings is not None else QSettings())
        self._store = store
        self._store_lock = threading.Lock()  # the reading thread may open it first
        self.session = ProfileSession(self.profiles, self._open_store)
        # The real keychain is read in a helper process (keyring stays out of the window's);
        # a store given by the caller (the tests) is read in this one.
        self._reader = KeychainReader(
            self._open_store, self, child_command=child_command() if store is None else None
        )
        self._reader.read.connect(self._on_keychain_read)
        self._reader.failed.connect(self._on_keychain_failed)
        plan = self.session.start_plan() if read_saved else None
        if plan is not None:
            self._read(plan)  # the keychain line shows it once built
        self.questions: ProfileQuestions = questions or DialogQuestions(self)
        self.leave_note = ""
        """What happened to the changes of the profile just left (for the status line)."""
        self._shown_version = self.session.fields_version

        self.bar = ProfileBar(self)
        self.form = CredentialForm(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addWidget(self.form)
        QWidget.setTabOrder(self.bar.network_button, self.form.webhook_radio)
        # The window, its tests and its menus reach the parts by these names.
        self.profile_combo = self.bar.profile_combo
        self.new_profile_button = self.bar.new_profile_button
        self.rename_profile_button = self.bar.rename_profile_button
        self.delete_profile_button = self.bar.delete_profile_button
        self.network_label = self.bar.network_label
        self.network_button = self.bar.network_button
        self.webhook_radio = self.form.webhook_radio
        self.oauth_radio = self.form.oauth_radio
        self.webhook_field = self.form.webhook_field
        self.portal_edit = self.form.portal_edit
        self.token_field = self.form.token_field
        self.renewal_toggle = self.form.renewal_toggle
        self.feedback_label = self.form.feedback_label
        self.http_warning = self.form.http_warning
        self.remember_button = self.form.remember_button
        self.forget_button = self.form.forget_button
        self.keychain_label = self.form.keychain_label

        self.bar.chosen.connect(self._on_profile_chosen)
        self.bar.new_profile_button.clicked.connect(self.new_profile)
        self.bar.rename_profile_button.clicked.connect(self.rename_profile)
        self.bar.delete_profile_button.clicked.connect(self.delete_profile)
        self.form.edited.connect(self._on_edited)
        self.form.remember_button.clicked.connect(self.remember)
        self.form.forget_button.clicked.connect(self.forget)
        self._show_profiles()
        self._update_network_label()
        self._refresh(fields_changed=True)

    def _open_store(self) -> SecretStore:
        with self._store_lock:
            if self._store is None:
                # Imported on first use (on the reading thread at start): keyring costs as
                # much start-up time as Qt itself.
                from ..core.keychain import CredentialStore

                self._store = CredentialStore()
            return self._store

    # --- showing the session -----------------------------------------------------------

    def _refresh(self, *, fields_changed: bool = False) -> None:
        """Show the session's state: fields it replaced, their check, buttons, keychain line."""
        session = self.session
        if session.fields_version != self._shown_version:
            self._shown_version = session.fields_version
            self.form.show_values(session.edited)
            fields_changed = True
        if fields_changed:
            self.form.show_check(session.credential, session.problem)
        on_profile = session.current is not None
        self.remember_button.setEnabled(session.can_remember())
        self.remember_button.setText(session.remember_text())
        self.forget_button.setEnabled(on_profile)
        self.bar.set_on_profile(on_profile)
        self.keychain_label.setText(session.line)
        if fields_changed:
            self.credential_changed.emit()

    def _on_edited(self) -> None:
        self.session.edit(self.form.values())
        self._refresh(fields_changed=True)

    def _show_profiles(self) -> None:
        session = self.session
        self.bar.show_profiles(
            self.profiles.names(), session.current, demo_entry=session.demo_values is not None
        )

    def _update_network_label(self) -> None:
        self.network_label.setText(self.session.network.summary(started=self.session.started))

    # --- state -------------------------------------------------------------------------

    @property
    def origin(self) -> Origin:
        return self.session.origin

    @property
    def current_profile(self) -> str | None:
        """The profile in use; None for the demo portal's session entry."""
        return self.session.current

    def profile(self) -> Profile:
        """The current profile's non-secret facts (the demo entry's are session-only)."""
        return self.session.network.profile()

    def credential(self) -> Credential | None:
        """The valid credential in the fields, or None (see ``problem``)."""
        return self.session.credential

    @property
    def problem(self) -> str:
        """Why there is no usable credential ("" when there is one)."""
        return self.session.problem

    @property
    def backend_name(self) -> str:
        return self.session.backend_name

    @property
    def started(self) -> bool:
        return self.session.started

    @property
    def renewal(self) -> RenewalFields | None:
        return self.form.renewal

    def first_field(self) -> QWidget:
        return self.form.first_field()

    def show_renewal(self, shown: bool = True) -> RenewalFields:
        """Show (building them on first use) or hide the automatic renewal fields."""
        return self.form.show_renewal(shown)

    # --- the keychain ------------------------------------------------------------------

    @property
    def reading(self) -> bool:
        """The saved credential is being read at start (Fetch waits for ``ready``)."""
        return self._reader.busy and not self.session.started

    def waits_for_keychain(self) -> bool:
        """Whether a request now would miss what the start's read brings: the saved
        credential (the fields hold no usable one) or the profile's proxy password.

        A credential typed before the keychain answered is used as it is (it wins over
        the saved one anyway), so such a request need not wait.
        """
        session = self.session
        if session.started:
            return False
        return session.credential is None or session.network.profile().proxy_has_password

    def begin_start(self) -> None:
        """Read the saved credential off the GUI thread; ``ready`` follows when it is in.

        A credential already given for this session (demo, environment) is kept and
        nothing is read, so ``keyring`` is not even imported (unless the profile's proxy
        keeps its password in the keychain).
        """
        if self.session.started or self._reader.busy:
            return
        plan = self.session.start_plan()
        if plan is None:
            self.session.start_without_keychain()
            self._after_start()
            return
        self._read(plan)
        self.keychain_label.setText(self.session.line)

    def _read(self, plan: StartPlan) -> None:
        self.session.line = _(READING_KEYCHAIN)
        self._reader.begin(plan)

    def start(self) -> None:
        """Like ``begin_start``, but wait for the answer (for a caller that needs it now).

        The read itself still runs on the worker thread.
        """
        for _attempt in range(3):  # a profile switch during the read makes it stale
            if self.session.started:
                return
            self.begin_start()
            read = self._reader.wait(self.start_wait_s)
            if read is None:
                return
            self._on_keychain_read(read)

    def apply_finished_read(self) -> None:
        """Apply the start's read now if it has already ended, rather than when its
        queued answer comes (after the window's first paint)."""
        read = self._reader.take_finished()
        if read is not None:
            self._on_keychain_read(read)

    def _on_keychain_read(self, read: StartRead) -> None:
        if self.session.started:
            return
        if not self.session.finish_start(read):
            self.begin_start()  # the user switched profile meanwhile: read that one
            return
        self._after_start()

    def _on_keychain_failed(self, error: BaseException) -> None:
        # Start without the keychain, then report as an unexpected error did before.
        self.session.start_without_keychain()
        self._after_start()
        raise error

    def _after_start(self) -> None:
        self._update_network_label()
        self._refresh()
        self.ready.emit()

    def remember(self) -> None:
        """Save the credential in the fields under the current profile."""
        self.session.remember()
        self._refresh()

    def forget(self) -> None:
        """Remove the saved credential; the fields keep it for this session."""
        self.session.forget()
        self._refresh()

    def use_session_webhook(self, url: str, origin: Origin) -> None:
        """Fill in a webhook URL for this session only (demo portal or environment)."""
        self.session.use_session_webhook(url, origin)
        if origin is Origin.DEMO:
            self._show_profiles()
        self._refresh()

    def use_session_values(self, values: FieldValues, origin: Origin) -> None:
        """Fill in the fields for this session only (the demo portal's OAuth entry)."""
        self.session.use_session_values(values, origin)
        if origin is Origin.DEMO:
            self._show_profiles()
        self._refresh()

    def use_signed_in(self, credential: OAuthCredential) -> str:
        """Put a signed-in or imported credential in the fields and save it as Remember
        does; returns what became of it (for the status line)."""
        text = self.session.use_signed_in(credential)
        self._refresh()
        return text

    def store_renewed(self, profile: str | None, old: Credential, renewed: OAuthCredential) -> str:
        """Keep a renewed credential in the fields and in the keychain in place of *old*.

        Returns a sentence for the user (see ``ProfileSession.store_renewed``).
        """
        text = self.session.store_renewed(profile, old, renewed)
        self._refresh()
        return text

    def move_to(self, new_origin: str) -> str:
        """Point the current credential at the portal's new address (the user agreed)."""
        text = self.session.move_to(new_origin)
        self._refresh()
        return text

    # --- profiles ----------------------------------------------------------------------

    def _on_profile_chosen(self, name: str | None) -> None:
        if name == self.session.current:
            return
        if not self.confirm_leave():
            self._show_profiles()  # Cancel: the combo goes back to the current profile
            return
        self.select_profile(name)

    def select_profile(self, name: str | None) -> None:
        """Switch to profile *name* (None: the demo entry) and load its credential.

        Does not ask about changes in the fields: ``confirm_leave`` does, before.
        """
        if self.session.select(name):
            self._after_switch()

    def _after_switch(self) -> None:
        self._show_profiles()
        self._refresh()
        self._update_network_label()
        self.profile_changed.emit()
        self.leave_note = ""
        self.network_changed.emit()

    def has_unsaved_changes(self) -> bool:
        """Whether switching away would lose something typed (see ``ProfileSession``)."""
        return self.session.has_unsaved_changes()

    def confirm_leave(self) -> bool:
        """Before leaving the current profile: if the fields hold changes, ask whether to
        keep them and do what the user chose. False: stay on this profile (Cancel)."""
        self.leave_note = ""
        session = self.session
        if not session.has_unsaved_changes():
            return True
        choice = self.questions.ask_keep_changes(
            session.shown_name(), session.can_remember(), session.backend_name
        )
        note = session.leave(choice)
        self._refresh()
        if note is None:
            return False
        self.leave_note = note
        return True

    def confirm_quit(self) -> bool:
        """Before quitting: if the fields hold changes not saved (typed, or tokens a renewal
        rotated that could not be saved), ask Remember / Discard / Cancel and do it.
        False: do not quit (Cancel)."""
        session = self.session
        if not session.has_unsaved_changes():
            return True
        choice = self.questions.ask_quit_changes(
            session.shown_name(), session.can_remember(), session.backend_name
        )
        if choice is KeepChoice.CANCEL:
            return False
        if choice is KeepChoice.REMEMBER:
            self.remember()
        return True

    def new_profile(self) -> str | None:
        """Ask for a name, add an empty profile and switch to it; return its name."""
        text = self.questions.ask_profile_name(
            _("New profile"), _("Name of the new profile (not a secret):")
        )
        if text is None:
            return None
        name = self.session.new_name(text)
        if name is None:
            self._refresh()
            return None
        if not self.confirm_leave():
            return None
        self.session.add(name)
        self._after_switch()
        return name

    def rename_profile(self) -> str | None:
        """Rename the current profile; its keychain entries move to the new name."""
        old = self.session.current
        if old is None:
            return None
        text = self.questions.ask_profile_name(
            _("Rename profile"), _("New name of this profile:"), old
        )
        if text is None:
            return None
        new = self.session.rename(text)
        self._show_profiles()
        self._refresh()
        return new

    def delete_profile(self) -> bool:
        """Delete the current profile and its keychain entries, after confirmation."""
        name = self.session.current
        if name is None or not self.questions.confirm_delete(name):
            return False
        self.session.delete()
        self._after_switch()
        return True

    # --- network settings --------------------------------------------------------------

    def network_settings(self) -> RequestOptions:
        """What the next request of this profile uses: ``proxy`` (with its password) and
        ``extra_ca_file``; the request's own options supply the rest."""
        return self.session.network.options()

    def set_network(self, proxy: str | None, ca_file: str | None) -> str:
        """Keep a checked proxy URL and CA file path for this profile; return a sentence."""
        message = self.session.network.set(proxy, ca_file)
        self._update_network_label()
        self.network_changed.emit()
        return message
