"""NCMEC endpoint and credentials from the environment; clear errors that never echo secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from hashwarden.core.errors import ConfigError
from hashwarden.remote_pull.settings import (
    DEFAULT_URL,
    PASSWORD_ENV,
    PASSWORD_FILE_ENV,
    URL_ENV,
    USER_ENV,
    ncmec_credentials,
    ncmec_url,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (URL_ENV, USER_ENV, PASSWORD_ENV, PASSWORD_FILE_ENV):
        monkeypatch.delenv(name, raising=False)


def test_the_url_defaults_to_ncmec_production_and_can_be_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert ncmec_url() == DEFAULT_URL == "https://report.cybertip.org/hashsharing"
    monkeypatch.setenv(URL_ENV, "https://exttest.cybertip.org/hashsharing/")
    assert ncmec_url() == "https://exttest.cybertip.org/hashsharing"
    assert ncmec_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"


@pytest.mark.parametrize("url", ["ftp://host/x", "report.cybertip.org", "https://h/x?a=1",
                                 "http://[::1/x"])
def test_unusable_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigError, match="NCMEC URL"):
        ncmec_url(url)


def test_a_url_with_credentials_is_refused_without_echoing_them() -> None:
    with pytest.raises(ConfigError) as caught:
        ncmec_url("https://someone:hunter2@report.cybertip.org/hashsharing")
    assert "must not carry credentials" in str(caught.value)
    assert "hunter2" not in str(caught.value) and "someone" not in str(caught.value)


def test_credentials_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(USER_ENV, "member-7")
    monkeypatch.setenv(PASSWORD_ENV, "pw from env")
    credentials = ncmec_credentials()
    assert (credentials.user, credentials.password) == ("member-7", "pw from env")
    assert "member-7" not in repr(credentials) and "pw from env" not in repr(credentials)


def test_a_password_file_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(USER_ENV, "member-7")
    monkeypatch.setenv(PASSWORD_ENV, "pw from env")
    secret = tmp_path / "secret"
    secret.write_text("pw from file\n", encoding="utf-8")
    assert ncmec_credentials(secret).password == "pw from file"
    monkeypatch.delenv(PASSWORD_ENV)
    mounted = tmp_path / "mounted"
    mounted.write_text("pw mounted", encoding="utf-8")
    monkeypatch.setenv(PASSWORD_FILE_ENV, str(mounted))
    assert ncmec_credentials().password == "pw mounted"


def test_missing_credentials_name_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=f"set {USER_ENV} and {PASSWORD_ENV}"):
        ncmec_credentials()
    monkeypatch.setenv(USER_ENV, "member-7")
    with pytest.raises(ConfigError, match=f"set {PASSWORD_ENV} \\(or {PASSWORD_FILE_ENV}\\)"):
        ncmec_credentials()
    with pytest.raises(ConfigError, match="cannot read the NCMEC password file"):
        ncmec_credentials(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is empty"):
        ncmec_credentials(empty)
