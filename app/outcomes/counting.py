"""Which assignments count as duties done: the one rule every load, fairness and duty count
uses (the staffing solver's loads and limits, the team picker, venue visits, My outreach).

An active place (proposed or confirmed) counts, unless the event's outcome recorded the
person as absent: once attendance is known, a no-show is not a duty done, so it neither
fills their month nor makes them look busier than colleagues who turned up.

Only models and enums are imported here, so the counting modules can use it without
importing the outcomes service.
"""

from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col

from app.assignments.models import Assignment
from app.enums import ACTIVE_ASSIGNMENT_STATUSES, AttendanceStatus


def counts_as_duty(status: str, attendance: str | None) -> bool:
    """The rule in Python, for rows already loaded."""
    return status in ACTIVE_ASSIGNMENT_STATUSES and attendance != AttendanceStatus.absent


def counted_duty_clause() -> Any:
    """The rule as a SQL condition on ``Assignment``, for counting queries."""
    return and_(
        col(Assignment.status).in_(ACTIVE_ASSIGNMENT_STATUSES),
        or_(col(Assignment.attendance).is_(None), col(Assignment.attendance) != AttendanceStatus.absent),
    )
