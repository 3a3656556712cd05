"""The profile session without a display: what is stored in the keychain, what is edited in
the form, what is kept for this session, renames, deletes, renewals, moves and network
settings, over a real ``CredentialStore`` on the in-memory keyring backend (and on the
"no keychain" backend). Every sentence the session produces is checked for secrets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from memory_keyring import MemoryKeyring

from inspector.core.credentials import (
    Credential,
    OAuthCredential,
    credential_from_storage,
    make_oauth_credential,
    parse_webhook_url,
)
from inspector.core.field_values import FieldValues, check_fields
from inspector.core.keychain import SERVICE, CredentialStore
from inspector.core.options import RequestOptions
from inspector.core.profile_session import WEBHOOK_ENV, KeepChoice, Origin, ProfileSession
from inspector.core.profiles import DEFAULT_PROFILE, Profile

PROD = "https://prod.example.com/rest/1/pr0d-c0de-111/"
TYPED = "https://prod.example.com/rest/1/typ3d-c0de-222/"
TEST = "https://test.example.com/rest/7/t3st-c0de-333/"
SECRETS = ("pr0d-c0de-111", "typ3d-c0de-222", "t3st-c0de-333", "0ld-", "n3w-", "s3cret", "pr0xy-pw")


class MemoryProfiles:
    """The profile list in memory (the window keeps it in QSettings)."""

    def __init__(self, *profiles: Profile) -> None:
        self._profiles = list(profiles) or [Profile(DEFAULT_PROFILE)]
        self._last = ""

    @property
    def last_used(self) -> str:
        names = self.names()
        return self._last if self._last in names else names[0]

    @last_used.setter
    def last_used(self, name: str) -> None:
        self._last = name

    def names(self) -> list[str]:
        return [p.name for p in self._profiles]

    def get(self, name: str) -> Profile:
        return next((p for p in self._profiles if p.name == name), Profile(name))

    def put(self, profile: Profile) -> None:
        names = self.names()
        if profile.name in names:
            self._profiles[names.index(profile.name)] = profile
        else:
            self._profiles.append(profile)

    def update(self, name: str, **changes: Any) -> Profile:
        profile = self.get(name)._replace(**changes)
        self.put(profile)
        return profile

    def rename(self, old: str, new: str) -> None:
        self._profiles = [p._replace(name=new) if p.name == old else p for p in self._profiles]

    def remove(self, name: str) -> None:
        self._profiles = [p for p in self._profiles if p.name != name] or [Profile(DEFAULT_PROFILE)]


@pytest.fixture
def previous_backend() -> Iterator[None]:
    previous = keyring.get_keyring()
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def memory(previous_backend: None) -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def no_keychain(previous_backend: None) -> KeyringBackend:
    backend = fail.Keyring()
    keyring.set_keyring(backend)
    return backend


def session_over(profiles: MemoryProfiles | None = None) -> ProfileSession:
    store = CredentialStore()
    return ProfileSession(profiles or MemoryProfiles(), lambda: store)


def oauth(access: str, refresh: str) -> OAuthCredential:
    return make_oauth_credential(
        "https://prod.example.com",
        access,
        client_id="local.app",
        client_secret="app-s3cret-42",
        refresh_token=refresh,
    )


def assert_no_secret(*texts: object) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in str(text) and secret not in repr(text), secret


def stored_in(memory: MemoryKeyring, entry: str) -> Credential:
    return credential_from_storage(memory.entries[(SERVICE, entry)])


def put(memory: MemoryKeyring, entry: str, url: str) -> None:
    memory.set_password(SERVICE, entry, parse_webhook_url(url).to_storage())


# --- stored, edited, kept --------------------------------------------------------------


def test_start_loads_the_stored_credential_into_the_fields(memory: MemoryKeyring) -> None:
    put(memory, "default", PROD)
    session = session_over()
    assert session.line == "Keychain: checking…"
    assert session.credential is None and session.remember_text() == "Remember"
    session.start()
    assert session.edited == FieldValues("webhook", webhook=PROD)
    assert session.fields_version == 1  # the form must show them
    assert session.credential == session.stored == session.remembered == parse_webhook_url(PROD)
    assert session.origin is Origin.SAVED
    assert session.line == "Saved in Memory keychain."
    assert session.remember_text() == "Remember in Memory keychain"
    assert not session.has_unsaved_changes()


def test_an_edit_is_compared_with_what_is_stored(memory: MemoryKeyring) -> None:
    put(memory, "default", PROD)
    session = session_over()
    session.start()
    session.edit(FieldValues("webhook", webhook=TYPED))
    assert session.origin is Origin.TYPED and session.credential == parse_webhook_url(TYPED)
    assert session.line == (
        "Changed: Memory keychain still holds the previous credential. "
        "Press Remember to replace it."
    )
    assert session.has_unsaved_changes()
    session.edit(FieldValues("webhook", webhook=PROD))
    assert session.line == "Saved in Memory keychain."
    assert not session.has_unsaved_changes()
    session.edit(FieldValues("oauth", portal="half-typed.example.com"))
    assert session.credential is None and "token" in session.problem
    assert session.has_unsaved_changes()
    assert_no_secret(session.line, session.problem, session.edited)


def test_remember_stores_and_forget_keeps_the_fields_for_the_session(
    memory: MemoryKeyring,
) -> None:
    profiles = MemoryProfiles()
    session = session_over(profiles)
    session.start()
    assert session.line == "Not saved. Remember keeps it in Memory keychain."
    session.edit(FieldValues("webhook", webhook=TYPED))
    assert session.can_remember()
    session.remember()
    assert stored_in(memory, "default") == parse_webhook_url(TYPED)
    assert session.stored == session.remembered == parse_webhook_url(TYPED)
    assert session.origin is Origin.SAVED
    assert profiles.get("default") == Profile("default", kind="webhook", host="prod.example.com")

    session.forget()
    assert (SERVICE, "default") not in memory.entries
    assert session.stored is None and session.remembered is None
    assert session.line.endswith(" The fields still hold it for this session.")
    assert session.kept["default"] == FieldValues("webhook", webhook=TYPED)
    assert profiles.get("default").host == ""
    assert_no_secret(session.line, profiles.get("default"))


def test_keep_for_this_session_comes_back_after_a_switch(memory: MemoryKeyring) -> None:
    put(memory, "default", PROD)
    put(memory, "other", TEST)
    session = session_over(MemoryProfiles(Profile("default"), Profile("other")))
    session.start()
    session.edit(FieldValues("webhook", webhook=TYPED))
    assert session.shown_name() == "“default”"
    assert session.leave(KeepChoice.SESSION) == (
        "The changes to “default” are kept for this session."
    )
    assert session.select("other")
    assert session.credential == parse_webhook_url(TEST)
    assert session.select("default")
    assert session.edited == FieldValues("webhook", webhook=TYPED)
    assert session.stored == parse_webhook_url(PROD)  # the keychain was not touched
    assert stored_in(memory, "default") == parse_webhook_url(PROD)
    assert session.line == (
        "Kept for this session: Memory keychain still holds the previous credential. "
        "Press Remember to replace it."
    )
    assert not session.has_unsaved_changes()
    assert session.leave(KeepChoice.CANCEL) is None


def test_remember_on_leaving_saves_and_an_incomplete_entry_is_only_kept(
    memory: MemoryKeyring,
) -> None:
    session = session_over(MemoryProfiles(Profile("default"), Profile("other")))
    session.start()
    session.edit(FieldValues("webhook", webhook=TYPED))
    assert session.leave(KeepChoice.REMEMBER) == (
        "The changes to “default”: Saved in Memory keychain."
    )
    assert stored_in(memory, "default") == parse_webhook_url(TYPED)
    session.select("other")
    half = FieldValues("oauth", portal="half-typed.example.com")
    session.edit(half)
    assert not session.can_remember()
    assert session.leave(KeepChoice.REMEMBER) == "The changes to “other” are kept for this session."
    assert (SERVICE, "other") not in memory.entries
    session.select("default")
    session.select("other")
    assert session.edited == half


def test_without_a_keychain_remember_keeps_it_for_this_session(
    no_keychain: KeyringBackend,
) -> None:
    session = session_over()
    session.start()
    assert session.line.startswith("Not saved: No system keychain is available")
    assert session.remember_text() == "Remember for this session"
    session.edit(FieldValues("webhook", webhook=TYPED))
    session.remember()
    assert session.remembered == parse_webhook_url(TYPED)
    assert session.stored is None and session.origin is Origin.TYPED
    assert session.line.endswith("The credential is kept for this session only.")
    assert not session.has_unsaved_changes()
    assert_no_secret(session.line)


def test_session_webhooks_demo_and_environment(memory: MemoryKeyring) -> None:
    session = session_over()
    session.use_session_webhook(TEST, Origin.ENVIRONMENT)
    assert session.kept["default"] == FieldValues("webhook", webhook=TEST)
    assert session.line.startswith(f"From {WEBHOOK_ENV}: used for this session only")
    session.use_session_webhook(PROD, Origin.DEMO)
    assert session.current is None and session.demo_webhook == PROD
    assert not session.can_remember()
    assert session.line == "Demo portal credential: for this session only, never saved."
    session.start()
    assert memory.entries == {}
    assert session.select("default")
    assert session.credential == parse_webhook_url(TEST)
    assert session.select(None) and session.credential == parse_webhook_url(PROD)
    assert not session.select("nobody")


# --- profiles ----------------------------------------------------------------------------


def test_rename_moves_the_keychain_entries_and_the_kept_fields(memory: MemoryKeyring) -> None:
    put(memory, "default", PROD)
    profiles = MemoryProfiles(Profile("default"), Profile("other"))
    session = session_over(profiles)
    session.start()
    session.network.set("http://user:pr0xy-pw@proxy.example.com:3128", None)
    session.edit(FieldValues("webhook", webhook=TYPED))
    session.leave(KeepChoice.SESSION)
    assert session.rename(" production ") == "production"
    assert session.current == "production" and profiles.last_used == "production"
    assert profiles.names() == ["production", "other"]
    assert session.line == "Renamed the profile to “production”. Saved in Memory keychain."
    assert stored_in(memory, "production") == parse_webhook_url(PROD)
    assert (SERVICE, "default") not in memory.entries
    assert (SERVICE, "default/proxy") not in memory.entries
    assert memory.entries[(SERVICE, "production/proxy")].endswith("@proxy.example.com:3128")
    assert session.kept["production"] == FieldValues("webhook", webhook=TYPED)
    assert session.rename("OTHER") is None
    assert session.line == "The profile was not renamed: There is already a profile called “other”."
    assert_no_secret(session.line, profiles.get("production"))


def test_new_and_delete(memory: MemoryKeyring) -> None:
    profiles = MemoryProfiles()
    session = session_over(profiles)
    session.start()
    assert session.new_name("a/b") is None
    assert session.line.startswith("No profile was added: A profile name cannot contain")
    name = session.new_name(" test ")
    assert name == "test"
    session.add(name)
    assert session.current == "test" and profiles.names() == ["default", "test"]
    session.edit(FieldValues("webhook", webhook=TEST))
    session.remember()
    session.network.set("http://user:pr0xy-pw@proxy.example.com:3128", None)
    assert session.delete()
    assert profiles.names() == ["default"] and session.current == "default"
    assert session.line.startswith("Deleted the profile “test”. Removed from")
    assert memory.entries == {}


# --- renewal and moves -------------------------------------------------------------------


def test_a_renewed_token_replaces_the_stored_one_and_the_fields(memory: MemoryKeyring) -> None:
    old, renewed = oauth("0ld-access", "0ld-refresh"), oauth("n3w-access", "n3w-refresh")
    memory.set_password(SERVICE, "default", old.to_storage())
    session = session_over()
    session.start()
    assert session.credential == old
    version = session.fields_version
    text = session.store_renewed("default", old, renewed)
    assert text == (
        "The access token expired and was renewed; the new tokens are saved in Memory keychain."
    )
    assert stored_in(memory, "default") == renewed
    assert session.credential == session.stored == renewed
    assert session.fields_version == version + 1 and session.edited == FieldValues.of(renewed)
    assert session.line == text
    assert_no_secret(text, session.edited)


def test_a_renewal_for_a_profile_left_behind_replaces_its_kept_fields(
    memory: MemoryKeyring,
) -> None:
    old, renewed = oauth("0ld-access", "0ld-refresh"), oauth("n3w-access", "n3w-refresh")
    put(memory, "other", TEST)
    session = session_over(MemoryProfiles(Profile("default"), Profile("other")))
    session.start()
    session.edit(FieldValues.of(old))
    session.leave(KeepChoice.SESSION)
    session.select("other")
    line = session.line
    text = session.store_renewed("default", old, renewed)
    assert text.startswith("The access token was renewed. The new tokens are in the fields only")
    assert session.line == line  # said in the status line, not on this profile's keychain line
    assert session.credential == parse_webhook_url(TEST)
    assert check_fields(session.kept["default"])[0] == renewed
    assert (SERVICE, "default") not in memory.entries


def test_a_move_points_the_stored_credential_at_the_new_address(memory: MemoryKeyring) -> None:
    put(memory, "default", PROD)
    profiles = MemoryProfiles()
    session = session_over(profiles)
    session.start()
    assert session.move_to("https://moved.example.com") == (
        "The profile now uses moved.example.com."
    )
    moved = parse_webhook_url(PROD).with_origin("https://moved.example.com")
    assert session.credential == session.stored == stored_in(memory, "default") == moved
    assert profiles.get("default").host == "moved.example.com"
    session.edit(FieldValues("webhook"))
    assert session.move_to("https://elsewhere.example.com") == "There is no credential to move."


# --- network settings --------------------------------------------------------------------


def test_a_proxy_password_goes_to_the_keychain_only(memory: MemoryKeyring) -> None:
    profiles = MemoryProfiles()
    session = session_over(profiles)
    session.start()
    proxy = "http://user:pr0xy-pw@proxy.example.com:3128"
    message = session.network.set(proxy, "/etc/corp/ca.pem")
    assert message == "Network settings saved; the proxy password: Saved in Memory keychain."
    profile = profiles.get("default")
    assert profile.proxy_has_password and "pr0xy-pw" not in profile.proxy
    assert memory.entries[(SERVICE, "default/proxy")] == proxy
    options = session.network.options()
    assert options.proxy == proxy and options.extra_ca_file == "/etc/corp/ca.pem"
    summary = session.network.summary(started=True)
    assert summary.endswith(" · system CAs + ca.pem")
    assert_no_secret(options, summary, profile)

    # Read back on a new session; without its password the summary says so.
    again = session_over(profiles)
    again.start()
    assert again.network.options().proxy == proxy
    memory.entries.pop((SERVICE, "default/proxy"))
    again.select("default")
    assert again.network.summary(started=True).endswith(
        "(its password is missing: enter it again) · system CAs + ca.pem"
    )
    assert again.network.set(None, None) == "Network settings saved."
    assert again.network.options() == RequestOptions()


def test_the_demo_entry_keeps_its_network_settings_for_the_session(
    memory: MemoryKeyring,
) -> None:
    profiles = MemoryProfiles()
    session = session_over(profiles)
    session.use_session_webhook(PROD, Origin.DEMO)
    assert session.network.set("http://proxy.example.com:3128", None) == (
        "Network settings kept for this session."
    )
    assert session.network.options().proxy == "http://proxy.example.com:3128"
    assert profiles.get("default").proxy == ""
    session.select("default")
    assert session.network.options().proxy is None
    assert memory.entries == {}
