"""What the credentials panel knows about the current profile, without Qt or keyring.

Three copies of a credential meet in the panel, and each has its name here:

* **stored**: what the system keychain holds for the current profile (read at start and
  on a switch, replaced by Remember, a renewal or a move). The keychain line says "Saved
  in <keychain>" when the fields hold exactly this.
* **remembered**: what the credential store holds for the profile, in the keychain or,
  without a usable one, in its copy for this session. Fields equal to it hold no unsaved
  change.
* **edited**: the fields as typed (``edited``, a ``FieldValues``) and the credential they
  make (``credential``; ``problem`` says why there is none).

and **kept**: per profile, the fields as the user left them when answering "Keep for this
session" (or as given by ``B24_WEBHOOK_URL``), put back when the profile is chosen again.

The session also renames and deletes profiles (their keychain entries move or go with
them), holds the current profile's network settings (``network``, see
``profile_network``), and places a renewed or moved credential where the old one was.

It never touches a widget and never asks the user anything: the panel asks
(``ui.profile_questions``) and mirrors ``edited`` in the form whenever ``fields_version``
changes. Every outcome is a plain sentence in ``line`` (the keychain line) or a return
value, and no sentence holds a secret. The store is opened on first use through
``open_store``, so that ``keyring`` is imported only when the keychain is needed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..i18n import N_, _
from .credentials import Credential, OAuthCredential, credential_from_storage
from .errors import InvalidCredential
from .field_values import FieldValues, check_fields
from .hosts import shown_host
from .masking import sanitize
from .profile_network import ProfileNetwork
from .profiles import Profile, ProfileList, SecretStore, check_profile_name
from .start_read import StartPlan, StartRead

if TYPE_CHECKING:
    from .keychain_status import KeychainStatus, LoadOutcome

WEBHOOK_ENV = "B24_WEBHOOK_URL"
MAX_SHOWN_NAME = 64
CHECKING_KEYCHAIN = N_("Keychain: checking…")
READING_KEYCHAIN = N_("Reading the keychain…")
"""The keychain line while the saved credential is read off the GUI thread."""


class Origin(enum.Enum):
    """Where the credential in the fields came from."""

    TYPED = "typed"
    SAVED = "saved"
    ENVIRONMENT = "environment"
    DEMO = "demo"


def _move_entries(store: SecretStore, profile: Profile, new: str) -> str:
    """Move *profile*'s keychain entries to the name *new*; say where the credential went."""
    entries = [(profile.name, new)]
    if profile.proxy_has_password:
        entries.append((profile.proxy_entry, Profile(new).proxy_entry))
    message = ""
    for source, target in entries:
        outcome = store.load(source)
        if outcome.secret is not None:
            saved = store.save(target, outcome.secret)
            store.forget(source)
            if source == profile.name:
                message = f" {saved.message}"
    return message


class KeepChoice(enum.Enum):
    """The answer to "Keep the changes to <profile>?" (see ``ProfileSession.leave``)."""

    REMEMBER = "remember"
    SESSION = "session"
    DISCARD = "discard"  # only when quitting: the changes go with the program
    CANCEL = "cancel"


