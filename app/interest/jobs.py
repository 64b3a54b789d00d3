"""The worker's part: erase expressions of interest whose retention period is over."""

from typing import Any

from sqlmodel import Session

from app.interest import service
from app.worker.jobs import JobContext


def erase_expired(session: Session, _payload: dict[str, Any], _context: JobContext) -> dict[str, Any]:
    return {"erased": service.erase_expired(session=session)}
