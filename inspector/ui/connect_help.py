"""Help ▸ Connect to your portal: how an admin gets from nothing to a listed source.

The same walkthrough as the README's "Connect to your portal": a local application (server
type, "uses API only", scope ``biconnector``, the handler address this inspector shows),
the two permissions, the commercial plan REST needs, and the ownership rule. Plain text
only; the handler address is the current profile's.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout

from ..core.signin_address import DEFAULT_PORT, handler_url
from ..i18n import _


def connect_text(port: int = DEFAULT_PORT) -> str:
    """The walkthrough, naming the handler address for *port*."""
    return _("""\
Connect to your portal

Current portals accept the BI Builder methods (biconnector.*) only with an OAuth
application's token; a webhook gets ACCESS_DENIED. So:

1. Create a local application. In the portal: Developer resources ▸ Other ▸ Local
   application. Choose the server type, tick "Uses API only" (no interface in the
   portal), give it the scope biconnector, and set its handler address to:

       {handler}

   (the address "Sign in with browser…" shows, with a Copy button; the port is saved
   per profile). Save, and note the client ID and client secret.

2. The user who signs in needs two permissions:
   Access to BI Builder and Access to Analytics Hub.

3. REST is available only on commercial plans: on a free plan every call is refused
   whatever the credential.

4. Sign in: in a profile, choose "OAuth application", press "Sign in with browser…",
   give the portal, client ID and client secret, and allow access in the browser. The
   tokens are saved in the system keychain and renewed automatically. If the
   application's handler is its own server, paste the address the browser landed on
   instead; if you already have tokens, use "Import tokens…".

Which sources you see: an application sees only the sources whose connector it created.
Admin rights play no part, and connections made in the Analytics hub (MySQL,
PostgreSQL, 1C) are never returned over REST. A fresh application therefore lists
nothing. To inspect a source, use the credentials of the application that owns its
connector. A Market application's current token, copied from its page, lasts an hour
and cannot be renewed: import it for a quick look, then sign in again.
""").format(handler=handler_url(port))


def show_connect_help(window: Any) -> QDialog:
    """Open the walkthrough over *window* (not modal: it can stay open while signing in)."""
    port = window.credentials_panel.profile().signin_port or DEFAULT_PORT
    dialog = QDialog(window)
    dialog.setObjectName("connectHelpDialog")
    dialog.setWindowTitle(_("Connect to your portal"))
    text = QPlainTextEdit(dialog)
    text.setObjectName("connectHelpText")
    text.setAccessibleName(_("Connect to your portal"))
    text.setReadOnly(True)
    text.setPlainText(connect_text(port))
    text.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.resize(640, 560)
    dialog.finished.connect(dialog.deleteLater)
    window.connect_help = dialog
    dialog.show()
    return dialog
