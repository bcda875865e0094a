"""``hashwarden keys``, ``subscriptions`` and ``sync`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from federation_helpers import Instance


def test_keys_create_show_rotate_with_an_encrypted_private_key(tmp_path: Path) -> None:
    instance = Instance(tmp_path, f"sqlite:///{tmp_path / 'hw.db'}",
                        {"HASHWARDEN_KEY_PASSPHRASE": "benign test passphrase"})  # fmt: skip
    [created] = instance.records("keys", "create")
    assert created["current"] is True and created["algorithm"] == "ed25519"
    again = instance.cli("keys", "create", check=False)
    assert again.returncode == 2
    assert "exists already" in again.stderr and "keys rotate" in again.stderr
    [rotated] = instance.records("keys", "rotate")
    shown = instance.records("keys", "show")
    assert [k["key_id"] for k in shown] == [rotated["key_id"], created["key_id"]]
    assert [k["current"] for k in shown] == [True, False]
    pems = instance.scalar("SELECT group_concat(private_key, '|') FROM signing_keys")
    assert pems.count("BEGIN ENCRYPTED PRIVATE KEY") == 2
    output = json.dumps(shown)
    assert "PRIVATE" not in output and "private" not in output


def test_subscriptions_add_ls_remove_and_sync_errors(tmp_path: Path) -> None:
    instance = Instance(tmp_path, f"sqlite:///{tmp_path / 'hw.db'}")
    token_file = tmp_path / "token"
    token_file.write_text("hw_benign-test-token\n")
    key = "A" * 43 + "="
    instance.cli(
        "subscriptions", "add", "feed", "--url", "http://127.0.0.1:9/", "--list", "shared",
        "--into", "mirror", "--token-file", str(token_file), "--public-key", key,
    )  # fmt: skip
    [listed] = instance.records("subscriptions", "ls")
    assert listed["list"] == "mirror" and listed["url"] == "http://127.0.0.1:9"
    assert "hw_benign-test-token" not in json.dumps(listed)

    [pinned] = instance.records("subscriptions", "pin", "feed", "--public-key", "B" * 43 + "=")
    assert pinned["public_keys"] == ["B" * 43 + "="]
    bad = instance.cli("subscriptions", "pin", "feed", "--public-key", "short", check=False)
    assert bad.returncode == 2 and "base64" in bad.stderr

    failed = instance.cli("sync", check=False)
    assert failed.returncode == 1
    assert "cannot reach the publisher" in json.loads(failed.stdout)["error"]
    unknown = instance.cli("sync", "nope", check=False)
    assert unknown.returncode == 2 and "no subscription named 'nope'" in unknown.stderr

    instance.cli("subscriptions", "remove", "feed")
    assert instance.records("subscriptions", "ls") == []
    assert instance.records("lists", "show", "mirror")[0]["name"] == "mirror"
