"""The dashboard shows how far comment sentiment agrees with the attempts it was written about."""
from helpers import RESIDENT_CODE, join_and_consent, login, make_service, make_session, make_user, submit


def _resident(app, outcome: str, seq: str, comment: str) -> None:  # noqa: ANN001
    browser = app.test_client()
    join_and_consent(browser)
    submit(browser, "/participate/profile", {})
    submit(browser, "/participate/tasks/1", {"outcome": outcome, "seq": seq, "comment": comment})


def test_dashboard_shows_negative_share_by_attempt_outcome(app, client, ctx):
    service = make_service(tasks=1)
    make_session(service, invite_code=RESIDENT_CODE)
    _resident(app, "failure", "2", "エラーになって申請できませんでした。")
    _resident(app, "failure", "1", "ボタンが見つからず困りました。")
    _resident(app, "success", "7", "とても分かりやすかったです。")
    login(client, make_user("product_owner", [service]))
    html = client.get(f"/compare/iterations/{service.iterations[0].id}").get_data(as_text=True)
    assert "感情分析の信頼性" in html
    section = html.split("感情分析の信頼性", 1)[1].split("</table>", 1)[0]
    assert "100%" in section and "0%" in section  # 2 of 2 negative on failures, 0 of 1 on the success
    assert "一致した割合: 100%（3件）" in html
