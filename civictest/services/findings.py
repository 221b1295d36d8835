"""Review write side: tags on comments, findings (課題) with their status machine, evidence and history.

Every change to a finding writes one FindingEvent (field -> [old, new], in values that stay readable after
tasks are renamed or users leave) and one audit event, in the caller's transaction, then commits.
"""
from __future__ import annotations

import unicodedata

from sqlalchemy import select

from civictest.extensions import db
from civictest.models import Comment, Finding, FindingEvent, Iteration, Service, Tag, Task, User
from civictest.models.findings import FINDING_STATUSES, SEVERITIES
from civictest.privacy import scrub_pii
from civictest.security import audit, can_see_service
from civictest.services.errors import Conflict, InvalidInput
from civictest.reporting.review import reportable_comments, study_ids

# The register's status machine: forward one step at a time; wont_fix from any open state; reopen to triaged;
# a fix that the next round's numbers do not confirm goes back to planned.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("triaged", "wont_fix"),
    "triaged": ("planned", "wont_fix"),
    "planned": ("fixed", "wont_fix"),
    "fixed": ("verified", "planned"),
    "verified": (),
    "wont_fix": ("triaged",),
}
EDITABLE = ("title", "description", "severity", "found_in_id", "task_ids", "owner_id",
            "public_summary_ja", "public_summary_en")
MAX_TAG_LENGTH = 60
# Published on the public "you said, we did" page: scrubbed of personal data like residents' comments.
PUBLIC_FIELDS = ("public_summary_ja", "public_summary_en")


