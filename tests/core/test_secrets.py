from __future__ import annotations

import logging
from collections.abc import Iterator

import keyring
import keyring.backends.fail
import pytest

from inmyhead_app.core import secrets
from inmyhead_app.core.errors import ErrorKind, IngestError

KEY = "sk-proj-Secret0123456789abcdefXYZ"


@pytest.fixture
def redaction() -> Iterator[None]:
    secrets.install_secret_redaction()
    yield
    secrets.remove_secret_redaction()


def test_key_from_keyring_and_environment_wins(memory_keyring, monkeypatch: pytest.MonkeyPatch) -> None:
    assert secrets.get_api_key("openai") is None
    secrets.set_api_key("openai", KEY)
    assert memory_keyring.store == {("inmyhead", "openai"): KEY}
    assert secrets.get_api_key("openai") == KEY
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-the-environment-000000")
    assert secrets.get_api_key("openai") == "sk-from-the-environment-000000"
    assert secrets.get_api_key("anthropic") is None


def test_clearing_a_key_deletes_it(memory_keyring) -> None:
    secrets.set_api_key("anthropic", KEY)
    secrets.set_api_key("anthropic", "")
    assert memory_keyring.store == {}
    secrets.set_api_key("anthropic", None)  # deleting nothing is fine


def test_missing_key_is_a_provider_auth_error(memory_keyring) -> None:
    with pytest.raises(IngestError) as info:
        secrets.require_api_key("openai")
    assert info.value.kind is ErrorKind.PROVIDER_AUTH
    assert info.value.message == "No OpenAI API key: set OPENAI_API_KEY or add it in Settings"
    with pytest.raises(IngestError, match="ANTHROPIC_API_KEY"):
        secrets.require_api_key("anthropic")


def test_without_a_keyring_backend_storing_fails_clearly_and_reading_finds_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        assert secrets.get_api_key("openai") is None
        with pytest.raises(secrets.SecretStoreError, match=r"no keyring.*OPENAI_API_KEY"):
            secrets.set_api_key("openai", KEY)
    finally:
        keyring.set_keyring(previous)


def test_unknown_provider_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown provider"):
        secrets.get_api_key("acme")


def test_known_keys_and_key_shaped_strings_are_masked_in_logs(
    memory_keyring, redaction, caplog: pytest.LogCaptureFixture
) -> None:
    secrets.set_api_key("anthropic", "plain-secret-without-prefix")
    log = logging.getLogger("inmyhead_app.test")
    with caplog.at_level(logging.DEBUG):
        log.debug("sending key %s", "plain-secret-without-prefix")
        log.info("header Authorization: Bearer %s", "sk-ant-api03-somethingthatlookslikeakey")
        try:
            raise RuntimeError("failed with plain-secret-without-prefix")
        except RuntimeError:
            log.exception("boom")
    text = caplog.text
    assert "plain-secret-without-prefix" not in text
    assert "sk-ant-api03-somethingthatlookslikeakey" not in text
    assert text.count(secrets.MASK) >= 3
    assert "sending key [redacted]" in text


def test_redaction_can_be_removed(redaction, caplog: pytest.LogCaptureFixture) -> None:
    secrets.remove_secret_redaction()
    with caplog.at_level(logging.INFO):
        logging.getLogger("inmyhead_app.test").info("sk-abcdefghijklmnopqrstuvwx")
    assert "sk-abcdefghijklmnopqrstuvwx" in caplog.text


def test_keys_in_the_environment_are_masked_before_anyone_reads_them(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-only-secret-value-42")
    secrets.install_secret_redaction()
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("inmyhead_app.test").info("env says %s", "env-only-secret-value-42")
    finally:
        secrets.remove_secret_redaction()
    assert "env-only-secret-value-42" not in caplog.text and "[redacted]" in caplog.text
