"""Who is asking, as a person: the /my pages serve sign-ins linked to a person in Muster."""

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import current_principal
from app.accounts.principal import Principal
from app.errors import Forbidden


def _linked_to_person(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.person_id is None:
        raise Forbidden(
            "these pages are for people who stand at outreach events, and your sign-in is not "
            "linked to a person in Muster"
        )
    return principal


Ambassador = Annotated[Principal, Depends(_linked_to_person)]
"""A signed-in person who stands at outreach events (``principal.person_id`` is set)."""
