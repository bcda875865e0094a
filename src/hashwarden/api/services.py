"""The server's composition root: one set of services per worker process."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from hashwarden.accounts.services import TokenService
from hashwarden.accounts.staff_services import StaffService
from hashwarden.api.audit_buffer import BufferedAudit
from hashwarden.api.hit_actions import HitActions
from hashwarden.api.match_batcher import MatchBatcher
from hashwarden.api.metrics import ApiMetrics
from hashwarden.api.rate_limit import RateLimiter
from hashwarden.api.settings import ApiSettings
from hashwarden.api.shared_matcher import SharedMatcher
from hashwarden.api.token_cache import TokenCache
from hashwarden.api.webhook_sender import WebhookSender
from hashwarden.audit.models import AuditRecord
from hashwarden.audit.services import AuditLog
from hashwarden.cases.graph import CaseGraphService
from hashwarden.cases.media import CaseMediaStore
from hashwarden.cases.services import CaseService
from hashwarden.core.lists.services import ListService
from hashwarden.core.matching.matcher import Matcher
from hashwarden.federation.keys import KeyService
from hashwarden.federation.mirror_guard import MirrorGuardedListStore
from hashwarden.federation.publisher import Publisher
from hashwarden.federation.subscriber import SyncService
from hashwarden.federation.worker import SyncWorker, policy_from_env, poll_interval_from_env
from hashwarden.hotline.fetching import FetchPolicy, SafeFetcher
from hashwarden.hotline.purge_worker import PurgeWorker
from hashwarden.hotline.recheck_worker import RecheckWorker
from hashwarden.hotline.retention import RetentionService
from hashwarden.hotline.services import CaseworkService, ReportService
from hashwarden.hotline.takedown import TakedownService
from hashwarden.hotline.triage import AssessmentService, TriageService
from hashwarden.review.services import ReviewService
from hashwarden.review.webhooks import RetryPolicy
from hashwarden.snapshots.keeper import SnapshotKeeper
from hashwarden.storage.audit_store import SqlAuditStore
from hashwarden.storage.case_graph_store import SqlCaseGraphStore
from hashwarden.storage.case_media_open import open_case_media
from hashwarden.storage.case_store import SqlCaseStore
from hashwarden.storage.database import create_engine
from hashwarden.storage.feedback_store import SqlFeedbackStore
from hashwarden.storage.instance import instance_id
from hashwarden.storage.item_store import SqlItemStore
from hashwarden.storage.key_store import SqlKeyStore
from hashwarden.storage.list_store import SqlListStore
from hashwarden.storage.report_store import SqlReportStore
from hashwarden.storage.retention_store import SqlRetentionStore
from hashwarden.storage.review_store import SqlReviewStore
from hashwarden.storage.staff_store import SqlStaffStore
from hashwarden.storage.subscription_store import SqlSubscriptionStore
from hashwarden.storage.takedown_store import SqlTakedownStore
from hashwarden.storage.token_store import SqlTokenStore
from hashwarden.storage.webhook_store import SqlWebhookStore
from hashwarden.web.abuse import SubmissionLimiter
from hashwarden.web.console.exposure import ExposureClock


@dataclass
class ApiServices:
    settings: ApiSettings
    engine: Engine
    store: SqlListStore
    lists: ListService
    audit_log: AuditLog
    #: Buffered audit for the hot path (matches); everything else logs synchronously.
    audit: BufferedAudit
    tokens: TokenService
    matcher: SharedMatcher
    limiter: RateLimiter
    token_cache: TokenCache
    batcher: MatchBatcher
    review: ReviewService
    #: What hits trigger (block, review, webhook), from a per-worker cache of list actions.
    actions: HitActions
    webhooks: WebhookSender
    #: Federation: signing keys, signed feed pages, and the subscriptions' background sync.
    keys: KeyService
    publisher: Publisher
    syncer: SyncWorker
    #: Review verdicts subscribers sent back on this instance's entries.
    feedback: SqlFeedbackStore
    #: The hotline's public reports, and the per-client limit on submitting them.
    reports: ReportService
    report_limiter: SubmissionLimiter
    #: The analyst console: staff accounts and the analysts' side of reports.
    staff: StaffService
    casework: CaseworkService
    triage: TriageService
    assessment: AssessmentService
    items: SqlItemStore
    exposure: ExposureClock
    takedown: TakedownService
    rechecker: RecheckWorker
    #: Retention clocks and legal holds of reports, and the purge that runs them.
    retention: RetentionService
    purger: PurgeWorker
    #: Victim identification: cases, their items and graph, and where case media are read from.
    cases: CaseService
    case_graph: CaseGraphService
    case_media: CaseMediaStore
    metrics: ApiMetrics = field(default_factory=ApiMetrics)

    @classmethod
    def open(
        cls, database_url: str | None = None, settings: ApiSettings | None = None
    ) -> ApiServices:
        settings = settings or ApiSettings.from_env()
        engine = create_engine(database_url)
        store = SqlListStore(engine)
        audit_log = AuditLog(SqlAuditStore(engine))
        keeper = None
        if settings.index_dir:
            # One folder per database, so a host serving two databases never mixes snapshots.
            root = Path(settings.index_dir) / instance_id(engine)
            url = engine.url.render_as_string(hide_password=False)
            keeper = SnapshotKeeper(root, store, database_url=url)
        items = SqlItemStore(engine, migrate=False)
        fetcher = SafeFetcher(FetchPolicy(allow_private=settings.triage_allow_private))
        matcher = SharedMatcher(lambda: Matcher(store), settings.follow_interval, keeper)
        webhook_store = SqlWebhookStore(engine, migrate=False)
        review = ReviewService(
            SqlReviewStore(engine, migrate=False),
            webhook_store,
            claim_seconds=settings.review_claim_seconds,
        )
        webhooks = WebhookSender(
            webhook_store,
            RetryPolicy(settings.webhook_max_attempts, settings.webhook_backoff_base),
            settings.webhook_poll_interval,
        )
        keys = KeyService(SqlKeyStore(engine, migrate=False))
        sync = SyncService(SqlSubscriptionStore(engine, migrate=False), policy_from_env())
        takedown = TakedownService(
            SqlTakedownStore(engine, migrate=False),
            SqlReportStore(engine, migrate=False),
            items,
            fetcher,
        )
        retention = RetentionService(
            SqlRetentionStore(engine, migrate=False), settings.retention, audit_log.record
        )
        cases = CaseService(SqlCaseStore(engine, migrate=False))
        return cls(
            settings=settings,
            engine=engine,
            store=store,
            # Writes to mirror lists come only from their subscription's sync.
            lists=ListService(MirrorGuardedListStore(engine)),
            audit_log=audit_log,
            audit=BufferedAudit(audit_log.record_many, settings.audit_flush_interval),
            tokens=TokenService(SqlTokenStore(engine), audit_log),
            matcher=matcher,
            batcher=MatchBatcher(matcher),
            limiter=RateLimiter(settings.rate_limit, settings.rate_burst),
            token_cache=TokenCache(settings.token_cache_seconds),
            review=review,
            actions=HitActions(review, settings.follow_interval, on_queued=webhooks.wake),
            webhooks=webhooks,
            keys=keys,
            publisher=Publisher(store, keys, instance_id(engine)),
            syncer=SyncWorker(sync, poll_interval_from_env()),
            feedback=SqlFeedbackStore(engine),
            reports=ReportService(SqlReportStore(engine, migrate=False)),
            report_limiter=SubmissionLimiter(settings.report_limit_per_hour),
            staff=StaffService(SqlStaffStore(engine, migrate=False)),
            casework=CaseworkService(SqlReportStore(engine, migrate=False)),
            triage=TriageService(
                fetcher,
                lambda hashes: matcher.match_media(hashes, None),
                items,
                SqlReportStore(engine, migrate=False),
                robust=settings.robust,
            ),
            assessment=AssessmentService(items, ListService(MirrorGuardedListStore(engine))),
            items=items,
            exposure=ExposureClock(items, settings.exposure_limit_minutes),
            takedown=takedown,
            rechecker=RecheckWorker(takedown, settings.recheck_interval),
            retention=retention,
            purger=PurgeWorker(retention, settings.purge_interval),
            cases=cases,
            case_graph=CaseGraphService(cases, SqlCaseGraphStore(engine, migrate=False)),
            case_media=open_case_media(),
        )

    def start(self) -> None:
        self.audit.start()
        self.matcher.start()
        self.actions.start()
        self.webhooks.start()
        self.syncer.start()
        self.rechecker.start()
        self.purger.start()

    def stop(self) -> None:
        self.purger.stop()
        self.rechecker.stop()
        self.syncer.stop()
        self.webhooks.stop()
        self.actions.stop()
        self.matcher.stop()
        self.audit.stop()
        self.engine.dispose()

    def log(self, record: AuditRecord) -> None:
        """Write an audit event now (list reads and writes, token changes)."""
        self.audit_log.record(record)
