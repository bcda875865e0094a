"""The NCMEC HTTP client against the fake server: auth errors, retries, next links, secrecy."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from ncmec_fake import PASSWORD, USER, EntryMaker, FakeNcmec
from pull_checks import GOOD, SINCE, UNTIL

from hashwarden.remote_pull.ncmec_client import (
    MAX_PAGE_BYTES,
    NcmecClient,
    PullAuthError,
    PullError,
)
from hashwarden.remote_pull.ncmec_page import read_page
from hashwarden.remote_pull.settings import NcmecCredentials

SECRETS = (USER, PASSWORD, base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())


@pytest.fixture
def fake() -> Iterator[FakeNcmec]:
    server = FakeNcmec(page_size=2).start()
    server.entries = list(EntryMaker(11).batch(5))  # three pages
    yield server
    server.stop()


def client_for(
    fake: FakeNcmec,
    waits: list[float] | None = None,
    *,
    credentials: NcmecCredentials = GOOD,
    attempts: int = 3,
    max_page_bytes: int = MAX_PAGE_BYTES,
) -> NcmecClient:
    """A client whose waits between retries are recorded in ``waits`` instead of slept."""
    return NcmecClient(
        fake.url, credentials, attempts=attempts, backoff=0.5, timeout=10.0,
        max_page_bytes=max_page_bytes, sleep=waits.append if waits is not None else _no_wait,
    )


def _no_wait(seconds: float) -> None:
    pass


def all_pages(client: NcmecClient) -> list[bytes]:
    pages = [client.first_page(SINCE, UNTIL)]
    while link := read_page(pages[-1], "page").next_link:
        pages.append(client.next_page(link))
    return pages


def test_pages_are_followed_by_their_next_links(fake: FakeNcmec) -> None:
    with client_for(fake) as client:
        pages = all_pages(client)
    assert len(pages) == 3
    assert sum(len(read_page(p, "page").entries) for p in pages) == 5
    assert [r.page for r in fake.page_requests()] == [1, 2, 3]


def test_a_next_link_that_already_carries_the_service_prefix_works(fake: FakeNcmec) -> None:
    fake.next_base = fake.prefix  # "/hashsharing/v2/entries?..."
    with client_for(fake) as client:
        assert len(all_pages(client)) == 3


@pytest.mark.parametrize("link", [
    "http://other.invalid/hashsharing/v2/entries?start=3",
    "//other.invalid/v2/entries?start=3",
])
def test_a_next_link_to_another_host_is_refused_before_any_request(
    fake: FakeNcmec, link: str
) -> None:
    with client_for(fake) as client, pytest.raises(PullError, match="another host"):
        client.next_page(link)
    assert fake.served == []


def test_a_next_link_to_another_endpoint_is_refused(fake: FakeNcmec) -> None:
    with client_for(fake) as client, pytest.raises(PullError, match="other than /v2/entries"):
        client.next_page("/v2/members")


def test_wrong_credentials_give_a_clear_error_at_once(fake: FakeNcmec) -> None:
    wrong = NcmecCredentials(USER, "not-the-password")
    with client_for(fake, credentials=wrong) as client, pytest.raises(PullAuthError) as caught:
        client.first_page(SINCE, UNTIL)
    message = str(caught.value)
    assert "HTTP 401" in message and "HASHWARDEN_NCMEC_USER" in message
    assert "not-the-password" not in message and USER not in message
    assert len(fake.served) == 1  # an auth failure is not retried


def test_forbidden_gives_a_clear_error(fake: FakeNcmec) -> None:
    fake.fail_pages = {1: 403}
    with client_for(fake) as client, pytest.raises(PullAuthError, match="HTTP 403"):
        client.first_page(SINCE, UNTIL)
    assert len(fake.served) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_transient_statuses_are_retried(fake: FakeNcmec, status: int) -> None:
    fake.flaky_pages = {2: (status, 2)}
    waits: list[float] = []
    with client_for(fake, waits) as client:
        assert len(all_pages(client)) == 3
    assert [r.page for r in fake.page_requests()] == [1, 2, 2, 2, 3]
    if status in (429, 503):
        assert waits == [0.0, 0.0]  # the fake's Retry-After: 0
    else:
        assert 0.4 <= waits[0] <= 0.6 and 0.8 <= waits[1] <= 1.2  # backoff doubles


def test_a_dropped_connection_is_retried(fake: FakeNcmec) -> None:
    fake.drop_pages = {2: 1}
    with client_for(fake) as client:
        assert len(all_pages(client)) == 3
    assert [r.page for r in fake.page_requests()] == [1, 2, 2, 3]


def test_a_server_that_keeps_failing_ends_the_pull_after_the_attempts(fake: FakeNcmec) -> None:
    fake.fail_pages = {2: 500}
    waits: list[float] = []
    with client_for(fake, waits, attempts=4) as client, pytest.raises(
        PullError, match=r"GET /hashsharing/v2/entries failed after 4 attempts: HTTP 500"
    ):
        all_pages(client)
    assert len(waits) == 3


def test_an_unreachable_service_is_a_clear_error() -> None:
    client = NcmecClient("http://127.0.0.1:9/hashsharing", GOOD, attempts=2, sleep=lambda _: None)
    with client, pytest.raises(PullError, match="after 2 attempts: ConnectError"):
        client.first_page(SINCE, SINCE + timedelta(days=1))


def test_a_page_too_large_is_refused(fake: FakeNcmec) -> None:
    with client_for(fake, max_page_bytes=100) as client, pytest.raises(
        PullError, match="larger than 100 bytes"
    ):
        client.first_page(SINCE, UNTIL)


def test_credentials_appear_in_no_log_record_or_message(
    fake: FakeNcmec, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with client_for(fake) as client:
        all_pages(client)
    fake.fail_pages = {1: 500}
    with client_for(fake, attempts=2) as client, pytest.raises(PullError) as failed:
        client.first_page(SINCE, UNTIL)
    wrong = NcmecCredentials(USER, PASSWORD + "x")
    with client_for(fake, credentials=wrong) as client, pytest.raises(PullAuthError) as refused:
        client.first_page(SINCE, UNTIL)
    assert caplog.records  # httpx and httpcore did log the requests
    shown = caplog.text + str(failed.value) + str(refused.value) + repr(GOOD)
    for secret in SECRETS:
        assert secret not in shown
