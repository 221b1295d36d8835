"""Issue 14: assistive-technology answers (要配慮個人情報) need their own consent; without it they are refused."""
import pytest
from helpers import RESIDENT_CODE, join_and_consent, make_service, make_session, submit

from civictest.extensions import db
from civictest.models import Participant


@pytest.fixture
def at_profile(client, ctx):
    make_session(make_service(tasks=1), invite_code=RESIDENT_CODE)
    join_and_consent(client)
    return client


def test_assistive_answer_without_its_consent_is_refused_and_nothing_is_stored(at_profile):
    response = submit(at_profile, "/participate/profile", {"age_band": "70s", "assistive_technology": "screen_reader"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "上の同意のチェックを入れてください" in html
    person = db.session.query(Participant).one()
    assert not person.profile_done and person.assistive_technology is None and person.age_band is None


def test_assistive_answer_with_its_consent_is_kept(at_profile):
    response = submit(at_profile, "/participate/profile",
                      {"assistive_technology": "screen_reader", "assistive_consent": "y"})
    assert response.status_code == 302
    assert db.session.query(Participant).one().assistive_technology == "screen_reader"


def test_no_assistive_answer_needs_no_consent(at_profile):
    assert submit(at_profile, "/participate/profile", {"assistive_technology": ""}).status_code == 302


def test_the_refusal_is_in_english_too(at_profile):
    at_profile.get("/?lang=en")
    html = submit(at_profile, "/participate/profile", {"assistive_technology": "magnifier"}).get_data(as_text=True)
    assert "tick the consent box above" in html
