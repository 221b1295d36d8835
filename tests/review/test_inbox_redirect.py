"""After a bulk action the inbox keeps its filters; query names that are url_for's own arguments do no harm."""
from urllib.parse import parse_qs, urlsplit

import pytest
from helpers import csrf_token, login

from civictest.extensions import db
from civictest.models import Tag


@pytest.mark.parametrize("extra", ["&service_id=999", "&endpoint=site.home", "&_external=1&_scheme=javascript",
                                   "&_anchor=x", "&_method=GET"])
def test_tagging_with_url_for_names_in_the_query_redirects_to_the_same_inbox(client, world, add_comment, extra):
    comment = add_comment(world.first, "ボタンが見つからない")
    login(client, world.team)
    url = f"/review/services/{world.service.id}/comments?iteration={world.first.id}&sentiment=negative{extra}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "comment_ids": [comment.id], "action": "tag",
                                      "tag_name": "ボタン"})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert not location.scheme and not location.netloc and not location.fragment
    assert location.path == f"/review/services/{world.service.id}/comments"
    assert parse_qs(location.query) == {"iteration": [str(world.first.id)], "sentiment": ["negative"]}
    assert [t.name for t in db.session.query(Tag)] == ["ボタン"]


def test_repeated_filters_are_all_kept(client, world, add_comment):
    comment = add_comment(world.first, "迷った")
    login(client, world.team)
    url = f"/review/services/{world.service.id}/comments?iteration={world.first.id}&tag=a&tag=b"
    token = csrf_token(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "comment_ids": [comment.id], "action": "tag",
                                      "tag_name": "迷う"})
    assert parse_qs(urlsplit(response.headers["Location"]).query)["tag"] == ["a", "b"]
