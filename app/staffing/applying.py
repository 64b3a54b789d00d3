"""Applying a finished plan job: all of its proposals or the chosen ones, each re-checked
under the booking lock, and recorded in the job's row in the same transaction, so applying
twice never writes twice.
"""

from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlmodel import Session

from app.audit.service import Actor
from app.errors import Conflict, Invalid
from app.staffing import service
from app.staffing.instance import Proposal
from app.staffing.jobs import PlanJob, get_plan_job
from app.staffing.review import ProposedAssignment
from app.worker.jobs import DONE, JOBS, QUEUED, RUNNING


@dataclass
class Applied:
    job: PlanJob
    written: list[ProposedAssignment]
    already: list[ProposedAssignment]


def _chosen(
    proposals: list[ProposedAssignment], indices: list[int] | None, pairs: list[tuple[int, int]] | None
) -> list[int]:
    """The proposals to apply, by number or by (event, person); all when neither is given."""
    if indices is not None and pairs is not None:
        raise Invalid("choose proposals by their numbers or by event and person, not both")
    count = len(proposals)
    if indices is None and pairs is None:
        return list(range(count))
    if not indices and not pairs:
        raise Invalid("choose at least one proposal to apply, or send no choice to apply them all")
    if indices is not None:
        wrong = [i for i in indices if not 0 <= i < count]
        if wrong:
            numbering = f"numbered 0 to {count - 1}" if count else "none at all"
            raise Invalid(
                f"proposal {wrong[0]} is not in this plan, which has {count} proposals ({numbering})"
            )
        return sorted(set(indices))
    index = {(p.event_id, p.person_id): i for i, p in enumerate(proposals)}
    for event_id, person_id in pairs or []:
        if (event_id, person_id) not in index:
            raise Invalid(f"this plan does not propose person {person_id} for event {event_id}")
    return sorted({index[pair] for pair in pairs or []})


def apply_plan_job(
    *,
    session: Session,
    actor: Actor,
    job_id: int,
    indices: list[int] | None = None,
    pairs: list[tuple[int, int]] | None = None,
) -> Applied:
    """Write the chosen proposals of a finished plan as ``proposed`` assignments, re-checked
    under the booking lock (409 with the reasons when the plan is out of date); proposals
    applied before are left as they are."""
    job = get_plan_job(session=session, job_id=job_id)
    if job.status != DONE or job.report is None:
        words = {QUEUED: "has not started yet", RUNNING: "is still running: wait for it, or stop it"}
        raise Conflict(f"plan job {job_id} {words.get(job.status, f'ended without a plan ({job.status})')}")
    proposals = job.proposals
    chosen = _chosen(proposals, indices, pairs)
    fresh = [i for i in chosen if i not in job.applied]
    already = [proposals[i] for i in chosen if i in job.applied]
    if not fresh:
        session.rollback()
        return Applied(job=job, written=[], already=already)

    def record(session: Session, written: dict[tuple[int, int], int]) -> None:
        """In the same transaction as the assignments: which proposals this plan has applied."""
        current = session.execute(
            sa.select(JOBS.c.result).where(JOBS.c.id == job_id).with_for_update()
        ).scalar_one()
        result = dict(current or {})
        applied = dict(result.get("applied") or {})
        for i in fresh:
            applied[str(i)] = written[(proposals[i].event_id, proposals[i].person_id)]
        session.execute(
            sa.update(JOBS).where(JOBS.c.id == job_id).values(result={**result, "applied": applied})
        )

    written = service.apply_proposals(
        session=session,
        actor=actor,
        proposals=[Proposal(proposals[i].event_id, proposals[i].person_id, proposals[i].role) for i in fresh],
        scope=f"{job.scope}, plan {job.id}",
        also=record,
    )
    made = [
        replace(proposals[i], assignment_id=written[(proposals[i].event_id, proposals[i].person_id)])
        for i in fresh
    ]
    return Applied(job=get_plan_job(session=session, job_id=job_id), written=made, already=already)
