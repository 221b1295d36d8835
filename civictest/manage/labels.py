"""Words for the codes the admin pages show: staff roles, audit actions and the kinds of object they touch."""
from flask_babel import lazy_gettext as _l

ROLE = {
    "admin": _l("管理者"),
    "service_team": _l("サービス担当チーム"),
    "product_owner": _l("サービス責任者"),
    "facilitator": _l("進行役（対面セッション）"),
}
ACTION = {
    "org_units_added": _l("組織を登録"),
    "password_reset": _l("パスワードを再設定"),
    "password_reset_requested": _l("パスワード再設定を依頼"),
    "recovery_code_used": _l("回復コードを使用"),
    "survey_created": _l("調査を作成"),
    "survey_invited": _l("調査の依頼を送信"),
    "survey_item_added": _l("調査の質問を追加"),
    "survey_reminded": _l("調査の催促を送信"),
    "survey_roster_added": _l("調査の名簿を登録"),
    "survey_wave_created": _l("調査の回を作成"),
    "survey_wave_state": _l("調査の回の状態を変更"),
    "totp_disabled": _l("2段階認証を解除"),
    "totp_enabled": _l("2段階認証を設定"),
    "totp_enrol_failed": _l("2段階認証の設定に失敗"),
    "totp_reset": _l("2段階認証をリセット"),
    "login": _l("ログイン"),
    "login_failed": _l("ログイン失敗"),
    "logout": _l("ログアウト"),
    "department_saved": _l("部署を保存"),
    "service_created": _l("サービスを作成"),
    "service_saved": _l("サービスを保存"),
    "task_saved": _l("タスクを保存"),
    "iteration_created": _l("版を作成"),
    "iteration_saved": _l("版を保存"),
    "iteration_published": _l("オープンデータを公開"),
    "iteration_unpublished": _l("オープンデータの公開を停止"),
    "iteration_republished": _l("オープンデータを公開し直し"),
    "study_saved": _l("テスト内容を保存"),
    "session_saved": _l("セッションを保存"),
    "user_saved": _l("職員アカウントを保存"),
    "import_committed": _l("結果を取り込み"),
    "export": _l("データをダウンロード"),
    "observation_recorded": _l("観察結果を記録"),
    "comments_tagged": _l("ご意見にタグ付け"),
    "finding_created": _l("課題を作成"),
    "finding_updated": _l("課題を更新"),
    "finding_status_changed": _l("課題の状態を変更"),
    "finding_evidence_added": _l("課題に根拠を追加"),
    "finding_evidence_removed": _l("課題から根拠を外す"),
    "booking_slot_added": _l("予約の時間枠を追加"),
    "booking_slot_saved": _l("予約の時間枠を変更"),
    "booking_slot_deleted": _l("予約の時間枠を削除"),
    "booking_attendance": _l("来場・欠席を記録"),
}
OBJECT = {
    "user": _l("職員 ID"), "department": _l("部署 ID"), "service": _l("サービス ID"), "task": _l("タスク ID"),
    "iteration": _l("版 ID"), "study": _l("テスト内容 ID"), "testsession": _l("セッション ID"), "finding": _l("課題 ID"),
    "tag": _l("タグ ID"),
}


def role_label(code: str | None) -> str:
    return str(ROLE.get(code or "", code or ""))


def action_label(code: str | None) -> str:
    """A readable action; an unknown code is shown as it is (never hidden)."""
    return str(ACTION.get(code or "", code or ""))


def object_label(code: str | None) -> str:
    return str(OBJECT.get(code or "", code or ""))


def jst(moment) -> str:  # noqa: ANN001
    """A stored UTC time in Japan time (BABEL_DEFAULT_TIMEZONE), to the second."""
    from flask_babel import format_datetime

    return format_datetime(moment, "yyyy-MM-dd HH:mm:ss") if moment else ""


def template_globals() -> dict:
    return {"role_label": role_label, "action_label": action_label, "object_label": object_label, "jst": jst}