class ProfileSession:
    """The current profile and its credential: stored, remembered, edited, kept."""

    def __init__(self, profiles: ProfileList, open_store: Callable[[], SecretStore]) -> None:
        self.profiles = profiles
        self._open_store = open_store
        self._store: SecretStore | None = None
        self._current: str | None = profiles.last_used
        self.network = ProfileNetwork(profiles, lambda: self.store, self._current)
        self.demo_webhook: str | None = None  # the demo's URL, to return to its entry
        self.demo_values: FieldValues | None = None  # the demo entry's fields, to return to it
        self.demo_signin_port = 0  # the demo application's handler port; 0: the default
        self.origin = Origin.TYPED
        self.edited = FieldValues("oauth")
        self.credential: Credential | None = None
        self.problem = ""
        self.stored: Credential | None = None
        self.remembered: Credential | None = None
        self.kept: dict[str | None, FieldValues] = {}
        self.fields_version = 0
        """Counts the times the session replaced the fields (the form shows ``edited``)."""
        self.line = _(CHECKING_KEYCHAIN)
        """What the keychain line says: the outcome of the last step."""
        self.started = False
        self.backend_name = ""
        self.backend_usable = False
        self.backend_reason = ""
        self.backend_known = False
        """Whether the keychain was asked where credentials go (not for a session's own)."""
        self._take(self.edited, Origin.TYPED)

    @property
    def current(self) -> str | None:
        """The profile in use; None for the demo portal's session entry."""
        return self._current

    @current.setter
    def current(self, name: str | None) -> None:
        self._current = self.network.current = name

    # --- the store ---------------------------------------------------------------------

    @property
    def store(self) -> SecretStore:
        if self._store is None:
            self._store = self._open_store()
        return self._store

    def _refresh_status(self) -> None:
        self._apply_status(self.store.status())

    def _apply_status(self, status: KeychainStatus) -> None:
        self.backend_name = status.backend_name
        self.backend_usable = status.usable
        self.backend_reason = status.reason or _("the keychain cannot be used.")
        self.backend_known = True

    def start(self) -> None:
        """Ask the keychain where credentials go and load the stored one, on this thread.

        A credential already given for this session (demo, environment) stays in the
        fields, and the stored one is not read (nor is the keychain opened, unless the
        profile's proxy keeps its password there). The window reads off the GUI thread
        instead: ``start_plan``, ``StartPlan.read`` on a worker, then ``finish_start``.
        """
        if self.started:
            return
        plan = self.start_plan()
        if plan is None:
            self.start_without_keychain()
        else:
            self.finish_start(plan.read(self.store))

    def start_plan(self) -> StartPlan | None:
        """What the first keychain read must fetch for the profile in use.

        None: nothing at all, because the demo or the environment gave the credential and
        no proxy password is kept; then ``keyring`` is never loaded for the start.
        """
        given = self.origin in (Origin.DEMO, Origin.ENVIRONMENT)
        profile = self.network.profile()
        proxy_entry = (
            profile.proxy_entry if self.current is not None and profile.proxy_has_password else None
        )
        if given and proxy_entry is None:
            return None
        return StartPlan(self.current, not given, proxy_entry)

    def start_without_keychain(self) -> None:
        """Start with the session's credential; which keychain Remember would use is
        asked only when the user presses Remember or Forget."""
        self.started = True

    def finish_start(self, read: StartRead) -> bool:
        """Take what the keychain answered at start (GUI thread).

        False when the user switched profile while it was read: the read is stale, and
        the caller reads again for ``start_plan()``.
        """
        if self.started:
            return True
        if read.plan.profile != self.current:
            return False
        self.started = True
        self._apply_status(read.status)
        if read.plan.proxy_entry is not None:
            self.network.proxy_url = read.proxy_url
        if read.credential is not None:
            self._load_stored(read.credential)
        return True

    def _load_stored(self, outcome: LoadOutcome | None = None) -> None:
        """Read the current profile's credential from the keychain into the fields
        (*outcome*: what a read off the GUI thread already got)."""
        profile = self.current
        if profile is None:
            return
        if outcome is None:
            outcome = self.store.load(profile)
        kept = profile in self.kept  # the fields were put back as the user left them
        if outcome.secret is None:
            if kept:
                self._describe_edit()
                return
            # Without a usable keychain, say so (and that the fields are session-only) rather
            # than that nothing could be read.
            usable_message = outcome.message if self.backend_usable else None
            self.line = usable_message or self._not_saved_text()
            return
        try:
            credential = credential_from_storage(outcome.secret)
        except InvalidCredential as exc:
            self.line = str(exc)
            return
        self.remembered = credential
        if kept or (self.origin is Origin.TYPED and self.credential is not None):
            # The user typed one before the keychain answered, or kept their changes for
            # this session: theirs wins.
            self.stored = credential
            self._describe_edit()
            return
        self.stored = None if outcome.from_session_only else credential
        self._replace(FieldValues.of(credential), Origin.SAVED)
        if outcome.from_session_only:
            self.line = outcome.message or _("Kept for this session only.")
        else:
            self.line = _("Saved in {backend}.").format(backend=self.backend_name)

    def _stored_in(self, profile: str) -> Credential | None:
        outcome = self.store.load(profile)
        if outcome.secret is None:
            return None
        try:
            return credential_from_storage(outcome.secret)
        except InvalidCredential:
            return None

    # --- the fields --------------------------------------------------------------------

    def edit(self, values: FieldValues) -> None:
        """The user changed the fields to *values*."""
        self._take(values, Origin.TYPED)

    def _take(self, values: FieldValues, origin: Origin) -> None:
        self.edited = values
        self.origin = origin
        self.credential, self.problem = check_fields(values)
        self._describe_edit()

    def _replace(self, values: FieldValues, origin: Origin) -> None:
        """Put *values* in the fields (the form follows ``fields_version``)."""
        self.fields_version += 1
        self._take(values, origin)

    def _describe_edit(self) -> None:
        """After an edit, say whether the fields still match what is stored."""
        if not self.started or self.origin is not Origin.TYPED or self.current is None:
            return
        if self.kept.get(self.current) == self.edited:
            self.line = self._kept_text()
        elif self.stored is not None and self.credential == self.stored:
            self.line = _("Saved in {backend}.").format(backend=self.backend_name)
        elif self.stored is not None:
            self.line = _(
                "Changed: {backend} still holds the previous credential. "
                "Press Remember to replace it."
            ).format(backend=self.backend_name)
        else:
            self.line = self._not_saved_text()

    def _kept_text(self) -> str:
        if self.stored is not None and self.credential == self.stored:
            return _("Saved in {backend}.").format(backend=self.backend_name)
        if self.stored is not None:
            return _(
                "Kept for this session: {backend} still holds the previous "
                "credential. Press Remember to replace it."
            ).format(backend=self.backend_name)
        if not self.backend_known:
            return _("Kept for this session, not saved. Remember keeps it in the system keychain.")
        if self.backend_usable:
            return _("Kept for this session, not saved. Remember keeps it in {backend}.").format(
                backend=self.backend_name
            )
        return _("Kept for this session, not saved: {reason}").format(reason=self.backend_reason)

    def _not_saved_text(self) -> str:
        if not self.backend_known:
            return _("Not saved. Remember keeps it in the system keychain.")
        if self.backend_usable:
            return _("Not saved. Remember keeps it in {backend}.").format(backend=self.backend_name)
        return _("Not saved: {reason}").format(reason=self.backend_reason)

    def remember_text(self) -> str:
        """The Remember button's text: where it would keep the credential."""
        if not self.started or not self.backend_known:
            return _("Remember")
        if self.backend_usable:
            return _("Remember in {backend}").format(backend=self.backend_name)
        return _("Remember for this session")

    def can_remember(self) -> bool:
        return (
            self.current is not None
            and self.credential is not None
            and self.origin is not Origin.DEMO
        )

    def use_session_webhook(self, url: str, origin: Origin) -> None:
        """Fill in a webhook URL for this session only (demo portal or environment)."""
        if origin is Origin.DEMO:
            self.demo_webhook = url
        self.use_session_values(FieldValues("webhook", webhook=url), origin)

    def use_session_values(self, values: FieldValues, origin: Origin) -> None:
        """Fill in *values* for this session only (the demo portal's entry, or the
        environment's credential for the current profile)."""
        if origin is Origin.DEMO:
            self.demo_values = values
            self.current = None
        self._replace(values, origin)
        if origin is Origin.DEMO:
            self.line = _("Demo portal credential: for this session only, never saved.")
        else:
            # The profile's credential for this session: it comes back after a switch.
            self.kept[self.current] = self.edited
            self.line = _(
                "From {variable}: used for this session only; not saved unless you press Remember."
            ).format(variable=WEBHOOK_ENV)

    def use_signed_in(self, credential: OAuthCredential) -> str:
        """Put a credential from a sign-in or an import in the fields and save it as
        Remember does (on the demo entry: for this session only). Returns the outcome."""
        self._replace(FieldValues.of(credential), Origin.TYPED)
        if self.current is None:
            self.kept[None] = self.edited
            self.line = _("Signed in for this session; the demo portal entry is never saved.")
            return self.line
        self.remember()
        return self.line

    # --- the keychain ------------------------------------------------------------------

    def remember(self) -> None:
        """Save the credential in the fields under the current profile."""
        credential = self.credential
        profile = self.current
        if credential is None or self.origin is Origin.DEMO or profile is None:
            return
        self.started = True
        self._refresh_status()
        outcome = self.store.save(profile, credential.to_storage())
        self.remembered = credential  # in the keychain, or in the store for this session
        self.kept.pop(profile, None)
        if outcome.persisted:
            self.stored = credential
            self.origin = Origin.SAVED
        self.profiles.update(profile, kind=credential.kind, host=credential.host)
        self.line = outcome.message

    def forget(self) -> None:
        """Remove the stored credential; the fields keep it for this session."""
        profile = self.current
        if profile is None:
            return
        self.started = True
        self._refresh_status()
        message = self.store.forget(profile)
        self.stored = self.remembered = None
        if self.origin is Origin.SAVED:
            self.origin = Origin.TYPED
        if self.credential is not None:
            message += " " + _("The fields still hold it for this session.")
            self.kept[profile] = self.edited  # and keep it after a switch
        self.profiles.update(profile, host="")
        self.line = message

    # --- leaving a profile with changes ------------------------------------------------

    def has_unsaved_changes(self) -> bool:
        """Whether the fields differ from what the current profile has (stored, or kept for
        this session), so that switching away would lose something."""
        if self.current in self.kept:
            return self.edited != self.kept[self.current]
        if self.origin is not Origin.TYPED:
            return False  # as loaded: the stored credential, the demo's
        if self.credential is not None:
            return self.credential != self.remembered
        return self.edited.has_text()  # incomplete, but typed

    def leave(self, choice: KeepChoice) -> str | None:
        """Do what the user chose for the changes to the profile being left.

        Returns what became of them (for the status line), or None: stay (Cancel).
        """
        shown = self.shown_name()
        if choice is KeepChoice.REMEMBER and self.can_remember():
            self.remember()
            return _("The changes to {profile}: {outcome}").format(profile=shown, outcome=self.line)
        if choice in (KeepChoice.REMEMBER, KeepChoice.SESSION):
            self.kept[self.current] = self.edited  # until the program ends
            return _("The changes to {profile} are kept for this session.").format(profile=shown)
        return None

    def shown_name(self) -> str:
        """The current profile as a question or a status sentence names it."""
        if self.current is None:
            return _("the demo portal entry")
        return f"“{sanitize(self.current, max_len=MAX_SHOWN_NAME)}”"

    # --- profiles ----------------------------------------------------------------------

    def select(self, name: str | None) -> bool:
        """Switch to profile *name* (None: the demo entry) and load its credential.

        Does not ask about changes in the fields (the caller does, before). False when
        there is no such profile (or no demo entry).
        """
        if name is not None and name not in self.profiles.names():
            return False
        if name is None and self.demo_values is None:
            return False
        self.current = name
        self.stored = self.remembered = None
        self.network.proxy_url = None
        kept = self.kept.get(name)
        if name is None:
            assert self.demo_values is not None
            if kept is None:
                self.use_session_values(self.demo_values, Origin.DEMO)
            else:
                self._replace(kept, Origin.TYPED)
                self.line = _(
                    "Your changes to the demo portal entry, kept for this session; never saved."
                )
            return True
        self.profiles.last_used = name
        self._replace(kept or FieldValues(self.profiles.get(name).kind or "oauth"), Origin.TYPED)
        if self.started:
            self.network.load_proxy_secret()
            self._load_stored()
        return True

    def new_name(self, text: str) -> str | None:
        """The name a new profile would get from *text*, or None (``line`` says why)."""
        try:
            return check_profile_name(text, self.profiles.names())
        except ValueError as exc:
            self.line = _("No profile was added: {reason}").format(reason=exc)
            return None

    def add(self, name: str) -> None:
        """Add an empty profile called *name* (see ``new_name``) and switch to it."""
        self.profiles.put(Profile(name))
        self.select(name)

    def rename(self, text: str) -> str | None:
        """Rename the current profile; its keychain entries move to the new name.

        Returns the new name, or None when nothing was renamed (``line`` says why).
        """
        old = self.current
        if old is None:
            return None
        try:
            new = check_profile_name(text, self.profiles.names(), current=old)
        except ValueError as exc:
            self.line = _("The profile was not renamed: {reason}").format(reason=exc)
            return None
        if new == old:
            return old
        message = _move_entries(self.store, self.profiles.get(old), new)
        self.profiles.rename(old, new)
        if old in self.kept:
            self.kept[new] = self.kept.pop(old)
        self.current = new
        self.profiles.last_used = new
        renamed = _("Renamed the profile to “{profile}”.").format(profile=sanitize(new))
        self.line = renamed + message
        return new

    def delete(self) -> bool:
        """Delete the current profile and its keychain entries; switch to the first one left.

        The caller asked the user first. False when on the demo entry (nothing deleted).
        """
        name = self.current
        if name is None:
            return False
        profile = self.profiles.get(name)
        message = self.store.forget(name)
        if profile.proxy_has_password:
            self.store.forget(profile.proxy_entry)
        self.profiles.remove(name)
        self.kept.pop(name, None)  # the changes went with the profile the user deleted
        self.select(self.profiles.names()[0])
        deleted = _("Deleted the profile “{profile}”.").format(profile=sanitize(name))
        self.line = f"{deleted} {message}"
        return True

    def use_demo_handler(self, url: str | None) -> None:
        """The demo application's registered handler address: the demo entry's sign-in
        listens on its port (the demo picks another when the default one is busy)."""
        try:
            port = urlsplit(url).port if url else None
        except ValueError:
            port = None
        self.demo_signin_port = port or 0

    # --- renewal and moves -------------------------------------------------------------

    def store_renewed(self, profile: str | None, old: Credential, renewed: OAuthCredential) -> str:
        """Keep a renewed credential: in the fields, and in the keychain in place of *old*.

        The keychain entry is replaced when it holds *old*'s refresh token (now void); the
        fields of the current profile, and those kept for *profile*, when they hold *old*.
        Returns a sentence for the user (also the keychain line if *profile* is current).
        """
        persisted = False
        message = ""
        saved_in = self.backend_name
        stored: Credential | None = None
        if profile is not None:
            stored = self.stored if profile == self.current else self._stored_in(profile)
        holds_old = (
            stored is not None
            and stored.kind == "oauth"
            and old.kind == "oauth"
            and stored.refresh_token == old.refresh_token
        )
        # The window's worker saves renewed tokens itself, under the renewal lock (see
        # core.renewal_lock); an entry that already holds them needs no second write.
        already_saved = (
            isinstance(stored, OAuthCredential) and stored.refresh_token == renewed.refresh_token
        )
        if profile is not None and already_saved:
            persisted = True
        elif profile is not None and holds_old:
            result = self.store.save(profile, renewed.to_storage())
            persisted = result.persisted
            message = result.message
            saved_in = result.backend_name
            if profile == self.current and persisted:
                self.remembered = renewed
        kept = self.kept.get(profile) if profile is not None else None
        if kept is not None and check_fields(kept)[0] == old:
            self.kept[profile] = FieldValues.of(renewed)  # the old refresh token is void
        if profile == self.current and self.credential == old:
            # Tokens that could not be saved are an unsaved change (asked about at quit).
            unsaved = profile is not None and not persisted and self.origin is not Origin.DEMO
            self._replace(FieldValues.of(renewed), Origin.TYPED if unsaved else self.origin)
            if persisted:
                self.stored = renewed
                self.origin = Origin.SAVED
        if persisted:
            text = _(
                "The access token expired and was renewed; the new tokens are saved in {backend}."
            ).format(backend=saved_in)
        elif holds_old:
            text = _(
                "The access token was renewed, but the new tokens could not be saved: {reason} "
                "The saved refresh token no longer works: keep this window open, and press "
                "Remember once the keychain works again."
            ).format(reason=message)
        else:
            text = _(
                "The access token was renewed. The new tokens are in the fields only: press "
                "Remember to keep them (the old refresh token no longer works)."
            )
        if profile == self.current:
            self.line = text
        return text

    def move_to(self, new_origin: str) -> str:
        """Point the current credential at the portal's new address (the user agreed)."""
        credential = self.credential
        if credential is None:
            return _("There is no credential to move.")
        moved = credential.with_origin(new_origin)
        was_stored = self.stored is not None and self.stored == credential
        if self.kept.get(self.current) == self.edited:
            self.kept[self.current] = FieldValues.of(moved)
        self._replace(FieldValues.of(moved), self.origin)
        if was_stored and self.current is not None:
            outcome = self.store.save(self.current, moved.to_storage())
            self.remembered = moved
            if outcome.persisted:
                self.stored = moved
                self.origin = Origin.SAVED
            self.profiles.update(self.current, host=moved.host)
            self.line = outcome.message
        return _("The profile now uses {host}.").format(host=shown_host(moved.host))
