"""Signed list distribution between instances and remote pulls, on the shared ``metadata``.

``tables.py`` imports this module at its end; ``migrations/versions/0005_federation.py`` creates
these tables.

* ``signing_keys``: this instance's Ed25519 keys (publisher side); one is current, older ones are
  retired but kept so subscribers can be told which key signed what.
* ``subscriptions``: lists this instance mirrors from a publisher (subscriber side), with the
  pinned public key, the cursor (the publisher's list sequence applied so far) and sync health.
* ``subscription_entries``: the publisher's entry id -> the local mirror entry.
* ``entry_feedback``: review verdicts subscribers sent back, aggregated per entry and reporter.
* ``pull_checkpoints``: where a remote pull (an NCMEC-style ``entries?from=&to=`` feed) resumes.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Integer, String, Table, Text

from hashwarden.storage.tables import UTCDateTime, metadata

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    #: Short public fingerprint: the first 16 hex digits of SHA-256 over the raw public key.
    Column("key_id", String(64), nullable=False, unique=True),
    #: Raw 32-byte public key, base64.
    Column("public_key", Text, nullable=False),
    #: PKCS#8 PEM, encrypted when ``HASHWARDEN_KEY_PASSPHRASE`` was set at creation; never served.
    Column("private_key", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    #: Set when rotated out; the current key is the newest row with no ``retired_at``.
    Column("retired_at", UTCDateTime, nullable=True),
    #: The key this one replaced, and its signature handing over (``federation.rotation``).
    Column("endorsed_by", String(64), nullable=True),
    Column("endorsement", Text, nullable=True),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    #: Base URL of the publishing hashwarden, e.g. ``https://hotline.example/``.
    Column("publisher_url", Text, nullable=False),
    Column("remote_list", String(100), nullable=False),
    Column(
        "list_id",
        Integer,
        ForeignKey("hash_lists.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    #: The publisher's ``subscriber`` token; kept as given (it must be sent), never returned.
    Column("token", Text, nullable=False),
    #: Pinned publisher public keys (base64), a JSON array; deltas must verify under one of them.
    Column("public_keys", JSON, nullable=False),
    #: The publisher's list sequence applied so far (0: nothing yet).
    Column("cursor", BigInteger, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_attempt_at", UTCDateTime, nullable=True),
    Column("last_success_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=False, default=""),
    #: Consecutive failures (for backoff) and when the next attempt is due.
    Column("failures", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    #: Review verdicts on mirrored entries are sent back up to this review-log position.
    Column("feedback_cursor", BigInteger, nullable=False, default=0),
)

subscription_entries = Table(
    "subscription_entries",
    metadata,
    Column(
        "subscription_id",
        Integer,
        ForeignKey("subscriptions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("remote_entry_id", BigInteger, primary_key=True),
    Column("local_entry_id", BigInteger, nullable=False, index=True),
)

entry_feedback = Table(
    "entry_feedback",
    metadata,
    Column("entry_id", BigInteger, primary_key=True),
    #: Who sent it: the subscriber token's name.
    Column("reporter", String(200), primary_key=True),
    #: ``confirmed`` or ``false_positive``.
    Column("verdict", String(32), primary_key=True),
    Column("count", Integer, nullable=False, default=0),
    Column("updated_at", UTCDateTime, nullable=False),
)

pull_checkpoints = Table(
    "pull_checkpoints",
    metadata,
    Column("name", String(100), primary_key=True),
    #: Source-specific resume state (e.g. ``{"to": "2024-05-01T00:00:00Z"}``).
    Column("state", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
