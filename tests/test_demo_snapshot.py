"""tests/demo_snapshot.py's copy of the demo is the demo: the same rows as demo.load, and its staff can log in."""
from conftest import empty_tables
from demo_snapshot import load_demo
from helpers import post_form
from sqlalchemy import DateTime, select

from civictest.extensions import db
from civictest.services import demo


def _rows() -> dict[str, list[tuple]]:
    """Every row of every table, without the times of the load and the password hashes (new salts)."""
    found = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if not isinstance(c.type, DateTime) and c.name != "password_hash"]
        found[table.name] = sorted(map(tuple, db.session.execute(select(*columns)).all()), key=repr)
    return found


def test_the_copied_demo_has_the_rows_of_demo_load(ctx):
    load_demo("first-password-123")  # demo.load itself the first time in a run, a copy afterwards
    copied = _rows()
    demo.reset()
    load_demo("first-password-123")  # the copy, surely now
    assert _rows() == copied
    db.session.remove()
    empty_tables(db.engine, [t.name for t in db.metadata.sorted_tables])  # ids from 1 again, as for the first load
    demo.load(password="first-password-123")
    loaded = _rows()  # a new load: the same rows, but for what it draws at random or stamps (invite codes, exports)
    assert {name: len(rows) for name, rows in loaded.items()} == {name: len(rows) for name, rows in copied.items()}
    assert loaded["attempt"] == copied["attempt"] and loaded["segment_tally"] == copied["segment_tally"]
    assert sum(map(len, copied.values())) > 10_000


def test_the_copied_demos_staff_log_in_with_the_password_asked_for(client, ctx):
    load_demo("first-password-123")
    demo.reset()
    load_demo("second-password-456")
    assert post_form(client, "/auth/login", {"email": "owner@example.jp", "password": "first-password-123"}).status_code != 302
    assert post_form(client, "/auth/login", {"email": "owner@example.jp", "password": "second-password-456"}).status_code == 302
    assert not demo.load(password="x" * 12).created  # demo.load sees the copy as the demo
