"""Survey tally (answers per wave, item, unit, grade and value; the results read it instead of every answer) and
pending roster uploads (the file between the dry run and its confirmation, kept server-side)

Revision ID: a16c0e7d2f51
Revises: c5f8f5b9f51b
Create Date: 2026-12-06 03:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a16c0e7d2f51'
down_revision = 'c5f8f5b9f51b'
branch_labels = None
depends_on = None

# The tally of the answers as stored (civictest.survey_tallies._query at this revision); unit 0 = none.
FILL = """
INSERT INTO survey_tally (wave_id, item_id, org_unit_id, job_grade, value, n)
SELECT a.wave_id, a.item_id, coalesce(r.org_unit_id, 0), r.job_grade, a.value, count(*)
FROM survey_answer a JOIN survey_response r ON r.id = a.response_id
WHERE a.value IS NOT NULL
GROUP BY a.wave_id, a.item_id, coalesce(r.org_unit_id, 0), r.job_grade, a.value
"""


def upgrade():
    op.create_table('survey_tally',
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('job_grade', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['survey_item.id'], name=op.f('fk_survey_tally_item_id_survey_item')),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_wave.id'], name=op.f('fk_survey_tally_wave_id_survey_wave')),
    sa.PrimaryKeyConstraint('wave_id', 'item_id', 'org_unit_id', 'job_grade', 'value', name=op.f('pk_survey_tally'))
    )
    op.execute(FILL)
    op.create_table('roster_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('wave_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['wave_id'], ['survey_wave.id'], name=op.f('fk_roster_upload_wave_id_survey_wave'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_upload')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_roster_upload_token_hash'))
    )
    with op.batch_alter_table('roster_upload', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_upload_wave_id'), ['wave_id'], unique=False)


def downgrade():
    with op.batch_alter_table('roster_upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_upload_wave_id'))
    op.drop_table('roster_upload')
    op.drop_table('survey_tally')
