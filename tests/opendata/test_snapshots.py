"""Issue 17: open data frozen at publication (versioned), no publication while a session is open, and the
assistive-technology segment withheld from staff figures while any session of the iteration is open."""
import pytest
from exports.residents import add_residents
from helpers import login, make_service, make_session, make_user, post_form

from civictest.extensions import db
from civictest.models import Iteration, Participant, PublishedSnapshot
from civictest.reporting.figures import Figures
from civictest.services import accounts, catalog
from civictest.services.errors import Conflict

FILES = ("metrics.csv", "metrics.json", "metadata.json", "dictionary.csv", "codes.csv", "datapackage.json")


def _download(client, iteration_id: int) -> dict[str, bytes]:  # noqa: ANN001
    files = {}
    for name in FILES:
        response = client.get(f"/open-data/{iteration_id}/{name}")
        assert response.status_code == 200, name
        files[name] = response.data
    return files


@pytest.fixture
def published(ctx):
    service = make_service(tasks=2)
    iteration = service.iterations[0]
    add_residents(iteration, count=14)
    catalog.set_published(iteration, True)
    db.session.commit()
    return iteration


def test_answers_after_publication_change_no_open_data_byte(client, published):
    before = _download(client, published.id)
    page = client.get(f"/open-data/{published.id}/").get_data(as_text=True)
    add_residents(published, count=6, seed=9)  # more residents, counted in the live figures
    from civictest.exporting.files import open_data_package

    with client.application.test_request_context("/"):
        live, _ = open_data_package(db.session.get(Iteration, published.id))
    assert live["metrics.csv"] != before["metrics.csv"], "the live figures did move"
    assert _download(client, published.id) == before
    assert client.get(f"/open-data/{published.id}/").get_data(as_text=True) == page


def test_publishing_with_an_open_session_is_refused(ctx):
    service = make_service(tasks=1)
    iteration = service.iterations[0]
    make_session(service, is_open=True)
    with pytest.raises(Conflict):
        catalog.set_published(iteration, True)
    db.session.rollback()
    assert not db.session.get(Iteration, iteration.id).published
    assert db.session.query(PublishedSnapshot).count() == 0


def test_admin_sees_why_publishing_is_refused_in_their_language(client, ctx):
    service = make_service(tasks=1)
    iteration = service.iterations[0]
    make_session(service, is_open=True)
    login(client, make_user("admin", [], "admin@example.jp"))
    url = f"/manage/iterations/{iteration.id}/edit"
    response = post_form(client, url, {"label": "第1版", "published": "y"})
    assert response.status_code == 400
    assert "受付中のテストセッションがあるため公開できません" in response.get_data(as_text=True)
    assert not db.session.get(Iteration, iteration.id).published
    client.get("/?lang=en")
    english = post_form(client, url, {"label": "第1版", "published": "y"}).get_data(as_text=True)
    assert "cannot be published while a test session is still open" in english


def test_republishing_makes_a_new_version(client, published):
    login(client, make_user("admin", [], "admin@example.jp"))
    assert "第1版" in client.get(f"/open-data/{published.id}/").get_data(as_text=True)
    first = _download(client, published.id)
    add_residents(published, count=6, seed=9)  # a correction: results imported late
    response = post_form(client, f"/manage/iterations/{published.id}/republish", {},
                         get_url=f"/manage/iterations/{published.id}")
    assert response.status_code == 302
    versions = [s.version for s in db.session.query(PublishedSnapshot).filter_by(iteration_id=published.id)]
    assert sorted(versions) == [1, 2]
    assert _download(client, published.id)["metrics.csv"] != first["metrics.csv"]
    page = client.get(f"/open-data/{published.id}/").get_data(as_text=True)
    assert "第2版" in page and "データの版" in page
    catalog.set_published(db.session.get(Iteration, published.id), False)
    catalog.set_published(db.session.get(Iteration, published.id), True)
    db.session.commit()
    assert db.session.query(PublishedSnapshot).filter_by(iteration_id=published.id).count() == 3


def _with_assistive_technology(iteration) -> None:  # noqa: ANN001
    people = add_residents(iteration, count=12)
    for index, person in enumerate(people):
        db.session.get(Participant, person.id).assistive_technology = "screen_reader" if index % 2 else "none"
    db.session.commit()


def test_assistive_technology_segment_only_when_every_session_is_closed(client, ctx):
    service = make_service(tasks=1)
    iteration = service.iterations[0]
    _with_assistive_technology(iteration)
    cells = Figures(1).segments(iteration)["cells"]
    assert {c["segment"] for c in cells} >= {"assistive_technology", "age_band"}
    make_session(service, is_open=True)
    hidden = Figures(1).segments(iteration)
    assert hidden["hidden_segments"] == ["assistive_technology"]
    assert "assistive_technology" not in {c["segment"] for c in hidden["cells"]}
    assert "age_band" in {c["segment"] for c in hidden["cells"]}

    admin = make_user("admin", [], "admin@example.jp")
    token = accounts.issue_api_token(admin)
    db.session.commit()
    api = client.get(f"/api/v1/iterations/{iteration.id}/segments", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and "assistive_technology" not in {c["segment"] for c in api.json["cells"]}
    login(client, admin)
    page = client.get(f"/compare/iterations/{iteration.id}").get_data(as_text=True)
    assert "支援技術の利用別の結果は表示していません" in page
