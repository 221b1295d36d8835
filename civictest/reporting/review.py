"""The review pages' reads: the comments inbox (filters, search, paging), the review index's counts, the register.

Comments of withdrawn participants are deleted at withdrawal; comments of excluded sessions stay in the
database but never show here: every comment query starts from `reportable_comments`, which applies the one
rule of civictest.counting (queries.reportable).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from civictest.extensions import db
from civictest.models import Attempt, Comment, Finding, Iteration, Service, Study, Tag
from civictest.models.base import parse_id
from civictest.models.findings import comment_tag, finding_comment
from civictest.reporting.queries import reportable
from civictest.sentiment.search import needles
from civictest.reporting.vocabulary import (
    AWAITING_VERIFICATION, FINDING_STATUSES, OBSERVER_NOTE, OPEN_FINDING_STATUSES, OUTCOMES, PUBLIC_FINDING_STATUSES,
    SENTIMENT_LABELS, SOURCES,
)

PER_PAGE = 50
LANGS = ("ja", "en", "other", "und")


def reportable_comments(studies: list[int]):  # noqa: ANN201 - a Select
    """SELECT Comment of these studies whose participant counts (not withdrawn, session not excluded)."""
    conditions = [and_(Comment.study_id == sid, reportable(sid, Comment.participant_id)) for sid in studies]
    return select(Comment).where(or_(*conditions) if conditions else false())


def study_ids(service_ids: list[int]) -> list[int]:
    """The studies of these services' iterations."""
    return list(db.session.scalars(select(Study.id).join(Iteration, Study.iteration_id == Iteration.id)
                                   .where(Iteration.service_id.in_(service_ids or [-1])).order_by(Study.id)))


# ---------------------------------------------------------------- review index
def service_overview(services: list[Service]) -> list[dict]:
    """Each service with its iterations' reportable comment counts and its open / awaiting-check findings."""
    ids = [s.id for s in services] or [-1]
    counts = dict(db.session.execute(
        reportable_comments(study_ids(ids)).with_only_columns(Comment.study_id, func.count(Comment.id))
        .group_by(Comment.study_id)
    ).all())
    findings: dict[tuple[int, str], int] = {
        (service_id, status): n for service_id, status, n in db.session.execute(
            select(Finding.service_id, Finding.status, func.count(Finding.id))
            .where(Finding.service_id.in_(ids)).group_by(Finding.service_id, Finding.status))
    }
    return [{
        "service": service,
        "iterations": [{"iteration": it, "comments": counts.get(it.study.id, 0) if it.study else 0}
                       for it in reversed(service.iterations)],
        "open_findings": sum(findings.get((service.id, s), 0) for s in OPEN_FINDING_STATUSES),
        "fixed_findings": sum(findings.get((service.id, s), 0) for s in AWAITING_VERIFICATION),
    } for service in services]


# ---------------------------------------------------------------- comments inbox
@dataclass
class InboxFilter:
    """The inbox's GET parameters, checked: anything unknown is dropped, not an error."""

    task: str = ""  # a task id, "overall", or "" for all
    outcome: str = ""
    sentiment: str = ""
    tag: int | None = None
    language: str = ""  # not "lang": ?lang= switches the page language
    source: str = ""
    q: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> InboxFilter:  # noqa: ANN001 - a MultiDict
        def pick(name: str, allowed: tuple) -> str:
            value = args.get(name, "")
            return value if value in allowed else ""

        task = args.get("task", "")
        tag, page = args.get("tag", ""), args.get("page", "")
        return cls(
            task=task if task == "overall" or parse_id(task) else "",
            outcome=pick("outcome", OUTCOMES), sentiment=pick("sentiment", SENTIMENT_LABELS),
            tag=parse_id(tag), language=pick("language", LANGS), source=pick("source", SOURCES),
            q=" ".join(args.get("q", "").replace("\x00", "").split())[:100],
            page=min(parse_id(page) or 1, 100_000),
        )

    def args(self, **override: object) -> dict:
        """The non-empty parameters (for page links and the redirect after a bulk action)."""
        values = {"task": self.task, "outcome": self.outcome, "sentiment": self.sentiment, "tag": self.tag,
                  "language": self.language, "source": self.source, "q": self.q, "page": self.page}
        values.update(override)
        return {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int = PER_PAGE
    findings_of: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))


