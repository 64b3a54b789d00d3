"""${message} (${create_date.strftime("%Y-%m-%d")})"""

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import app.db  # noqa: F401
${imports if imports else ""}
revision, down_revision = ${repr(up_revision)}, ${repr(down_revision)}
branch_labels = depends_on = ${repr(branch_labels)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
