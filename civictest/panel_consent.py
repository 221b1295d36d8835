"""The panel's own consent text, versioned like a test's consent (civictest/consent.py) but separate from it.

A member agrees to be kept on a list and e-mailed invitations; a test's consent covers the answers in one test.
Each member stores the version they accepted; a new wording gets a new version and old ones stay.
"""
from __future__ import annotations

CURRENT_VERSION = "2026-12"

TEXTS: dict[str, dict[str, list[tuple[str, str]]]] = {
    "2026-12": {
        "ja": [
            ("テスター登録の目的", "区のオンラインサービスの使いやすさテストに参加していただける方へ、メールでご案内を送るために登録をお願いしています。登録しても、参加するかどうかは毎回あなたが決められます。"),
            ("保存すること", "メールアドレス、ご案内の言語、登録と確認の日時、答えた場合だけ年代・お住まいの市区町村（郵便番号そのものは保存しません）・使う機器・オンライン手続きの利用頻度・読める言語・参加しやすい時間帯、ご案内の送信と参加の記録です。"),
            ("支援技術について", "スクリーンリーダーなどの支援技術の利用は、障害に関わる配慮が必要な情報にあたることがあります。別に同意をいただいた場合だけ保存し、テストの対象者を選ぶためと統計にだけ使います。"),
            ("どのように使うか", "テストごとに、年代や地域などの偏りが少なくなるように、条件に合う方を選んでご案内を送ります。最近参加した方には続けて送らず、1年間にご案内する回数にも上限があります。登録情報を区の外に渡すことはありません。"),
            ("保存期間", "登録を続けている間保存します。最後のご案内から3年間参加がない場合は削除します。退会した場合は、すぐにメールアドレスと登録情報を削除します。"),
            ("確認・変更・退会", "すべてのメールに、登録情報を確認・変更・削除できるページへのリンクがあります。メールの配信停止のリンクからは、すべてのメールを1回の操作で止められます。退会しても、すでに参加したテストの回答は、誰のものか分からない形のまま集計に残ります。"),
            ("あなたの権利と問い合わせ先", "個人情報の保護に関する法律に基づき、開示・訂正・利用停止を求めることができます。お問い合わせは、メールに記載の担当課までご連絡ください。"),
        ],
        "en": [
            ("Why we ask you to register", "So that we can e-mail you invitations to usability tests of the city's online services. Each time, you decide whether to take part."),
            ("What we keep", "Your e-mail address, the language of our messages, when you registered and confirmed, and only if you tell us: your age group, municipality (never the postal code itself), the device you use, how often you use online services, the languages you read and when you can take part; and a record of the invitations sent and the tests you took."),
            ("About assistive technology", "Using a screen reader or other assistive technology can be sensitive information about a disability. We keep it only with your separate consent and use it only to choose testers and in statistics."),
            ("How we use it", "For each test we invite people who fit, so that age groups and areas are fairly represented. We do not invite people who took part recently, and there is a limit on invitations per year. Your details never leave the city."),
            ("How long we keep it", "While you stay registered. If you have not taken part for 3 years after our last invitation, we delete your details. If you leave, we delete your e-mail address and details at once."),
            ("See, change, leave", "Every e-mail links to a page where you can see, change or delete your details. The unsubscribe link stops all our e-mail in one step. If you leave, the answers you already gave in tests stay in the statistics, with nothing linking them to you."),
            ("Your rights and contact", "Under the Act on the Protection of Personal Information you may ask to see, correct or stop the use of your information. Please contact the office named in our e-mails."),
        ],
    },
}


def consent_sections(version: str, lang: str) -> list[tuple[str, str]]:
    """The (heading, text) sections of a panel consent version in a language (Japanese when missing)."""
    texts = TEXTS[version]
    return texts.get(lang) or texts["ja"]
