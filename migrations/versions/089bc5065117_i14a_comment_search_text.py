"""Comment search text (issue 14, branch i14a): folded text, base forms and readings for the inbox search,
filled for the comments already stored

Revision ID: 089bc5065117
Revises: 05d996934eeb
Create Date: 2026-12-05 21:54:23.629960

The fill uses civictest.sentiment.search as it is at this revision (MeCab with ipadic, as the sentiment
analyzer), 500 comments at a time. Without MeCab a row gets its folded text only (still found as typed).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '089bc5065117'
down_revision = '05d996934eeb'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))

    from civictest.sentiment.search import search_text

    connection = op.get_bind()
    comment = sa.table('comment', sa.column('id', sa.Integer), sa.column('text', sa.Text),
                       sa.column('search_text', sa.Text))
    last = 0
    while True:
        rows = connection.execute(sa.select(comment.c.id, comment.c.text).where(comment.c.id > last)
                                  .order_by(comment.c.id).limit(BATCH)).all()
        if not rows:
            break
        connection.execute(sa.update(comment).where(comment.c.id == sa.bindparam('row_id'))
                           .values(search_text=sa.bindparam('value')),
                           [{'row_id': row.id, 'value': search_text(row.text or '')} for row in rows])
        last = rows[-1].id


def downgrade():
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('search_text')
