from dataclasses import dataclass, field

from app.audit.service import Actor
from app.enums import Role


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the rules see them: role, own person, own venues."""

    user_id: int
    email: str
    role: Role
    name: str = ""
    person_id: int | None = None
    venue_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_planner(self) -> bool:
        """Coordinators and administrators plan; they see representation and internal notes."""
        return self.role in (Role.admin, Role.coordinator)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, label=self.email, role=self.role.value)
