"""The review and webhook settings come from the environment and are checked."""

from __future__ import annotations

import pytest

from hashwarden.api.settings import ApiSettings
from hashwarden.core.errors import ConfigError


def test_review_and_webhook_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = ApiSettings.from_env()
    assert (defaults.review_claim_seconds, defaults.webhook_max_attempts) == (900.0, 12)
    assert (defaults.webhook_backoff_base, defaults.webhook_poll_interval) == (1.0, 1.0)
    monkeypatch.setenv("HASHWARDEN_REVIEW_CLAIM_SECONDS", "60")
    monkeypatch.setenv("HASHWARDEN_WEBHOOK_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("HASHWARDEN_WEBHOOK_BACKOFF_BASE", "0.5")
    monkeypatch.setenv("HASHWARDEN_WEBHOOK_POLL_INTERVAL", "2")
    settings = ApiSettings.from_env()
    assert settings.review_claim_seconds == 60.0
    assert settings.webhook_max_attempts == 3
    assert (settings.webhook_backoff_base, settings.webhook_poll_interval) == (0.5, 2.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HASHWARDEN_REVIEW_CLAIM_SECONDS", "0"),
        ("HASHWARDEN_WEBHOOK_MAX_ATTEMPTS", "0"),
        ("HASHWARDEN_WEBHOOK_MAX_ATTEMPTS", "2.5"),
        ("HASHWARDEN_WEBHOOK_BACKOFF_BASE", "-1"),
        ("HASHWARDEN_WEBHOOK_POLL_INTERVAL", "soon"),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        ApiSettings.from_env()