def allowed_moves(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def public_summary_redactions(values: dict) -> tuple[str, ...]:
    """The kinds of personal data (privacy.MARKERS keys) that saving `values` removes from the public
    summaries, in order of first appearance; the view tells the staff member what was replaced."""
    kinds: list[str] = []
    for key in PUBLIC_FIELDS:
        for kind in scrub_pii((values.get(key) or "").strip()).redactions:
            kinds += [] if kind in kinds else [kind]
    return tuple(kinds)


# ---------------------------------------------------------------- comments: tags and evidence
def service_comments(service: Service, comment_ids: list[int]) -> list[Comment]:
    """The comments with these ids, all of `service`; any id of another service (or unknown) is refused."""
    ids = sorted({int(i) for i in comment_ids})
    if not ids:
        raise InvalidInput("no_comments")
    rows = list(db.session.scalars(reportable_comments(study_ids([service.id])).where(Comment.id.in_(ids))))
    if len(rows) != len(ids):
        raise InvalidInput("comments")
    return rows


def clean_tag_name(name: str) -> str:
    """Tags typed on phones and PCs should match: NFKC (全角英数 -> 半角), trimmed, inner spaces collapsed."""
    name = " ".join(unicodedata.normalize("NFKC", name or "").replace("\x00", "").split())
    if not name or len(name) > MAX_TAG_LENGTH:
        raise InvalidInput("tag_name")
    return name


def tag_comments(service: Service, comment_ids: list[int], name: str, user: User) -> Tag:
    """Add one tag (created for the service on first use) to several comments; tags already there stay."""
    comments = service_comments(service, comment_ids)
    tag = _get_or_create_tag(service, clean_tag_name(name))
    added = [c.id for c in comments if tag not in c.tags]
    for comment in comments:
        if tag not in comment.tags:
            comment.tags.append(tag)
    audit("comments_tagged", tag, user=user, tag=tag.name, comments=added)
    db.session.commit()
    return tag


def _get_or_create_tag(service: Service, name: str) -> Tag:
    tag = db.session.scalar(select(Tag).where(Tag.service_id == service.id, Tag.name == name))
    if tag is None:
        tag = Tag(service_id=service.id, name=name)
        db.session.add(tag)
        db.session.flush()
    return tag


def attach_comments(finding: Finding, comment_ids: list[int], user: User) -> list[int]:
    """Add comments (and the attempts they describe) to a finding's evidence; returns the newly added ids."""
    comments = service_comments(service_of(finding), comment_ids)
    new_comments = [c for c in comments if c not in finding.comments]
    new_attempts = [c.attempt for c in new_comments if c.attempt is not None and c.attempt not in finding.attempts]
    finding.comments.extend(new_comments)
    finding.attempts.extend(new_attempts)
    changes = {}
    if new_comments:
        changes["comments_added"] = [None, sorted(c.id for c in new_comments)]
    if new_attempts:
        changes["attempts_added"] = [None, sorted(a.id for a in new_attempts)]
    _record(finding, changes, user, "finding_evidence_added")
    db.session.commit()
    return [c.id for c in new_comments]


def detach_evidence(finding: Finding, comment_ids: list[int], attempt_ids: list[int], user: User) -> None:
    """Remove comments and attempts from a finding's evidence (the rows themselves stay)."""
    comment_ids, attempt_ids = {int(i) for i in comment_ids}, {int(i) for i in attempt_ids}
    gone_c = sorted(c.id for c in finding.comments if c.id in comment_ids)
    gone_a = sorted(a.id for a in finding.attempts if a.id in attempt_ids)
    finding.comments = [c for c in finding.comments if c.id not in comment_ids]
    finding.attempts = [a for a in finding.attempts if a.id not in attempt_ids]
    changes = {}
    if gone_c:
        changes["comments_removed"] = [gone_c, None]
    if gone_a:
        changes["attempts_removed"] = [gone_a, None]
    _record(finding, changes, user, "finding_evidence_removed")
    db.session.commit()


# ---------------------------------------------------------------- findings
def create_finding(service: Service, values: dict, user: User, comment_ids: list[int] = ()) -> Finding:
    """A new finding (status new) of `service`, optionally with comments (and their attempts) as evidence;
    its first history row lists every field it was created with."""
    comments = service_comments(service, comment_ids) if comment_ids else []
    finding = Finding(service_id=service.id, status="new")
    db.session.add(finding)
    _apply(finding, service, values)
    finding.comments = comments
    finding.attempts = [c.attempt for c in comments if c.attempt is not None]
    db.session.flush()
    changes = {key: [None, value] for key, value in _snapshot(finding).items() if value not in (None, "", [])}
    if comments:
        changes["comments_added"] = [None, sorted(c.id for c in comments)]
    if finding.attempts:
        changes["attempts_added"] = [None, sorted(a.id for a in finding.attempts)]
    _record(finding, changes, user, "finding_created")
    db.session.commit()
    return finding


def update_finding(finding: Finding, values: dict, user: User) -> dict:
    """Change a finding's fields (not its status); returns the changes written to its history."""
    before = _snapshot(finding)
    _apply(finding, service_of(finding), values)
    changes = _diff(before, _snapshot(finding))
    _record(finding, changes, user, "finding_updated")
    db.session.commit()
    return changes


def move_status(finding: Finding, status: str, user: User, *, fixed_in_id: int | None = None,
                verified_in_id: int | None = None) -> None:
    """Move along the status machine; fixed needs a later iteration than found_in, verified one after fixed_in."""
    if status not in FINDING_STATUSES or status not in allowed_moves(finding.status):
        raise Conflict("transition")
    before = _snapshot(finding)
    if status == "fixed":
        fixed = _iteration_of(service_of(finding), fixed_in_id, "fixed_in_required")
        if fixed.number <= finding.found_in.number:
            raise InvalidInput("fixed_in_order")
        finding.fixed_in_id, finding.fixed_in = fixed.id, fixed
    elif status == "verified":
        verified = _iteration_of(service_of(finding), verified_in_id, "verified_in_required")
        if verified.number <= finding.fixed_in.number:
            raise InvalidInput("verified_in_order")
        finding.verified_in_id, finding.verified_in = verified.id, verified
    elif status == "planned" and finding.status == "fixed":
        finding.fixed_in_id, finding.fixed_in = None, None  # the fix did not hold; the history keeps it
    finding.status = status
    _record(finding, _diff(before, _snapshot(finding)), user, "finding_status_changed")
    db.session.commit()


def owner_choices(service: Service) -> list[User]:
    """Active staff who can see the service: admins and the service's members."""
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.display_name, User.email))
    return [u for u in users if can_see_service(u, service.id)]


