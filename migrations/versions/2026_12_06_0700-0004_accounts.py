"""accounts: server-side sessions, token expiry, SSO subject, rate counters, revisions (2026-12-06)"""

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import app.db  # noqa: F401


revision, down_revision = "0004_accounts", "0003_notifications"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table('rate_counter',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('window_start', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('rate_counter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_counter_window_start'), ['window_start'], unique=False)

    op.create_table('user_session',
    sa.Column('id_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('user_agent', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id_hash')
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', app.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oidc_subject', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch_op.add_column(sa.Column('invited_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_sign_in_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint('uq_user_account_oidc_subject', ['oidc_subject'])

    with op.batch_alter_table('venue', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False, server_default='0'))

def downgrade() -> None:
    with op.batch_alter_table('venue', schema=None) as batch_op:
        batch_op.drop_column('revision')

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint('uq_user_account_oidc_subject', type_='unique')
        batch_op.drop_column('last_sign_in_at')
        batch_op.drop_column('invited_at')
        batch_op.drop_column('oidc_subject')

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('revision')

    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('revision')

    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
    with op.batch_alter_table('rate_counter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_counter_window_start'))

    op.drop_table('rate_counter')
