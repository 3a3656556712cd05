"""The profile row of the credentials panel: which portal, and what can be done with it.

The Profile combo box (the demo portal's session entry first when there is one), New… /
Rename… / Delete…, and under them the profile's network summary with its Network…
button. The bar only shows: it says which entry the user picked (``chosen``), and the
credentials panel decides whether to switch (it may ask first, and put the combo back).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ..core.masking import sanitize
from ..core.profile_session import MAX_SHOWN_NAME
from ..i18n import N_, _
from .widgets import plain_label

DEMO_ENTRY = N_("Demo portal (this session)")  # translated where shown


class ProfileBar(QWidget):
    """Profile combo, New / Rename / Delete, and the network summary with its button."""

    chosen = Signal(object)
    """The user picked another entry: a profile name, or None for the demo entry."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updating_combo = False
        self.profile_combo = QComboBox(self)
        self.profile_combo.setObjectName("profileCombo")
        self.profile_combo.setAccessibleName(_("Profile"))
        self.profile_combo.setToolTip(_("Each profile is one portal with its own saved credential"))
        # A fixed width, not the longest name's: the window must fit 683 px (2x on 1366).
        self.profile_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.profile_combo.setMinimumContentsLength(14)
        profile_label = plain_label(_("P&rofile:"), self, wrap=False)
        profile_label.setBuddy(self.profile_combo)
        self.new_profile_button = QPushButton(_("New…"), self)
        self.new_profile_button.setObjectName("newProfileButton")
        self.new_profile_button.setToolTip(_("Add a profile for another portal"))
        self.rename_profile_button = QPushButton(_("Rename…"), self)
        self.rename_profile_button.setObjectName("renameProfileButton")
        self.rename_profile_button.setToolTip(_("Rename this profile (its keychain entry moves)"))
        self.delete_profile_button = QPushButton(_("Delete…"), self)
        self.delete_profile_button.setObjectName("deleteProfileButton")
        self.delete_profile_button.setToolTip(
            _("Delete this profile and remove its credential from the keychain")
        )
        self.network_label = plain_label("", self)  # wraps in a narrow window
        self.network_label.setObjectName("networkSummary")
        self.network_label.setAccessibleDescription(_("Network settings of this profile"))
        self.network_button = QPushButton(_("&Network…"), self)
        self.network_button.setObjectName("networkButton")
        self.network_button.setToolTip(_("Proxy and extra CA file for this profile"))

        # Two rows: the profile and its buttons, then its network. On one row the window
        # could not be narrower than 715 px in Russian, and a 1366 px screen at 2x has 683.
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(profile_label)
        row.addWidget(self.profile_combo)
        row.addWidget(self.new_profile_button)
        row.addWidget(self.rename_profile_button)
        row.addWidget(self.delete_profile_button)
        row.addStretch(1)
        network_row = QHBoxLayout()
        network_row.setContentsMargins(0, 0, 0, 0)
        network_row.addWidget(self.network_label, 1)  # wraps when narrow
        network_row.addWidget(self.network_button)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.addLayout(row)
        rows.addLayout(network_row)

        self.profile_combo.currentIndexChanged.connect(self._on_index_changed)
        QWidget.setTabOrder(self.profile_combo, self.new_profile_button)
        QWidget.setTabOrder(self.new_profile_button, self.rename_profile_button)
        QWidget.setTabOrder(self.rename_profile_button, self.delete_profile_button)
        QWidget.setTabOrder(self.delete_profile_button, self.network_button)

    def show_profiles(self, names: list[str], current: str | None, *, demo_entry: bool) -> None:
        """List *names* (after the demo entry, if any) with *current* selected."""
        self._updating_combo = True
        try:
            self.profile_combo.clear()
            if demo_entry:
                self.profile_combo.addItem(_(DEMO_ENTRY), "")
            for name in names:
                self.profile_combo.addItem(sanitize(name, max_len=MAX_SHOWN_NAME), name)
            index = self.profile_combo.findData(current if current else "")
            self.profile_combo.setCurrentIndex(max(index, 0))
        finally:
            self._updating_combo = False

    def set_on_profile(self, on_profile: bool) -> None:
        """Rename and Delete apply to a profile, not to the demo entry."""
        self.rename_profile_button.setEnabled(on_profile)
        self.delete_profile_button.setEnabled(on_profile)

    def _on_index_changed(self, index: int) -> None:
        if self._updating_combo or index < 0:
            return
        self.chosen.emit(self.profile_combo.itemData(index) or None)
