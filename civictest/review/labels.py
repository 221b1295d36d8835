"""Words for the codes the review pages show: severity (with its meaning), status, outcome, sentiment, fields."""
import re

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

SEVERITY = {
    1: (_l("軽微"), _l("見た目や言葉づかいの問題で、作業の妨げにはならない")),
    2: (_l("小"), _l("少し手間取るが、自分で完了できる")),
    3: (_l("大"), _l("多くの人が大きく手間取る、または助けがないと完了できない")),
    4: (_l("致命的"), _l("完了できない、または誤った申請・支払いにつながる")),
}
STATUS = {
    "new": _l("新規"),
    "triaged": _l("確認済み"),
    "planned": _l("対応予定"),
    "fixed": _l("修正済み"),
    "verified": _l("効果確認済み"),
    "wont_fix": _l("対応しない"),
}
OUTCOME = {
    "success": _l("できた"),
    "partial": _l("難しかったができた"),
    "failure": _l("できなかった"),
    "abandoned": _l("あきらめた"),
    "not_attempted": _l("未実施"),
}
SENTIMENT = {
    "positive": _l("肯定的"),
    "neutral": _l("中立"),
    "negative": _l("否定的"),
    "unscored": _l("判定なし"),
}
SOURCE = {"self": _l("本人"), "observer": _l("観察者")}
LANG = {"ja": _l("日本語"), "en": _l("英語"), "other": _l("その他の言語"), "und": _l("判定できない")}
FIELD = {
    "title": _l("件名"),
    "description": _l("説明"),
    "severity": _l("重要度"),
    "status": _l("状態"),
    "found_in": _l("発見した版"),
    "fixed_in": _l("修正した版"),
    "verified_in": _l("効果を確認した版"),
    "tasks": _l("影響するタスク"),
    "owner": _l("担当者"),
    "public_summary_ja": _l("公開用の要約（日本語）"),
    "public_summary_en": _l("公開用の要約（英語）"),
    "comments_added": _l("証拠のご意見を追加"),
    "comments_removed": _l("証拠のご意見を削除"),
    "attempts_added": _l("証拠の試行を追加"),
    "attempts_removed": _l("証拠の試行を削除"),
}
# The kinds of personal data privacy.scrub_pii replaces (its MARKERS keys).
REDACTION = {
    "email": _l("メールアドレス"),
    "my_number": _l("個人番号（マイナンバー）"),
    "phone": _l("電話番号"),
    "postal_code": _l("郵便番号"),
    "address": _l("住所"),
}
VERDICT = {
    "improved": _l("改善"),
    "worse": _l("悪化"),
    "no_detectable_change": _l("変化は検出されず"),
    "mixed": _l("改善と悪化が混在"),
}


def severity_label(level: int | None) -> str:
    """「3 大」: the number and its word, as the register shows it."""
    if level not in SEVERITY:
        return "–"
    return f"{level} {SEVERITY[level][0]}"


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")


def needs_ja(text: object) -> bool:
    """Staff-typed text (labels, titles, tags) in Japanese on a page that is not: it wants lang="ja"."""
    from flask_babel import get_locale

    return str(get_locale() or "ja") != "ja" and bool(JAPANESE.search(str(text or "")))


def ja_attr(text: object) -> Markup:
    """ lang="ja" for an element holding `text`, when needs_ja(text); nothing otherwise."""
    return Markup(' lang="ja"') if needs_ja(text) else Markup("")


def when(moment) -> str:  # noqa: ANN001
    """A stored UTC time in Tokyo time, as the office reads it."""
    from flask_babel import format_datetime

    return format_datetime(moment, "yyyy-MM-dd HH:mm") if moment else ""


def template_globals() -> dict:
    return {
        "when": when, "ja_attr": ja_attr, "SEVERITY": SEVERITY, "STATUS": STATUS, "OUTCOME": OUTCOME, "SENTIMENT": SENTIMENT, "SOURCE": SOURCE,
        "LANG": LANG, "FIELD": FIELD, "VERDICT": VERDICT, "severity_label": severity_label,
    }


def error_message(code: str, **values: object) -> str:
    """The sentence for a domain error's code (the services raise codes; the wording lives with the pages)."""
    from flask_babel import gettext as _

    messages = {
        "transition": lambda: _("「%(old)s」から「%(new)s」には変更できません。", **values),
        "fixed_in_required": lambda: _("「修正済み」にするには、修正した版を選んでください。"),
        "fixed_in_order": lambda: _("修正した版は、課題を見つけた版より後の版を選んでください。"),
        "verified_in_required": lambda: _("「効果確認済み」にするには、効果を確認した版を選んでください。"),
        "verified_in_order": lambda: _("効果を確認した版は、修正した版より後の版を選んでください。"),
        "no_comments": lambda: _("ご意見を1件以上選んでください。"),
        "comments": lambda: _("選んだご意見の一部が見つかりません。ページを開き直してください。"),
        "tag_name": lambda: _("タグ名を60文字以内で入力してください。"),
        "finding": lambda: _("証拠を追加する課題を選んでください。"),
    }
    return messages.get(code, lambda: _("入力内容を確認してください。"))()
