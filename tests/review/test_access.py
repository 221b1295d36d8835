"""Who may reach the review pages: service teams of the service and admins; others 403, 404 or login."""
import pytest
from helpers import csrf_token, login


def _urls(world, finding) -> list[str]:  # noqa: ANN001
    s, it = world.service.id, world.first.id
    return [
        f"/review/services/{s}/comments?iteration={it}",
        f"/review/services/{s}/findings",
        f"/review/services/{s}/findings/new",
        f"/review/findings/{finding.id}",
        f"/review/findings/{finding.id}/edit",
    ]


def _posts(world, finding) -> list[str]:  # noqa: ANN001
    return [
        f"/review/services/{world.service.id}/comments?iteration={world.first.id}",
        f"/review/services/{world.service.id}/findings/new",
        f"/review/findings/{finding.id}/edit",
        f"/review/findings/{finding.id}/status",
        f"/review/findings/{finding.id}/evidence",
    ]


def test_anonymous_visitors_are_sent_to_login(client, world, add_finding):
    finding = add_finding(world.service)
    for url in ["/review/", *_urls(world, finding)]:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url


@pytest.mark.parametrize("role", ["product_owner", "facilitator"])
def test_product_owners_and_facilitators_get_403(client, world, add_finding, role):
    finding = add_finding(world.service)
    login(client, world.owner if role == "product_owner" else world.facilitator)
    for url in ["/review/", *_urls(world, finding)]:
        assert client.get(url).status_code == 403, url


def test_another_departments_team_gets_404_on_every_url(client, world, add_finding, add_comment):
    finding = add_finding(world.service)
    comment = add_comment(world.first, "ボタンが小さい")
    login(client, world.other_team)
    for url in _urls(world, finding):
        assert client.get(url).status_code == 404, url
    token = csrf_token(client.get("/review/").get_data(as_text=True))
    for url in _posts(world, finding):
        response = client.post(url, data={"csrf_token": token, "comment_ids": [comment.id], "action": "tag",
                                          "tag_name": "x", "status": "triaged", "title": "x", "severity": "1"})
        assert response.status_code == 404, url


def test_the_services_team_and_admins_reach_every_page(client, world, add_finding):
    finding = add_finding(world.service)
    for user in (world.team, world.admin):
        login(client, user)
        for url in ["/review/", *_urls(world, finding)]:
            assert client.get(url).status_code == 200, (user.role, url)


def test_index_lists_only_the_users_services(client, world):
    login(client, world.team)
    html = client.get("/review/").get_data(as_text=True)
    assert world.service.name_ja in html and world.other.name_ja not in html


def test_a_finding_of_another_service_cannot_be_reached_through_this_services_url(client, world, add_finding):
    theirs = add_finding(world.other, found_in=world.other.iterations[0])
    login(client, world.team)
    assert client.get(f"/review/findings/{theirs.id}").status_code == 404
    assert client.get(f"/review/services/{world.service.id}/comments?iteration={world.other.iterations[0].id}").status_code == 200