def like_pattern(term: str) -> str:
    """A LIKE pattern that finds `term` anywhere, with the wildcards % and _ (and the escape) taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(service: Service, iteration: Iteration, f: InboxFilter):  # noqa: ANN202 - a Select
    query = reportable_comments([iteration.study.id])
    if f.task == "overall":
        query = query.where(Comment.task_id.is_(None))
    elif f.task:
        query = query.where(Comment.task_id == int(f.task))
    if f.outcome:  # joined only when asked: the join alone doubles the count on 100,000 comments
        query = query.join(Attempt, Comment.attempt_id == Attempt.id).where(Attempt.outcome == f.outcome)
    if f.sentiment == "unscored":
        query = query.where(or_(Comment.sentiment_label == "unscored", Comment.sentiment_label.is_(None)))
    elif f.sentiment:
        query = query.where(Comment.sentiment_label == f.sentiment)
    if f.tag is not None:
        query = query.where(Comment.id.in_(select(comment_tag.c.comment_id).where(comment_tag.c.tag_id == f.tag)))
    if f.language:
        query = query.where(Comment.lang == f.language)
    if f.source:
        observer = Comment.kind == OBSERVER_NOTE
        query = query.where(observer if f.source == "observer" else ~observer)
    if f.q:
        # The query folded like the comments' search text, as typed and as base forms and readings (わかりにくい
        # finds 分かりにくかった, ﾎﾞﾀﾝ finds ボタン): LIKEs over one column, no per-row work (civictest.sentiment.search).
        query = query.where(or_(*(Comment.search_text.like(like_pattern(needle), escape="\\")
                                  for needle in needles(f.q) or [f.q])))
    return query


def inbox(service: Service, iteration: Iteration, f: InboxFilter) -> Page:
    """One page of the iteration's reportable comments matching the filter, newest first."""
    if iteration.study is None:
        return Page([], 0, 1)
    query = _filtered(service, iteration, f)
    total = db.session.scalar(query.with_only_columns(func.count(Comment.id)).order_by(None)) or 0
    page = min(f.page, max(1, ceil(total / PER_PAGE)))
    rows = db.session.scalars(
        query.options(joinedload(Comment.attempt), joinedload(Comment.task), selectinload(Comment.tags))
        .order_by(Comment.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).unique().all()
    return Page(list(rows), total, page, findings_of=_findings_of([c.id for c in rows]))


def _findings_of(comment_ids: list[int]) -> dict[int, list[int]]:
    """comment id -> ids of the findings it is evidence for."""
    out: dict[int, list[int]] = {}
    for comment_id, finding_id in db.session.execute(
        select(finding_comment.c.comment_id, finding_comment.c.finding_id)
        .where(finding_comment.c.comment_id.in_(comment_ids or [-1])).order_by(finding_comment.c.finding_id)
    ):
        out.setdefault(comment_id, []).append(finding_id)
    return out


def service_tags(service: Service) -> list[Tag]:
    return list(db.session.scalars(select(Tag).where(Tag.service_id == service.id).order_by(Tag.name)))


def iteration_of(service: Service, iteration_id: str | None) -> Iteration | None:
    """The service's iteration with this id, else its newest one (None when it has none)."""
    wanted = parse_id(iteration_id)
    if wanted is not None:
        for iteration in service.iterations:
            if iteration.id == wanted:
                return iteration
    return service.iterations[-1] if service.iterations else None


# ---------------------------------------------------------------- findings register
SORTS = ("severity", "status", "id", "updated")


def findings(service: Service, sort: str = "severity", direction: str = "desc", status: str = "") -> list[Finding]:
    """The service's findings, sorted by severity, status (in the machine's order), number or last change."""
    order = {
        "severity": Finding.severity,
        "status": case({s: i for i, s in enumerate(FINDING_STATUSES)}, value=Finding.status),
        "id": Finding.id,
        "updated": Finding.updated_at,
    }[sort if sort in SORTS else "severity"]
    order = order.asc() if direction == "asc" else order.desc()
    query = select(Finding).where(Finding.service_id == service.id)
    if status == "open":
        query = query.where(Finding.status.in_(OPEN_FINDING_STATUSES))
    elif status in FINDING_STATUSES:
        query = query.where(Finding.status == status)
    query = query.options(selectinload(Finding.tasks), selectinload(Finding.comments), joinedload(Finding.found_in),
                          joinedload(Finding.fixed_in), joinedload(Finding.verified_in))
    return list(db.session.scalars(query.order_by(order, Finding.id.desc())).unique())


def finding_choices(service: Service) -> list[Finding]:
    """Findings that evidence can be attached to, newest first."""
    return list(db.session.scalars(
        select(Finding).where(Finding.service_id == service.id).order_by(Finding.id.desc())))


def published_fixes(service: Service) -> list[Finding]:
    """Fixed or verified findings with a public summary, newest fix first (for the public page)."""
    return list(db.session.scalars(
        select(Finding).join(Iteration, Finding.fixed_in_id == Iteration.id)
        .where(Finding.service_id == service.id, Finding.status.in_(PUBLIC_FINDING_STATUSES),
               Finding.public_summary_ja != "")
        .options(joinedload(Finding.fixed_in), joinedload(Finding.verified_in))
        .order_by(Iteration.number.desc(), Finding.id.desc())
    ).unique())
