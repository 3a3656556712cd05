"""Sign in with the browser: the dialog that gets an OAuth application's tokens.

The admin gives the portal, the application's client ID and secret, the OAuth server
(optional) and the sign-in port (saved per profile: the portal takes the handler address
from the application's settings, so it must not change). The dialog shows the exact
handler address to register, with a Copy button, opens the system browser at the
authorize address (``QDesktopServices.openUrl``) and waits for the redirect on a worker
thread (``SignInTask`` on its own ``QThread``, as ``fetch_worker`` runs requests), so the
window never freezes; Cancel ends the wait.

The paste fallback, for an application whose handler is its own server: paste the address
the browser landed on; its code is exchanged the moment it is pasted (or on Enter).

The code exchange itself cannot be stopped halfway: once the code is sent, the OAuth server
may have issued the only tokens it will give for it. Closing the dialog then waits (without
blocking the window) and closes once the tokens are kept; quitting the window waits for it
(bounded by the exchange's own timeouts) and saves them (``close_for_quit``).

On success the credential (both tokens, client ID and secret, OAuth server) goes into the
profile's fields and is saved as Remember saves it (``ProfileSession.use_signed_in``), a
renamed portal is asked about (No by default), the warnings go to the status line, and the
source list opens (an empty one explained by ``explanations.EMPTY_SOURCE_LIST``). A failure
is said in the dialog and saves nothing. The secret, the codes and the tokens never show:
every message passes ``safe_text`` with them.

Imported when the dialog is first opened, not at start-up; the httpx part
(``core.client.code_grant``) is imported by the worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThread, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import Cancelled, InspectorError
from ..core.masking import safe_text
from ..core.signin import SignInRequest, sign_in_request
from ..core.signin_address import DEFAULT_PORT, handler_url
from ..i18n import _
from .dialog_slot import open_once
from .threads import delete_on_gui_thread
from .widgets import SecretLineEdit, plain_label

if TYPE_CHECKING:
    from ..core.client.code_grant import SignInResult
    from ..core.signin import BrowserSignIn
    from .credentials_panel import CredentialsPanel

log = logging.getLogger(__name__)

MIN_PORT = 1024
WAIT_MS_ON_CLOSE = 3000
# A code exchange is bounded by its connect and read timeouts (10 + 30 s by default); the
# window's quit waits this long for one before it lets the thread finish on its own.
WAIT_MS_FOR_EXCHANGE = 45_000
# Threads of dialogs that had to close while an exchange still ran: kept referenced until
# they end, because a QThread destroyed while running aborts the process.
_ORPHANS: set[tuple[QThread, QObject]] = set()


class SignInTask(QObject):
    """Runs one sign-in step (browser wait and exchange, or a pasted address's exchange)."""

    listening = Signal(object)  # BrowserSignIn: the port is bound
    open_url = Signal(str)  # the authorize address, to open on the GUI thread
    # Each names its task: the dialog's slots are bound methods, so Qt queues them to the
    # GUI thread (a lambda connected without a receiver ran on this task's thread, and
    # touched the dialog's widgets from there).
    succeeded = Signal(object, object)  # this task, the SignInResult
    failed = Signal(object, object)  # this task, the InspectorError
    finished = Signal()

    def __init__(self, work: Callable[[SignInTask], SignInResult], secrets: tuple[str, ...]):
        super().__init__()
        self._work = work
        self._secrets = secrets
        self.cancel = threading.Event()
        self.exchanging = threading.Event()  # the code is on its way: not cancellable
        self.result: SignInResult | None = None  # kept until the dialog has taken it

    @Slot()
    def run(self) -> None:
        try:
            self.result = self._work(self)
            self.succeeded.emit(self, self.result)
        except InspectorError as exc:
            self.failed.emit(self, exc)
        except Exception as exc:
            log.error("sign-in failed unexpectedly", exc_info=True)
            detail = safe_text(str(exc), self._secrets, max_len=200)
            self.failed.emit(
                self,
                InspectorError(
                    _("The sign-in failed unexpectedly ({kind}: {detail}).").format(
                        kind=type(exc).__name__, detail=detail
                    ),
                    _("Please report this; nothing was saved."),
                ),
            )
        self.finished.emit()


class SignInDialog(QDialog):
    """Portal, client ID and secret, OAuth server, port; the handler address; the wait."""

    signed_in = Signal(object)
    """A sign-in succeeded (a ``SignInResult``); the dialog saves nothing itself."""

    def __init__(self, panel: CredentialsPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInDialog")
        self.setWindowTitle(_("Sign in with browser"))
        self._panel = panel
        self._task: SignInTask | None = None
        self._close_when_exchanged = False  # closing was asked for during an exchange
        self._thread: QThread | None = None
        self._state: str | None = None
        self._pasted = ""
        self._pasted_seen = ""
        self._build()
        self._fill()

    def _build(self) -> None:
        self.portal_edit = QLineEdit(self)
        self.portal_edit.setObjectName("signInPortalEdit")
        self.portal_edit.setAccessibleName(_("Portal address"))
        self.portal_edit.setPlaceholderText(_("your-portal.bitrix24.com"))
        self.client_id_edit = QLineEdit(self)
        self.client_id_edit.setObjectName("signInClientIdEdit")
        self.client_id_edit.setAccessibleName(_("Application client ID"))
        self.client_id_edit.setPlaceholderText(_("local.0123abcd… (not secret)"))
        self.client_secret_field = SecretLineEdit(
            _("client secret (sent only to the OAuth server)"), _("client secret"), self
        )
        self.client_secret_field.edit.setObjectName("signInClientSecretEdit")
        self.client_secret_field.edit.setAccessibleName(_("Application client secret"))
        self.oauth_server_edit = QLineEdit(self)
        self.oauth_server_edit.setObjectName("signInOAuthServerEdit")
        self.oauth_server_edit.setAccessibleName(_("OAuth server address (optional)"))
        self.oauth_server_edit.setPlaceholderText(_("optional: Bitrix24's OAuth server"))
        self.port_spin = QSpinBox(self)
        self.port_spin.setObjectName("signInPortSpin")
        self.port_spin.setAccessibleName(_("Sign-in port"))
        self.port_spin.setRange(MIN_PORT, 65535)
        self.port_spin.setValue(DEFAULT_PORT)
        self.handler_edit = QLineEdit(self)
        self.handler_edit.setObjectName("handlerUrlEdit")
        self.handler_edit.setAccessibleName(_("Handler address to register in the application"))
        self.handler_edit.setReadOnly(True)
        self.copy_button = QPushButton(_("&Copy"), self)
        self.copy_button.setObjectName("copyHandlerButton")
        self.copy_button.setAccessibleName(_("Copy the handler address"))
        handler_row = QHBoxLayout()
        handler_row.addWidget(self.handler_edit, 1)
        handler_row.addWidget(self.copy_button)

        self.paste_field = SecretLineEdit(
            _("address the browser landed on"), "https://your-app.example/handler?code=…", self
        )
        self.paste_field.edit.setObjectName("pastedRedirectEdit")
        self.paste_field.edit.setAccessibleName(_("Address the browser landed on"))
        paste_note = plain_label(
            _(
                "If the application's handler is its own server, the browser lands there instead: "
                "paste that address here and its code is exchanged at once (it lives 30 seconds)."
            ),
            self,
        )

        self.status_label = plain_label(
            _("Register the handler address in the application's settings, then press Sign in."),
            self,
        )
        self.status_label.setObjectName("signInStatus")
        self.status_label.setAccessibleDescription(_("Sign-in status"))
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.sign_in_button = QPushButton(_("&Sign in"), self)
        self.sign_in_button.setObjectName("startSignInButton")
        self.sign_in_button.setAccessibleName(_("Open the browser and sign in"))
        self.sign_in_button.setDefault(True)
        self.cancel_button = QPushButton(_("Ca&ncel"), self)
        self.cancel_button.setObjectName("cancelSignInButton")
        self.cancel_button.setAccessibleName(_("Cancel the sign-in"))
        self.cancel_button.setEnabled(False)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = buttons.addButton(_("C&lose"), QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.setObjectName("closeSignInButton")

        form = QFormLayout()
        for text, field, buddy in (
            (_("&Portal:"), self.portal_edit, self.portal_edit),
            (_("Client &ID:"), self.client_id_edit, self.client_id_edit),
            (_("Client s&ecret:"), self.client_secret_field, self.client_secret_field.edit),
            (_("OAuth ser&ver:"), self.oauth_server_edit, self.oauth_server_edit),
            (_("P&ort:"), self.port_spin, self.port_spin),
        ):
            label = plain_label(text, self, wrap=False)
            label.setBuddy(buddy)
            form.addRow(label, field)
        handler_label = plain_label(_("&Handler address:"), self, wrap=False)
        handler_label.setBuddy(self.handler_edit)
        form.addRow(handler_label, handler_row)
        paste_label = plain_label(_("&Address landed on:"), self, wrap=False)
        paste_label.setBuddy(self.paste_field.edit)
        form.addRow(paste_label, self.paste_field)
        form.addRow(paste_note)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status_label)
        layout.addWidget(buttons)

        self.port_spin.valueChanged.connect(self._show_handler)
        self.copy_button.clicked.connect(self.copy_handler_url)
        self.sign_in_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        buttons.rejected.connect(self.reject)
        self.paste_field.edit.textChanged.connect(self._on_paste_changed)
        self.paste_field.edit.returnPressed.connect(self.exchange_pasted)
        self.resize(620, self.sizeHint().height())

    def _fill(self) -> None:
        """Start from what the profile's OAuth fields hold, and the profile's port."""
        values = self._panel.form.values()
        self.portal_edit.setText(values.portal)
        self.client_id_edit.setText(values.renewal.get("client_id", ""))
        self.client_secret_field.set_text(values.renewal.get("client_secret", ""))
        self.oauth_server_edit.setText(values.renewal.get("oauth_server", ""))
        demo_port = self._panel.session.demo_signin_port if self._on_demo_entry() else 0
        self.port_spin.setValue(self._panel.profile().signin_port or demo_port or DEFAULT_PORT)
        self._show_handler()

    def _on_demo_entry(self) -> bool:
        """The demo entry is current: its application's handler port is the demo's."""
        return self._panel.current_profile is None

    # --- the handler address -----------------------------------------------------------

    def _show_handler(self) -> None:
        self.handler_edit.setText(handler_url(self.port_spin.value()))

    def copy_handler_url(self) -> None:
        QGuiApplication.clipboard().setText(self.handler_edit.text())
        self.status_label.setText(
            _("Copied the handler address: paste it in the application's settings.")
        )

    # --- starting and stopping ---------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None

    def _secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.client_secret_field.text(), self._pasted) if s)

    def _request(self) -> SignInRequest | None:
        try:
            return sign_in_request(
                self.portal_edit.text(),
                self.client_id_edit.text(),
                self.client_secret_field.text(),
                self.oauth_server_edit.text(),
            )
        except InspectorError as exc:
            self._say(exc)
            return None

    def start(self) -> None:
        """Listen on the port, open the browser at the authorize address, wait."""
        request = self._request()
        if request is None:
            return
        port = self.port_spin.value()
        self._remember_port(port)
        options = self._panel.network_settings()

        def work(task: SignInTask) -> SignInResult:
            from ..core.client.code_grant import exchange_code
            from ..core.signin import BrowserSignIn
            from ..core.signin_address import WAIT_TIMEOUT_S

            with BrowserSignIn(request, port=port) as sign_in:
                task.listening.emit(sign_in)
                task.open_url.emit(sign_in.authorize_url)
                redirect = sign_in.wait(WAIT_TIMEOUT_S, task.cancel)
            task.exchanging.set()
            # Not cancellable: dropping the answer would lose the tokens for a spent code.
            return exchange_code(request, redirect, options)

        self._state = None
        self._run(work, _("Starting the sign-in…"))

    def exchange_pasted(self) -> None:
        """Exchange the code in the pasted address now (it lives 30 seconds)."""
        text = self.paste_field.text().strip()
        if not text:
            return
        request = self._request()
        if request is None:
            return
        self._pasted = text
        state = self._state
        options = self._panel.network_settings()

        def work(task: SignInTask) -> SignInResult:
            from ..core.client.code_grant import exchange_pasted_redirect

            task.exchanging.set()  # not cancellable, as in start()
            return exchange_pasted_redirect(text, request, state=state, options=options)

        self._run(work, _("Exchanging the code of the pasted address…"))

    def _on_paste_changed(self, text: str) -> None:
        grew = len(text) - len(self._pasted_seen)
        self._pasted_seen = text
        if grew > 1:  # pasted, not typed: exchange at once
            self.exchange_pasted()

    def _run(self, work: Callable[[SignInTask], SignInResult], message: str) -> None:
        self._stop()
        task = SignInTask(work, self._secrets())
        thread = QThread(self)
        thread.setObjectName("sign-in")
        task.moveToThread(thread)
        thread.started.connect(task.run)
        task.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        task.listening.connect(self._on_listening)
        task.open_url.connect(self._open_browser)
        task.succeeded.connect(self._on_succeeded)
        task.failed.connect(self._on_failed)
        delete_on_gui_thread(task, thread, task.finished)
        self._task, self._thread = task, thread
        self._set_busy(True)
        self.status_label.setText(message)
        thread.start()

    def _stop(self, wait_ms: int = WAIT_MS_ON_CLOSE) -> None:
        """Cancel the running step and wait (bounded) for its thread."""
        task, thread = self._task, self._thread
        self._task = None
        if task is not None:
            task.cancel.set()
        if thread is not None:
            thread.wait(wait_ms)
        self._thread = None
        self._set_busy(False)

    def cancel(self) -> None:
        """Stop waiting for the browser; nothing is saved."""
        if self._task is None:
            return
        if self._exchanging():
            self.status_label.setText(self._exchanging_text())
            return
        self._stop()
        self.status_label.setText(_("Cancelled the sign-in; nothing was saved."))

    def _set_busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        self.sign_in_button.setEnabled(not busy)
        self.port_spin.setEnabled(not busy)

    def done(self, result: int) -> None:
        task = self._task
        if task is not None and task.result is not None:
            # The tokens arrived and their signal is still on its way: keep them first
            # (signed_in saves them and closes the dialog).
            self._on_succeeded(task, task.result)
            return
        if self._exchanging():
            self._close_when_exchanged = True
            self.status_label.setText(self._exchanging_text())
            return
        self._stop()
        super().done(result)

    def close_for_quit(self) -> None:
        """The window is quitting: wait for a code exchange underway (bounded by its own
        timeouts) and save the tokens it brings; stop anything else. Never blocks
        longer than ``WAIT_MS_FOR_EXCHANGE``."""
        task, thread = self._task, self._thread
        if task is not None and thread is not None and self._exchanging():
            thread.wait(WAIT_MS_FOR_EXCHANGE)
            if thread.isRunning():
                _keep_until_finished(thread, task)
                self._task = self._thread = None
        if task is not None and task.result is not None:
            self._task = None
            self._panel.use_signed_in(task.result.credential)
        self._close_when_exchanged = False
        self.reject()

    def _exchanging(self) -> bool:
        """A code is being exchanged on the worker thread (it must not be dropped)."""
        task, thread = self._task, self._thread
        return (
            task is not None
            and task.exchanging.is_set()
            and thread is not None
            and thread.isRunning()
        )

    @staticmethod
    def _exchanging_text() -> str:
        return _(
            "Exchanging the code for tokens: this cannot be stopped halfway, or the tokens "
            "would be lost. The dialog closes as soon as it ends."
        )

    def _remember_port(self, port: int) -> None:
        name = self._panel.current_profile
        if name is None:
            return  # the demo entry keeps nothing
        wanted = 0 if port == DEFAULT_PORT else port
        if self._panel.profiles.get(name).signin_port != wanted:
            self._panel.profiles.update(name, signin_port=wanted)

    # --- from the worker (GUI thread) --------------------------------------------------

    def _on_listening(self, sign_in: BrowserSignIn) -> None:
        self._state = sign_in.state
        self.status_label.setText(
            _(
                "Waiting for the browser on {url} … Allow access on the portal's "
                "page; Cancel stops waiting."
            ).format(url=sign_in.handler_url)
        )

    def _open_browser(self, url: str) -> None:
        if not QDesktopServices.openUrl(QUrl(url)):
            self.status_label.setText(
                _("Could not open the browser. Open this address yourself: {url}").format(
                    url=safe_text(url)
                )
            )

    def _on_succeeded(self, task: SignInTask, result: Any) -> None:
        if task is not self._task:
            return
        self._task = None
        self._set_busy(False)
        self.status_label.setText(_("Signed in."))
        self.signed_in.emit(result)

    def _on_failed(self, task: SignInTask, error: Any) -> None:
        if task is not self._task or isinstance(error, Cancelled):
            return
        self._task = None
        self._set_busy(False)
        self._say(error)
        if self._close_when_exchanged:
            self._close_when_exchanged = False
            self.done(QDialog.DialogCode.Rejected)

    def _say(self, error: InspectorError) -> None:
        self.status_label.setText(f"✗ {safe_text(str(error), self._secrets(), max_len=600)}")


