"""The public "you said, we did" page: only published services, only fixed findings' public summaries."""
from civictest.extensions import db


def _publish(service) -> None:  # noqa: ANN001
    service.publish_fixes = True
    db.session.commit()


def test_404_when_the_service_does_not_publish_or_does_not_exist(client, world, add_finding):
    add_finding(world.service, status="fixed", fixed_in_id=world.second.id, public_summary_ja="直しました")
    assert client.get(f"/services/{world.service.id}/fixes").status_code == 404
    assert client.get("/services/999999/fixes").status_code == 404


def test_lists_fixed_and_verified_findings_with_their_summaries_and_nothing_else(client, world, add_finding,
                                                                               add_comment):
    _publish(world.service)
    comment = add_comment(world.first, "アップロードのボタンが見つからない（区役所の田中さんに聞いた）")
    fixed = add_finding(world.service, "社内向けの件名A", status="fixed", fixed_in_id=world.second.id,
                        description="内部の説明A", public_summary_ja="写真をそのまま送れるようにしました。",
                        public_summary_en="Phone photos can now be uploaded as they are.")
    fixed.comments.append(comment)
    add_finding(world.service, "社内向けの件名B", status="planned", public_summary_ja="予定の要約")
    add_finding(world.service, "社内向けの件名C", status="wont_fix", public_summary_ja="対応しない要約")
    add_finding(world.service, "社内向けの件名D", status="fixed", fixed_in_id=world.second.id)  # no summary yet
    add_finding(world.other, "他サービス", status="fixed", fixed_in_id=world.other.iterations[0].id,
                public_summary_ja="他のサービスの要約", found_in=world.other.iterations[0])
    db.session.commit()
    html = client.get(f"/services/{world.service.id}/fixes").get_data(as_text=True)
    assert "写真をそのまま送れるようにしました。" in html and "第2版で修正" in html
    for hidden in ("社内向けの件名", "内部の説明", "予定の要約", "対応しない要約", "他のサービスの要約",
                   "アップロードのボタン", "田中", "team@example.jp"):
        assert hidden not in html, hidden
    english = client.get(f"/services/{world.service.id}/fixes?lang=en").get_data(as_text=True)
    assert '<p lang="en">Phone photos can now be uploaded as they are.</p>' in english
    assert "Fixed in iteration 2" in english


def test_english_page_falls_back_to_japanese_marked_as_such(client, world, add_finding):
    _publish(world.service)
    add_finding(world.service, status="fixed", fixed_in_id=world.second.id, public_summary_ja="直しました。")
    html = client.get(f"/services/{world.service.id}/fixes?lang=en").get_data(as_text=True)
    assert '<p lang="ja">直しました。</p>' in html


def test_a_published_service_without_fixes_says_so(client, world):
    _publish(world.service)
    response = client.get(f"/services/{world.service.id}/fixes")
    assert response.status_code == 200 and "お知らせできる改善はまだありません。" in response.get_data(as_text=True)