def _apply(finding: Finding, service: Service, values: dict) -> None:
    """Validated field values onto the finding; anything of another service is refused."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInput("fields")
    title = (values.get("title", finding.title) or "").strip()
    severity = values.get("severity", finding.severity)
    if not title or len(title) > 200:
        raise InvalidInput("title")
    if severity not in SEVERITIES:
        raise InvalidInput("severity")
    finding.title, finding.severity = title, severity
    if "description" in values:
        finding.description = (values["description"] or "").strip()
    for key in PUBLIC_FIELDS:  # staff may paste a resident's words, contact details and all
        if key in values:
            setattr(finding, key, scrub_pii((values[key] or "").strip()).text)
    if "found_in_id" in values or finding.found_in_id is None:
        found = _iteration_of(service, values.get("found_in_id"), "found_in")
        if finding.fixed_in is not None and found.number >= finding.fixed_in.number:
            raise InvalidInput("fixed_in_order")
        finding.found_in_id, finding.found_in = found.id, found
    if "task_ids" in values:
        finding.tasks = _tasks_of(service, values["task_ids"] or [])
    if "owner_id" in values:
        finding.owner_id = _owner_of(service, values["owner_id"])


def _iteration_of(service: Service, iteration_id: int | None, code: str) -> Iteration:
    iteration = db.session.get(Iteration, iteration_id) if iteration_id else None
    if iteration is None or iteration.service_id != service.id:
        raise InvalidInput(code)
    return iteration


def _tasks_of(service: Service, task_ids: list[int]) -> list[Task]:
    ids = {int(i) for i in task_ids}
    tasks = list(db.session.scalars(select(Task).where(Task.id.in_(ids or {-1}), Task.service_id == service.id)))
    if len(tasks) != len(ids):
        raise InvalidInput("tasks")
    return sorted(tasks, key=lambda t: t.id)


def _owner_of(service: Service, owner_id: int | None) -> int | None:
    if not owner_id:
        return None
    owner = db.session.get(User, owner_id)
    if owner is None or not owner.active or not can_see_service(owner, service.id):
        raise InvalidInput("owner")
    return owner.id


def _snapshot(finding: Finding) -> dict:
    """The finding's fields as its history shows them: iteration numbers, task titles, the owner's name."""
    owner = db.session.get(User, finding.owner_id) if finding.owner_id else None
    return {
        "title": finding.title, "description": finding.description or "", "severity": finding.severity,
        "status": finding.status,
        "found_in": finding.found_in.number if finding.found_in else None,
        "fixed_in": finding.fixed_in.number if finding.fixed_in else None,
        "verified_in": finding.verified_in.number if finding.verified_in else None,
        "tasks": [t.title_ja for t in sorted(finding.tasks, key=lambda t: t.id)],
        "owner": (owner.display_name or owner.email) if owner else None,
        "public_summary_ja": finding.public_summary_ja or "", "public_summary_en": finding.public_summary_en or "",
    }


def _diff(before: dict, after: dict) -> dict:
    return {key: [before[key], after[key]] for key in after if before.get(key) != after[key]}


def _record(finding: Finding, changes: dict, user: User, action: str) -> None:
    """One history row and one audit event for a change; nothing when nothing changed."""
    if not changes:
        return
    finding.events.append(FindingEvent(user_id=user.id if user else None, changes=changes))
    audit(action, finding, user=user, fields=sorted(changes))


def service_of(finding: Finding) -> Service:
    return db.session.get(Service, finding.service_id)
