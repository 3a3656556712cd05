"""A renewal the keychain cannot take, in the window's session (issue 10, finding 5).

The window renews on a worker thread and keeps the new tokens for the session when the
keychain refuses them (``CredentialStore`` falls back to memory); the sentence must say,
loudly, that the saved refresh token is void and what to do.
"""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.errors
import pytest
from memory_keyring import MemoryKeyring
from test_profile_session import MemoryProfiles

from inspector.core.credentials import OAuthCredential, make_oauth_credential
from inspector.core.keychain import SERVICE, CredentialStore
from inspector.core.profile_session import ProfileSession


class ReadOnlyKeyring(MemoryKeyring):
    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("refused")


@pytest.fixture
def read_only() -> Iterator[ReadOnlyKeyring]:
    previous = keyring.get_keyring()
    backend = ReadOnlyKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def oauth(access: str, refresh: str) -> OAuthCredential:
    return make_oauth_credential(
        "https://prod.example.com",
        access,
        client_id="local.app",
        client_secret="cl1ent-s3cret",
        refresh_token=refresh,
    )


def test_a_renewal_the_keychain_refuses_is_kept_and_said_loudly(read_only: ReadOnlyKeyring) -> None:
    old, renewed = oauth("0ld-access", "0ld-refresh"), oauth("n3w-access", "n3w-refresh")
    read_only.entries[(SERVICE, "default")] = old.to_storage()
    store = CredentialStore()
    session = ProfileSession(MemoryProfiles(), lambda: store)
    session.start()
    text = session.store_renewed("default", old, renewed)
    assert "could not be saved" in text and "refused to store" in text
    assert "no longer works" in text and "keep this window open" in text
    assert session.credential == renewed
    assert store.load("default").secret == renewed.to_storage()  # kept for the session
    for secret in ("n3w-access", "n3w-refresh", "0ld-refresh", "cl1ent-s3cret"):
        assert secret not in text
