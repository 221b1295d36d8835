"""panel_member profile index: the panel's figures GROUP BY the quota dimensions of active members
(reporting.panel.composition) and the selection reads the same columns (services.panel.candidates); with
100,000 members SQLite read every row by rowid from ix_panel_member_status_last_tested, now the index covers them.

Revision ID: 3f2c9d1e7a40
Revises: 5b7a36cee3a4
Create Date: 2026-12-06 03:45:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3f2c9d1e7a40'
down_revision = '5b7a36cee3a4'
branch_labels = None
depends_on = None

COLUMNS = ['status', 'age_band', 'municipality_code', 'device', 'online_frequency', 'assistive_technology',
           'last_tested_at']


def upgrade():
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.create_index('ix_panel_member_profile', COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.drop_index('ix_panel_member_profile')
