"""Issue 14: withdrawing asks again on a confirmation page with a warning (not the normal blue) button."""
import pytest
from helpers import RESIDENT_CODE, csrf_token, hidden_value, join_and_consent, make_service, make_session, submit

from civictest.extensions import db
from civictest.models import Participant


@pytest.fixture
def person(client, ctx):
    make_session(make_service(tasks=1), invite_code=RESIDENT_CODE)
    join_and_consent(client)
    return db.session.query(Participant).one()


def test_the_code_leads_to_a_confirmation_page_with_a_warning_button(client, person):
    first = client.get("/withdraw").get_data(as_text=True)
    assert 'class="warning"' not in first and 'name="confirm"' not in first
    response = submit(client, "/withdraw", {"receipt_code": person.receipt_code})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "本当に参加を取り消しますか" in html
    assert '<button type="submit" class="warning">参加を取り消す</button>' in html
    assert 'href="/"' in html and "取り消さずに" in html
    db.session.refresh(person)
    assert not person.withdrawn, "nothing happens before the confirmation"
    data = {"csrf_token": csrf_token(html), "stage": hidden_value(html, "stage"),
            "receipt_code": person.receipt_code, "confirm": "y"}
    done = client.post("/withdraw", data=data).get_data(as_text=True)
    assert "参加を取り消しました" in done
    db.session.refresh(person)
    assert person.withdrawn


def test_confirming_without_the_box_asks_again(client, person):
    html = submit(client, "/withdraw", {"receipt_code": person.receipt_code}).get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "stage": "confirm", "receipt_code": person.receipt_code}
    response = client.post("/withdraw", data=data)
    assert response.status_code == 400 and "確認のチェックを入れてください" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert not person.withdrawn


def test_a_wrong_code_never_reaches_the_confirmation(client, person):
    response = submit(client, "/withdraw", {"receipt_code": "ZZZZZ-ZZZZZ", "confirm": "y"})
    assert response.status_code == 400 and "見つかりませんでした" in response.get_data(as_text=True)
