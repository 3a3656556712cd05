"""The main window: composes the panels and controllers; holds no business logic.

Top to bottom: the credentials panel (``credentials_panel.py``), the source ID row
(``source_id_row.py``), the message area where a failure shows (``message_area.py``), two
banners (a stale result, a connector's warnings), the source tree (``source_tree.py``) and
the status line, the history of what happened, with the operating-limit label. The status
line, the banners and the message area are ``LiveLabel``s: read by their text and announced.
The theme (``theme.py``) is applied when the window is made; the language (``language.py``)
at start-up, before any widget.

The work is done elsewhere, each piece made (and its module imported) when first needed so
that the first paint stays fast:

* ``source_requests.SourceRequests``: fetching a source and its connector, and every
  outcome's status sentence, banner and countdown (``requests``, at the first request);
* ``source_picker.SourceListLoader``: the source picker and its list (at the first Ctrl+L);
* ``copy_export``: Copy as cURL and the support bundle; ``network_dialog``: a profile's
  proxy and CA file; ``about``: Help ▸ About.

What stays here is the automation surface (``fetch``, ``fetch_done``, ``request_options``,
the objectNames ``sourceIdEdit``, ``fetchButton``, ``sourceTree``), the menus, the prompts
tests replace (``confirm_move``, ``ask_bundle_path``), the title, reading the keychain just
after the first paint, and what a profile switch clears.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QMainWindow,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.credentials import parse_webhook_url
from ..core.field_values import FieldValues
from ..core.hosts import display_host
from ..core.masking import sanitize
from ..core.profile_session import WEBHOOK_ENV, Origin
from ..i18n import _
from .credentials_panel import CredentialsPanel
from .language import app_display_name
from .qt_namespace import build_qt_namespace, qt_namespace_built, set_enum
from .settings_file import notifier_for, save_settings, secure_settings
from .source_id_row import SourceIdRow
from .source_tree import SourceTreeView
from .theme import ThemeChoice, Tone, apply_theme, saved_theme
from .window_actions import install_actions
from .window_feedback import WindowFeedback, banner, scrolled_panels, status_labels

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from ..core.credentials import Credential
    from ..core.keychain import CredentialStore
    from ..core.options import RequestOptions
    from ..demo.portal_process import RunningDemo
    from .message_area import MessageArea
    from .request_record import RequestRecord
    from .source_picker import SourceListLoader, SourcePickerDialog
    from .source_requests import SourceRequests

GEOMETRY_KEY = "window/geometry"


class MainWindow(QMainWindow):
    """Bitrix24 BI Source Inspector's window.

    ``store``: where credentials are saved (default: the system keychain, opened lazily).
    ``settings``: where profiles, recent IDs and the window geometry go (default:
    ``QSettings()``). ``demo``: a running demo portal whose webhook (with *demo_oauth*:
    its OAuth application's tokens) is used for this session, never saved.
    """

    fetch_done = Signal()
    """Emitted once when a fetch has ended: shown, failed, rejected or cancelled.

    A fetch replaced by a newer one before it ended does not emit it; the newer one does.
    It is always emitted after ``fetch()`` has returned, never from inside it.
    """

    connector_done = Signal()
    """Emitted when the connector lookup that follows a shown source has ended."""

    sources_listed = Signal()
    """Emitted when loading the source list has ended (listed, failed or cancelled)."""

    close_wait_ms = 3000
    """How long closing the window waits for a running request's thread to end."""

    def __init__(
        self,
        *,
        store: CredentialStore | None = None,
        settings: QSettings | None = None,
        demo: RunningDemo | None = None,
        demo_oauth: bool = False,
        theme: ThemeChoice | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings if settings is not None else QSettings()
        secure_settings(self._settings)  # a file written 0644 by an older version
        self.settings_problem: str | None = None
        """Why the settings could not be saved last time, if they could not."""
        notifier_for(self._settings).failed.connect(self._on_settings_failed)
        self._demo_credential: Credential | None = None
        self._closing = False
        self._requests: SourceRequests | None = None  # made at the first request
        self._deferred_fetch: tuple[int | str | None] | None = None  # see fetch()
        self._source_list: SourceListLoader | None = None  # made when the picker first opens
        # ``--theme`` for this run, else View ▸ Theme's saved choice.
        self.theme_choice = theme if theme is not None else saved_theme(self._settings)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.theme_choice)  # before the widgets: no repaint

        # A saved credential is read from the panel's first moment, beside the build and
        # the paint; one given for the session (demo, environment) is set after the build.
        env_webhook = os.environ.get(WEBHOOK_ENV, "").strip()
        self._build(store, read_saved=demo is None and not env_webhook)
        self.window_actions = install_actions(self, self.credentials_panel, self.source_tree)
        self.check_button.setDefaultAction(self.window_actions.check_endpoints)
        self.check_button.setAccessibleName(_("Check endpoints"))
        geometry = self._settings.value(GEOMETRY_KEY)
        if geometry:
            self.restoreGeometry(geometry)
        else:
            self.resize(940, 720)

        if demo is not None and demo_oauth:
            # The real path: the demo's OAuth application, renewable, and "Sign in with
            # browser" against the demo's authorize page.
            oauth = demo.oauth_credential()
            self._demo_credential = oauth
            self.credentials_panel.use_session_values(FieldValues.of(oauth), Origin.DEMO)
            self.credentials_panel.session.use_demo_handler(demo.redirect_uri)
        elif demo is not None:
            self._demo_credential = parse_webhook_url(demo.webhook_url)
            self.credentials_panel.use_session_webhook(demo.webhook_url, Origin.DEMO)
        elif env_webhook:
            self.credentials_panel.use_session_webhook(env_webhook, Origin.ENVIRONMENT)
        self._update_title()
        self._begin_start_up()

    # --- layout ------------------------------------------------------------------------

    def _build(self, store: CredentialStore | None, *, read_saved: bool) -> None:
        outer, scroll, central = scrolled_panels(self)

        self.credentials_panel = CredentialsPanel(
            store, central, settings=self._settings, read_saved=read_saved
        )
        self.credentials_panel.credential_changed.connect(self._update_title)
        self.credentials_panel.profile_changed.connect(self._on_profile_changed)
        self.credentials_panel.network_button.clicked.connect(self.edit_network_settings)

        self.id_row = SourceIdRow(self._settings, central)
        self.id_row.fetch_requested.connect(self.fetch)
        self.id_row.browse_requested.connect(self.browse_sources)
        self.id_row.cancel_requested.connect(self.cancel)
        # The row's parts, by the names tests and assistive tools know them.
        self.source_id_combo = self.id_row.source_id_combo
        self.source_id_edit = self.id_row.source_id_edit
        self.fetch_button = self.id_row.fetch_button
        self.browse_button = self.id_row.browse_button
        self.cancel_button = self.id_row.cancel_button
        self.busy_indicator = self.id_row.busy_indicator

        self._message_area: MessageArea | None = None  # made with the first failure
        self.feedback = WindowFeedback(self)

        self.stale_banner = banner(_("Stale result"), "staleBanner", Tone.NOTE, central)
        self.connector_banner = banner(
            _("Connector warning"), "connectorWarning", Tone.WARNING, central
        )

        self.source_tree = SourceTreeView(central)
        self.source_tree.message.connect(self._show_status)

        self.status_line, self.limits_label = status_labels(outer)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_line, 1)
        status_row.addWidget(self.limits_label)

        layout = QVBoxLayout(central)
        layout.addWidget(self.credentials_panel)
        layout.addWidget(self.id_row)
        # (the message area goes here when the first failure is shown: ``message_area``)
        layout.addWidget(self.stale_banner)
        layout.addWidget(self.connector_banner)
        # "Check endpoints…" above the tree; its action is set in __init__ (window_actions).
        self.check_button = QToolButton(central)
        self.check_button.setObjectName("checkEndpointsButton")
        check_row = QHBoxLayout()
        check_row.addStretch(1)
        check_row.addWidget(self.check_button)
        layout.addLayout(check_row)
        layout.addWidget(self.source_tree, 1)
        outer_layout = QVBoxLayout(outer)
        outer_layout.setContentsMargins(0, 0, 0, 0)
        outer_layout.addWidget(scroll, 1)
        outer_layout.addLayout(status_row)
        status_row.setContentsMargins(layout.contentsMargins())

        QWidget.setTabOrder(self.credentials_panel.forget_button, self.source_id_combo)
        QWidget.setTabOrder(self.cancel_button, self.source_tree)
        self._central_layout = layout

        self._show_status(
            _(
                "Enter a credential, then type a source ID and press Enter, or pick one with "
                "Browse sources… (Ctrl+L)."
            )
        )

    @property
    def message_area(self) -> MessageArea:
        """The failure shown above the tree (made, under the ID row, when first needed: a
        window that never fails never builds it)."""
        if self._message_area is None:
            from .message_area import MessageArea

            layout = self._central_layout
            area = MessageArea(self.id_row.parentWidget())
            layout.insertWidget(layout.indexOf(self.id_row) + 1, area)
            QWidget.setTabOrder(self.cancel_button, area.dismiss_button)
            QWidget.setTabOrder(area.dismiss_button, self.source_tree)
            self._message_area = area
        return self._message_area

    def dismiss_message(self) -> None:
        """Hide the failure shown above the tree, if any."""
        if self._message_area is not None:
            self._message_area.dismiss()

    # --- controllers, made when first needed -------------------------------------------

    @property
    def requests(self) -> SourceRequests:
        """Fetches sources and runs every request of this window (made at first use)."""
        if self._requests is None:
            from .source_requests import SourceRequests

            requests = SourceRequests(self, self)
            requests.fetch_done.connect(self.fetch_done)
            requests.connector_done.connect(self.connector_done)
            self._requests = requests
        return self._requests

    @property
    def source_list(self) -> SourceListLoader:
        """Opens the source picker and keeps the portal's list (made at first use)."""
        if self._source_list is None:
            from .source_picker import SourceListLoader

            loader = SourceListLoader(self.requests, self, self)
            loader.listed.connect(self.sources_listed)
            self._source_list = loader
        return self._source_list

    # --- public surface ----------------------------------------------------------------

    @property
    def settings(self) -> QSettings:
        """Where profiles, recent IDs, the theme and the language are kept."""
        return self._settings

    @property
    def request_options(self) -> RequestOptions:
        """Timeouts, retries and waits for the next request (the profile adds the network)."""
        return self.requests.options

    @request_options.setter
    def request_options(self, options: RequestOptions) -> None:
        self.requests.options = options

    @property
    def is_fetching(self) -> bool:
        return self._requests is not None and self._requests.is_fetching

    @property
    def countdown_timer(self) -> QTimer:
        """Ticks the status line's countdown while the client waits out a limit."""
        return self.requests.countdown_timer

    @property
    def last_request(self) -> RequestRecord | None:
        """The last request made and how it ended (what Copy as cURL describes)."""
        return self._requests.record if self._requests is not None else None

    @property
    def source_picker(self) -> SourcePickerDialog | None:
        """The open source picker, if any."""
        return self._source_list.picker if self._source_list is not None else None

    def fetch(self, source_id: int | str | None = None) -> None:
        """Fetch a source: *source_id*, or the ID typed in the field.

        Replaces any running fetch. Invalid input (bad ID, no credential) is reported in the
        status line without a request.
        """
        if self._closing:
            return
        if isinstance(source_id, bool):  # QAction.triggered passes "checked"
            source_id = None
        self.feedback.fetch_started()
        if self._requests is None and not qt_namespace_built():
            # The session's first fetch came before the warm-up (``--fetch``, or a click as
            # the window became ready): the Qt namespace now, and the request machinery that
            # names it a turn later. Together they held the window up to 50 ms. (1 ms, not
            # 0: Qt posts a zero-delay call as an event, handled before input and timers.)
            build_qt_namespace()
            self._deferred_fetch = (source_id,)
            QTimer.singleShot(1, self, self._run_deferred_fetch)
            return
        self._deferred_fetch = None
        self.requests.fetch(source_id)

    def _run_deferred_fetch(self) -> None:
        deferred, self._deferred_fetch = self._deferred_fetch, None
        if deferred is not None and not self._closing:  # not cancelled or replaced meanwhile
            self.requests.fetch(deferred[0])

    def cancel(self) -> None:
        """Cancel the running request; its result is dropped. The shown result stays."""
        self.feedback.cancelled()
        self._deferred_fetch = None
        if self._requests is None or self._requests.cancel():
            return
        if self._source_list is not None:
            self._source_list.cancel()

    def browse_sources(self) -> SourcePickerDialog | None:
        """Open the source picker (Ctrl+L); the list is loaded once per credential."""
        if self._closing:
            return None
        return self.source_list.browse()

    def recent_ids(self) -> list[int]:
        return self.id_row.recent_ids()

    def portal_name(self, credential: Credential) -> str:
        """How the title and status line name the portal of *credential*: a host that
        could pass for another in its ASCII form (``core.hosts``), never bidi tricks."""
        if self._demo_credential is not None and credential == self._demo_credential:
            return _("Demo portal")
        return display_host(credential.host)[0]

    def portal_warning(self, credential: Credential | None) -> str | None:
        """The warning for a portal address that could pass for another, if it could."""
        if credential is None or credential == self._demo_credential:
            return None
        return display_host(credential.host)[1]

    def confirm_move(self, new_origin: str) -> bool:
        """Ask before pointing the profile at the portal's new address (tests replace this)."""
        from PySide6.QtWidgets import QMessageBox  # a dialog class: made when first asked

        host, warning = display_host(urlsplit(new_origin).netloc or new_origin)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(_("Portal moved"))
        set_enum(box, "textFormat", "PlainText")
        box.setText(
            _("The portal says it moved to {host}. Update this profile to use it?").format(
                host=host
            )
        )
        advice = _(
            "Only agree if {host} is your portal's new address: the credential will be sent "
            "there from now on."
        ).format(host=host)
        box.setInformativeText(f"{advice} {warning}" if warning else advice)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _show_status(self, text: str) -> None:
        self.status_line.setText(text)

    def _on_settings_failed(self, message: str) -> None:
        """Tell that the settings file could not be written, after the action's own
        sentence (the write happens in the middle of an action that reports too)."""
        self.settings_problem = message
        if not self._closing:
            QTimer.singleShot(0, self, lambda: self._add_to_status(message))

    def _add_to_status(self, text: str) -> None:
        shown = self.status_line.text()
        if text not in shown:
            self._show_status(f"{shown} {text}" if shown else text)

    # --- copy, export, dialogs ---------------------------------------------------------

    def copy_curl(self) -> None:
        """Copy a cURL command repeating the last request, the secret left to a variable."""
        # The exports (and what they import: the models, zipfile) load on first use.
        from .copy_export import copy_curl

        self._show_status(copy_curl(self.last_request))

    def ask_bundle_path(self, suggested: str) -> str | None:
        """Ask where to save the support bundle (tests replace this); None: cancelled."""
        from PySide6.QtCore import QStandardPaths  # made when first asked, as the dialog
        from PySide6.QtWidgets import QFileDialog

        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        path, _filter = QFileDialog.getSaveFileName(
            self,
            _("Export support bundle"),
            os.path.join(folder, suggested) if folder else suggested,
            _("Support bundle (*.json)"),
        )
        return path or None

    def export_support_bundle(self, path: str | None = None) -> str | None:
        """Save a support bundle of the last request to *path* (asked if None).

        Returns the path written, or None. The bundle holds no secret (``core.export``).
        """
        if isinstance(path, bool):  # QAction.triggered passes "checked"
            path = None
        from .copy_export import export_bundle

        written, message = export_bundle(
            self.last_request,
            self.credentials_panel.network_settings(),
            path,
            lambda suggested: self.ask_bundle_path(suggested),
        )
        if message is not None:
            self._show_status(message)
        return written

    def edit_network_settings(self) -> None:
        """Open the network settings of the current profile (proxy, extra CA file)."""
        # The dialog checks CA files with ssl and truststore (about 20 ms to import):
        # loaded when first opened, like the HTTP stack, not for the first paint.
        from .network_dialog import edit_profile_network

        self.network_dialog = edit_profile_network(
            self.credentials_panel, self, self._on_network_edited
        )

    def _on_network_edited(self, message: str, applied: bool) -> None:
        self._show_status(message)
        if applied and self._source_list is not None:
            self._source_list.forget()

    def show_about(self) -> None:
        from .about import about_box  # with platform's probes: not for the first paint

        panel = self.credentials_panel
        panel.start()
        box = about_box(
            self, backend_name=panel.backend_name, settings_file=self._settings.fileName()
        )
        box.finished.connect(box.deleteLater)
        self.about_box = box
        box.open()

    # --- start-up, title, profile switch -----------------------------------------------

    def _begin_start_up(self) -> None:
        """Read the saved credential (unless the panel began at its construction), beside
        the first paint: on a worker thread (which hands it to the helper process started
        before Qt), so that keyring neither delays the paint nor blocks the window. The
        answer is applied once the event loop runs (a queued signal), and fetch() waits for
        it. A start with nothing to read finishes on the loop's first turn too."""
        panel = self.credentials_panel
        panel.ready.connect(self._finish_start_up)
        if panel.session.start_plan() is None:
            QTimer.singleShot(0, self, panel.begin_start)
        else:
            panel.begin_start()

    def _finish_start_up(self) -> None:
        if self._closing or self.is_fetching:
            return  # a fetch waited for the keychain; leave the focus where it is
        credential = self.credentials_panel.credential()
        if credential is not None:
            self.source_id_edit.setFocus()
            warning = self.portal_warning(credential)
            self._show_status(
                warning
                or _("Type a source ID and press Enter, or pick one with Browse sources… (Ctrl+L).")
            )
        else:
            self.credentials_panel.first_field().setFocus()

    def _update_title(self) -> None:
        credential = self.credentials_panel.credential()
        name = app_display_name()
        if credential is None:
            self.setWindowTitle(name)
        else:
            self.setWindowTitle(f"{name} — {self.portal_name(credential)}")
            warning = self.portal_warning(credential)
            if warning:
                self._show_status(warning)

    def _on_profile_changed(self) -> None:
        """Another portal: nothing shown or running belongs to it."""
        if self._requests is not None:
            self._requests.reset()
        if self._source_list is not None:
            self._source_list.forget()
        self.source_tree.source_model.clear()
        self.stale_banner.setVisible(False)
        self.connector_banner.setVisible(False)
        self.dismiss_message()
        self.limits_label.setVisible(False)
        name = self.credentials_panel.current_profile
        switched = (
            _("Switched to the demo portal.")
            if name is None
            else _("Switched to the profile “{name}”.").format(name=sanitize(name))
        )
        note = self.credentials_panel.leave_note
        self._show_status(f"{switched} {note}" if note else switched)
        self._update_title()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Unsaved credential changes (typed, or tokens a renewal rotated and could not save)
        # would go with the program: ask first, as switching profiles does.
        if not self._closing and not self.credentials_panel.confirm_quit():
            event.ignore()
            return
        self._closing = True
        signing_in = getattr(self, "signin_dialog", None)
        if signing_in is not None:
            signing_in.close_for_quit()  # stops its wait; an exchange's tokens are saved
        if self._requests is not None:
            self._requests.shutdown(self.close_wait_ms)
        # A revealed value copied less than its clearing time ago must not outlive the
        # window on the clipboard (or in a clipboard manager's history).
        self.source_tree.clear_copied_secret()
        self.source_tree.stop_copying(self.close_wait_ms)
        self._settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        save_settings(self._settings)
        super().closeEvent(event)
