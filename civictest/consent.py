"""The consent text residents agree to, versioned: each participant stores the version they accepted.

Wording follows JAPAN.md section 4 (purpose, items, who sees what, publication as statistics, retention,
withdrawal by receipt code, rights, contact). It is data, not UI text, so it lives here in both languages.
A new wording gets a new version; old versions stay so that every participant's consent can be shown again.
"""
from __future__ import annotations

CURRENT_VERSION = "2026-11"

TEXTS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "2026-11": {
        "ja": [
            ("このテストの目的", "区のオンラインサービスの使いやすさを調べ、改善するために行います。テストされるのはサービスであり、あなたの能力ではありません。"),
            ("うかがうこと", "タスクができたかどうか、かかった時間、難しさ（1〜7）、自由記述のご意見、アンケートの回答です。年代・お住まいの市区町村・使った機器・オンライン手続きの利用頻度は、答えたい場合だけお答えください。氏名・住所・電話番号はうかがいません。"),
            ("支援技術について", "スクリーンリーダーなどの支援技術の利用は、障害に関わる配慮が必要な情報にあたることがあります。別に同意をいただいた場合だけうかがい、集計結果としてのみ扱います。"),
            ("誰が見るか", "回答は、このサービスを担当する区の職員だけが見ます。ご意見の文章に電話番号やメールアドレスなどが含まれていた場合は、保存する前に自動で伏せ字にします。"),
            ("公開について", "結果は、個人が特定できないよう5人未満の集計を伏せたうえで、統計としてオープンデータで公開することがあります。ご意見の文章そのものは公開しません。"),
            ("保存期間", "回答は、このテストの終了から3年間保存し、その後削除します。集計結果は残ります。"),
            ("取り消し", "終了時に表示される受付番号を使えば、いつでも参加を取り消せます。取り消すと、あなたの回答は集計から除かれ、ご意見の文章は削除されます。"),
            ("あなたの権利と問い合わせ先", "個人情報の保護に関する法律に基づき、開示・訂正・利用停止を求めることができます。お問い合わせは、案内状に記載の担当課までご連絡ください。"),
        ],
        "en": [
            ("Why we run this test", "To find out how easy the city's online service is to use, and to improve it. We are testing the service, not your abilities."),
            ("What we ask", "Whether you could do each task, how long it took, how easy it was (1 to 7), your comments and a short questionnaire. Your age group, municipality, device and how often you use online services are optional. We never ask for your name, address or phone number."),
            ("About assistive technology", "Using a screen reader or other assistive technology can be sensitive information about a disability. We ask about it only with your separate consent, and use it only in statistics."),
            ("Who sees your answers", "Only the city staff responsible for this service. Phone numbers, email addresses and similar details in your comments are masked automatically before they are stored."),
            ("What is published", "Results may be published as open data statistics, with any group of fewer than 5 people hidden so that nobody can be identified. Your comments themselves are never published."),
            ("How long we keep it", "Answers are kept for 3 years after the test ends and then deleted. Statistics remain."),
            ("Withdrawing", "With the receipt code shown at the end, you can withdraw at any time. Your answers are then removed from all figures and your comments deleted."),
            ("Your rights and contact", "Under the Act on the Protection of Personal Information you may ask to see, correct or stop the use of your information. Please contact the office named in your invitation."),
        ],
    },
}


def consent_sections(version: str, lang: str) -> list[tuple[str, str]]:
    """The (heading, text) sections of a consent version in a language (Japanese when missing)."""
    texts = TEXTS[version]
    return texts.get(lang) or texts["ja"]