def _keep_until_finished(thread: QThread, task: SignInTask) -> None:
    """Keep *thread* alive past its dialog: it ends on its own timeouts."""
    entry = (thread, task)
    thread.setParent(None)
    _ORPHANS.add(entry)
    thread.finished.connect(lambda: _ORPHANS.discard(entry))


def open_sign_in(window: Any) -> SignInDialog:
    """Open the sign-in dialog over the ``MainWindow`` *window* (one at a time)."""
    panel = window.credentials_panel

    def make() -> SignInDialog:
        panel.start()
        dialog = SignInDialog(panel, window)
        dialog.signed_in.connect(lambda result: _finish(window, dialog, result))
        return dialog

    return open_once(window, "signin_dialog", make)


def _finish(window: Any, dialog: SignInDialog, result: SignInResult) -> None:
    """Save the signed-in credential, tell what happened, and list the sources."""
    credential = result.credential
    if result.moved_to and window.confirm_move(result.moved_to):
        credential = result.followed()
    panel: CredentialsPanel = window.credentials_panel
    saved = panel.use_signed_in(credential)
    warnings = [safe_text(w, credential.secrets(), max_len=400) for w in result.warnings]
    dialog.accept()
    window.status_line.setText(_("Signed in. {saved}").format(saved=saved))
    if warnings:
        show_warnings(window, warnings)
    window.browse_sources()


def show_warnings(window: Any, warnings: list[str]) -> QMessageBox:
    """The sign-in's warnings, in a box that does not block the source list."""
    box = QMessageBox(window)
    box.setObjectName("signInWarnings")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(_("Signed in, with warnings"))
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(_("Signed in and saved. Please note:"))
    box.setInformativeText("\n\n".join(warnings))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.finished.connect(box.deleteLater)
    window.signin_warnings = box
    box.show()
    return box
