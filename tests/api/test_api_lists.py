"""List curation over HTTP: CRUD, paging, import and export, the change feed."""

from __future__ import annotations

import json

from api_helpers import ApiServer

from hashwarden.accounts.models import Role

MD5S = [f"{i:032x}" for i in range(1, 8)]


def _entry(md5: str, **fields: object) -> dict[str, object]:
    return {"signals": [{"type": "md5", "value": md5}], **fields}


def test_create_read_update_delete(server: ApiServer) -> None:
    curator = server.client(Role.CURATOR)
    created = curator.post(
        "/v1/lists",
        json={"name": "known", "description": "d", "thresholds": {"pdq": 20},
              "classification_scheme": "iwf"},
    )  # fmt: skip
    assert created.status_code == 201
    assert created.json()["thresholds"] == {"pdq": 20}
    assert curator.post("/v1/lists", json={"name": "known"}).status_code == 409
    assert curator.post("/v1/lists", json={"name": "bad name!"}).status_code == 422
    patched = curator.patch("/v1/lists/known", json={"description": "new", "kind": "allow"})
    assert patched.json()["description"] == "new"
    assert patched.json()["kind"] == "allow"
    assert [item["name"] for item in curator.get("/v1/lists").json()] == ["known"]
    assert curator.delete("/v1/lists/known").status_code == 204
    assert curator.get("/v1/lists/known").status_code == 404


def test_entries_paging_update_and_removal(server: ApiServer) -> None:
    curator = server.client(Role.CURATOR)
    curator.post("/v1/lists", json={"name": "known"})
    added = curator.post("/v1/lists/known/entries", json={"entries": [_entry(m) for m in MD5S]})
    assert added.json()["added"] == len(MD5S)
    first = curator.get("/v1/lists/known/entries", params={"limit": 3}).json()
    assert len(first["entries"]) == 3
    rest = curator.get(
        "/v1/lists/known/entries", params={"after_id": first["next_after_id"]}
    ).json()
    ids = [e["id"] for e in first["entries"] + rest["entries"]]
    assert len(ids) == len(MD5S) == len(set(ids))

    target = ids[0]
    replaced = curator.put(f"/v1/lists/known/entries/{target}", json=_entry(MD5S[0], notes="n"))
    assert replaced.status_code == 200
    assert replaced.json()["notes"] == "n"
    assert curator.delete(f"/v1/lists/known/entries/{target}").status_code == 204
    assert curator.delete("/v1/lists/known/entries/999999").status_code == 404
    removed = curator.post("/v1/lists/known/entries/remove", json={"ids": ids[1:3]})
    assert removed.json() == {"removed": 2}
    live = curator.get("/v1/lists/known/entries").json()["entries"]
    assert len(live) == len(MD5S) - 3


def test_bad_entries_are_refused_with_their_numbers_and_nothing_changes(server: ApiServer) -> None:
    curator = server.client(Role.CURATOR)
    curator.post("/v1/lists", json={"name": "known"})
    bad = [_entry(MD5S[0]), _entry("xyz"), {"signals": [{"type": "nope", "value": "1"}]}]
    response = curator.post("/v1/lists/known/entries", json={"entries": bad})
    assert response.status_code == 422
    lines = {error["line"] for error in response.json()["errors"]}
    assert lines == {2, 3}
    assert curator.get("/v1/lists/known").json()["entries"] == 0


def test_import_and_export_round_trip(server: ApiServer) -> None:
    curator = server.client(Role.CURATOR)
    curator.post("/v1/lists", json={"name": "known"})
    plain = "\n".join(MD5S) + "\n"
    imported = curator.post(
        "/v1/lists/known/import",
        params={"format": "plain", "signal_type": "md5"},
        files={"file": ("md5s.txt", plain.encode())},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["added"] == len(MD5S)

    broken = curator.post(
        "/v1/lists/known/import",
        params={"format": "plain", "signal_type": "md5"},
        content=b"0" * 32 + b"\nnot-a-hash\n",
    )
    assert broken.status_code == 422
    assert broken.json()["errors"][0]["line"] == 2
    assert curator.get("/v1/lists/known").json()["entries"] == len(MD5S)

    exported = curator.get("/v1/lists/known/export", params={"format": "jsonl"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in exported.text.splitlines()]
    values = {s["value"] for line in lines for s in line.get("signals", [])}
    assert values == set(MD5S)
    assert curator.get("/v1/lists/known/export", params={"format": "xml"}).status_code == 422


def test_change_feed_pages_through_every_change(server: ApiServer) -> None:
    curator = server.client(Role.CURATOR)
    curator.post("/v1/lists", json={"name": "known"})
    for md5 in MD5S:
        curator.post("/v1/lists/known/entries", json={"entries": [_entry(md5)]})
    seen, since = [], 0
    while True:
        page = curator.get("/v1/lists/known/changes", params={"since": since, "limit": 3}).json()
        if not page["changes"]:
            break
        seen += [change["sequence"] for change in page["changes"]]
        since = page["next_since"]
    assert seen == list(range(1, len(MD5S) + 1))
    assert page["sequence"] == len(MD5S)
