"""The OpenAPI 3.1 description of /api/v1: one dict built here, served as /api/v1/openapi.json and drawn as the
page /api/v1/docs. Its words are in the request's language (Japanese, or English by ?lang=en / Accept-Language).

The response schemas are JSON Schema (2020-12) of the payloads civictest.reporting.figures returns: every
top-level key, the keys of every figure block, and null wherever a figure can be missing (no answers yet, a
suppressed cell, fewer than two values to compare). tests/api/test_openapi.py checks that the paths here are
exactly the blueprint's routes and that the document is valid OpenAPI 3.1; tests/load/test_api_schemathesis.py
checks the live server's answers against it.
"""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _

from civictest.api.params import DEFAULT_PER_PAGE, MAX_ID, MAX_PER_PAGE

PREFIX = "/api/v1"
VERSION = "1.0.0"
JSON = "application/json"


# ---------------------------------------------------------------- JSON Schema building blocks
def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _null(schema: dict) -> dict:
    """schema or null."""
    return {"anyOf": [schema, {"type": "null"}]}


NUM = {"type": ["number", "null"]}
INT = {"type": "integer"}
NINT = {"type": ["integer", "null"]}
STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
BOOL = {"type": "boolean"}
INTERVAL = _null({"type": "array", "items": NUM, "minItems": 2, "maxItems": 2})
VERDICT = {"type": ["string", "null"], "enum": ["improved", "worse", "no_detectable_change", "mixed", None]}


def _obj(properties: dict, required: list[str] | None = None) -> dict:
    """An object with these keys (all required unless a list is given); other keys may be added later."""
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required}


def schemas() -> dict[str, dict]:
    """components/schemas: the figure blocks and the payloads of each endpoint."""
    rate = {"n": INT, "completion_rate": NUM, "p_adj": NUM, "lower": NUM, "upper": NUM}
    compare_rates = {"p1": NUM, "p2": NUM, "difference": NUM, "min_expected_count": NUM,
                     "fisher_two_sided_p": NUM, "diff_ci_agresti_caffo": INTERVAL, "n1_z": NUM,
                     "n1_two_sided_p": NUM, "recommended_test": NSTR, "recommended_p": NUM}
    meta = {"id": INT, "service_id": INT, "number": INT, "label": STR,
            "starts_on": {"type": ["string", "null"], "format": "date"},
            "ends_on": {"type": ["string", "null"], "format": "date"}, "published": BOOL,
            "questionnaire": NSTR, "partial_counts_as_success": BOOL, "participants": INT,
            "sentiment_analyzers": {"type": "array"}}
    counts = {"type": "object", "additionalProperties": INT}
    return {
        "Error": _obj({"error": _obj({"status": INT, "message": STR, "parameter": STR}, ["status", "message"])}),
        "ServiceSummary": _obj({
            "id": INT, "department_id": INT, "name_ja": STR, "name_en": NSTR,
            "iterations": {"type": "array", "items": _obj({"id": INT, "number": INT, "label": STR,
                                                           "published": BOOL})}}),
        "Page": _obj({"page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1},
                      "total": {"type": "integer", "minimum": 0}, "next": NSTR, "prev": NSTR}),
        "IterationMeta": _obj(meta),
        "Rate": _obj(rate),
        "Completion": _obj({**rate, "mle": NUM, "laplace": NUM, "jeffreys": NUM, "wilson": NUM, "best": NUM,
                            "best_method": {"type": ["string", "null"],
                                            "enum": ["mle", "laplace", "jeffreys", "wilson", None]}}),
        "Inconvenience": _obj({"n": INT, "inconvenient": NINT, "rate": NUM, "lower": NUM, "upper": NUM}),
        "TimeSummary": _obj({"n": INT, "geometric_mean": NUM, "median": NUM, "arithmetic_mean": NUM,
                             "lower": NUM, "upper": NUM, "central_tendency_reported": NSTR}),
        "RatingSummary": _obj({"n": INT, "mean": NUM, "sd": NUM, "lower": NUM, "upper": NUM}),
        "Questionnaire": _obj({"kind": {"enum": ["sus", "umux_lite"]}, "n": INT, "n_invalid": INT, "mean": NUM,
                               "sd": NUM, "lower": NUM, "upper": NUM, "grade": NSTR, "sus_equivalent": NUM},
                              ["kind", "n", "n_invalid", "mean", "sd", "lower", "upper", "grade"]),
        "SentimentCounts": _null(counts),
        "TaskReport": _obj({
            "task_id": INT, "position": INT, "title_ja": STR, "title_en": NSTR, "n": INT, "outcomes": counts,
            "sources": _null(counts), "completion": _ref("Completion"), "inconvenience": _ref("Inconvenience"),
            "time": _ref("TimeSummary"), "seq": _ref("RatingSummary"), "sentiment": _ref("SentimentCounts")}),
        "IterationReport": _obj({
            "iteration": _ref("IterationMeta"), "counting": STR,
            "options": _obj({"questionnaire": STR, "partial_counts_as_success": BOOL, "time_population": STR}),
            "tasks": {"type": "array", "items": _ref("TaskReport")},
            "overall": _obj({"participants": INT, "n": INT, "outcomes": counts, "sources": _null(counts),
                             "completion": _ref("Completion"), "inconvenience": _ref("Inconvenience"),
                             "questionnaire": _ref("Questionnaire"), "sentiment": _ref("SentimentCounts"),
                             "general_sentiment": _ref("SentimentCounts")})}),
        "SegmentCell": _obj({
            "segment": STR, "value": {"type": ["string", "integer", "number", "boolean", "null"]},
            "task_id": INT, "suppressed": BOOL, "n": NINT, "completion_rate": NUM, "completion_lower": NUM,
            "completion_upper": NUM, "inconvenience_rate": NUM, "inconvenience_lower": NUM,
            "inconvenience_upper": NUM}),
        "Segments": _obj({"iteration": _null(_ref("IterationMeta")), "k": INT, "counting": STR, "task_id": NINT,
                          "cells": {"type": "array", "items": _ref("SegmentCell")}}),
        "CompareRates": _obj(compare_rates),
        "CompareMeans": _obj({"mean_a": NUM, "mean_b": NUM, "difference": NUM, "t": NUM, "df": NUM,
                              "p_two_sided": NUM, "diff_ci": INTERVAL}),
        "CompareTimes": _obj({"geomean_a": NUM, "geomean_b": NUM, "ratio_a_over_b": NUM, "t": NUM, "df": NUM,
                              "p_two_sided": NUM, "ratio_ci": INTERVAL}),
        "TaskComparison": _obj({
            "task_id": INT, "position": INT, "title_ja": STR, "title_en": NSTR, "n_base": INT, "n_candidate": INT,
            "completion": _ref("CompareRates"), "inconvenience": _ref("CompareRates"),
            "seq": _ref("CompareMeans"), "time": _null(_ref("CompareTimes")), "headline_p": NUM,
            "verdict": VERDICT, "exploratory": BOOL, "holm_adjusted_p": NUM, "holm_verdict": VERDICT}),
        "Comparison": _obj({
            "service": _ref("ServiceSummary"), "base": _ref("IterationMeta"), "candidate": _ref("IterationMeta"),
            "counting": STR, "alpha": {"type": "number"}, "difference": {"const": "candidate_minus_base"},
            "tasks": {"type": "array", "items": _ref("TaskComparison")},
            "tasks_added": {"type": "array", "items": INT}, "tasks_dropped": {"type": "array", "items": INT},
            "overall": _obj({
                "verdict": VERDICT,
                "inconvenience": _obj({**compare_rates, "verdict": VERDICT}),
                "completion": _obj({**compare_rates, "verdict": VERDICT}),
                "questionnaire": _obj({"base": _ref("Questionnaire"), "candidate": _ref("Questionnaire"),
                                       "comparison": _ref("CompareMeans"), "verdict": VERDICT}),
                "sentiment": _null(_obj({**compare_rates, "negative": INT, "scored": INT, "base_negative": INT,
                                         "base_scored": INT, "verdict": VERDICT}))},
                ["verdict", "inconvenience", "completion", "questionnaire"])}),
        "TrendPoint": _obj({
            **meta, "completion": _ref("Rate"), "inconvenience": _ref("Inconvenience"),
            "questionnaire_kind": NSTR, "questionnaire_n": INT, "questionnaire_mean": NUM, "sus_mean": NUM,
            "sus_grade": NSTR}, ["id", "number", "label", "participants", "completion", "inconvenience",
                                 "questionnaire_mean", "sus_mean", "sus_grade"]),
        "Trend": _obj({"service": _ref("ServiceSummary"), "counting": STR,
                       "points": {"type": "array", "items": _ref("TrendPoint")}}),
        "SentimentValidity": _obj({
            "negative_among_inconvenient": _ref("Rate"), "negative_among_convenient": _ref("Rate"),
            "comparison": _null(_ref("CompareRates")), "agreement": _ref("Rate"), "unscored": INT,
            "consistent": BOOL}),
        "Theme": _obj({"phrase": STR, "lang": NSTR, "count": INT, "negative_share": NUM,
                       "examples": {"type": "array", "items": STR},
                       "also": {"type": "array", "items": STR}}, ["phrase", "count"]),
        "Dashboard": _obj({
            "iteration": INT, "base": NINT,
            "history": {"type": "array", "items": _obj({"id": INT, "number": INT, "label": STR,
                                                        "report": _ref("IterationReport")})},
            "comparison": _null(_ref("Comparison")),
            "segments": _obj({"task_id": NINT,
                              "base": _null({"type": "array", "items": _ref("SegmentCell")}),
                              "current": {"type": "array", "items": _ref("SegmentCell")}}),
            "validity": _ref("SentimentValidity"), "themes": {"type": "array", "items": _ref("Theme")},
            "feedback": {"type": "array", "items": _ref("FeedbackPoint")}}),
        "FeedbackPoint": _obj({
            "iteration_id": INT, "number": INT, "label": STR, "n": INT, "satisfied": INT, "rate": NUM,
            "lower": NUM, "upper": NUM, "mean": NUM, "mean_lower": NUM, "mean_upper": NUM, "sd": NUM,
            "ratings": _obj({str(r): INT for r in range(1, 6)}),
            "task_done": _obj({"yes": INT, "partly": INT, "no": INT, "unanswered": INT}), "comments": INT}),
        "Feedback": _obj({"service": _ref("ServiceSummary"), "satisfied_means": STR,
                          "points": {"type": "array", "items": _ref("FeedbackPoint")}}),
        "Areas": _obj({"iteration": _null(_ref("IterationMeta")), "task_id": NINT, "areas": {
            "type": "array", "items": _obj({"code": STR, "participants": INT, "inconvenient": INT, "attempts": INT,
                                            "inconvenience": _ref("Inconvenience")})}}),
        "OverviewEntry": _obj({
            "service": _ref("ServiceSummary"), "latest": _null(_ref("TrendPoint")),
            "previous": _null(_ref("TrendPoint")),
            "change": _null(_obj({**compare_rates, "verdict": VERDICT})),
            "unresolved_findings": {"type": "object", "additionalProperties": INT}}),
        **survey_schemas(),
        **panel_schemas(),
    }


def survey_schemas() -> dict[str, dict]:
    """The survey payloads (civictest.reporting.surveys): a survey with its waves, and a wave's results."""
    share = _obj({"count": NINT, "share": NUM, "lower": NUM, "upper": NUM})
    bands = {"positive": share, "neutral": share, "negative": share}
    scale = _obj({"n": INT, "counts": {"type": "object", "additionalProperties": INT}, **bands, "mean": NUM,
                  "sd": NUM, "mean_lower": NUM, "mean_upper": NUM})
    choice = _obj({"n": INT, "options": {"type": "object", "additionalProperties": share}})
    group = _obj({"n": INT, **bands, "mean": NUM})
    weighted = _obj({"n": INT, "positive": NUM, "neutral": NUM, "negative": NUM, "mean": NUM})
    rate = _obj({"invited": INT, "answered": INT, "rate": NUM, "lower": NUM, "upper": NUM})
    per_item = _null({"type": "object", "additionalProperties": group})
    text = _null(_obj({"answers": INT, "read": INT, "sentiment": {"type": "object", "additionalProperties": INT},
                       "themes": {"type": "array", "items": _ref("Theme")}}))
    compare_rates = _obj({"p1": NUM, "p2": NUM, "difference": NUM, "diff_ci_agresti_caffo": INTERVAL,
                          "recommended_test": NSTR, "recommended_p": NUM}, ["p1", "p2", "difference"])
    compare_means = _obj({"mean_a": NUM, "mean_b": NUM, "difference": NUM, "p_two_sided": NUM,
                          "diff_ci": INTERVAL}, ["mean_a", "mean_b", "difference"])
    change = _obj({"item": INT, "item_id": INT, "n_base": INT, "n_candidate": INT, "positive": compare_rates,
                   "mean": compare_means, "mann_whitney": _obj({"u": NUM, "p_two_sided": NUM}),
                   "headline_p": NUM, "verdict": VERDICT, "holm_adjusted_p": NUM, "holm_verdict": VERDICT})
    wave = _obj({"id": INT, "number": INT, "label": STR, "state": STR}, ["id", "number", "label"])
    return {
        "SurveySummary": _obj({
            "id": INT, "department_id": INT, "department_ja": STR, "department_en": NSTR, "audience": STR,
            "title_ja": STR, "title_en": NSTR,
            "waves": {"type": "array", "items": _obj({"id": INT, "number": INT, "label": STR, "state": STR,
                                                      "previous_id": NINT})}}),
        "SurveyWaveResults": _obj({
            "survey": _ref("SurveySummary"), "wave": wave, "base_wave": _null(wave), "k": INT,
            "respondents": INT, "shown": BOOL, "response_rate": _null(rate),
            "unit_items": {"type": "array", "items": INT},
            "items": {"type": "array", "items": _obj({
                "id": INT, "code": STR, "kind": {"enum": ["scale", "choice", "text"]}, "wording_ja": STR,
                "wording_en": NSTR, "overall": _null({"anyOf": [scale, choice]}), "weighted": _null(weighted),
                "text": text}, ["id", "code", "kind", "overall", "weighted", "text"])},
            "units": {"type": "array", "items": _obj({
                "id": INT, "parent_id": NINT, "name": STR, "path": STR, "depth": INT, "shown": BOOL,
                "shown_as": NINT, "respondents": NINT, "response_rate": _null(rate), "items": per_item})},
            "grades": {"type": "array", "items": _obj({"grade": STR, "shown": BOOL, "respondents": NINT,
                                                       "items": per_item})},
            "weighting": _null(_obj({"cells": STR, "covered_roster_share": NUM,
                                     "uncovered_cells": {"type": "array"}, "weights": {"type": "array"}})),
            "comparison": _null(_obj({"verdict": VERDICT, "alpha": NUM, "items": {"type": "array", "items": change},
                                      "only_base": {"type": "array"}, "only_candidate": {"type": "array"}}))}),
        "SurveyUnitChanges": _obj({
            "wave": wave, "base_wave": wave, "k": INT, "alpha": NUM, "shown": BOOL,
            "items": {"type": "array", "items": INT},
            "units": {"type": "array", "items": _obj({
                "id": INT, "parent_id": NINT, "name": STR, "path": STR, "depth": INT, "respondents_base": INT,
                "respondents_candidate": INT,
                "items": {"type": "object", "additionalProperties": _obj({
                    "n_base": INT, "n_candidate": INT, "positive": compare_rates, "mean": compare_means,
                    "mann_whitney": _obj({"u": NUM, "p_two_sided": NUM}), "headline_p": NUM, "verdict": VERDICT,
                    "holm_adjusted_p": NUM, "holm_verdict": VERDICT})}})},
            "not_compared": {"type": "array", "items": _obj({
                "id": INT, "parent_id": NINT, "name": STR, "path": STR, "depth": INT, "into": NINT})}}),
    }


def panel_schemas() -> dict[str, dict]:
    """The tester panel's payloads (civictest.reporting.panel): the panel as a whole and one session's figures."""
    panel_round = _obj({"round": INT, "session_id": INT, "code": STR,
                        "created_at": {"type": ["string", "null"], "format": "date-time"}, "invited": INT,
                        "joined": INT, "finished": INT, "rate": NUM})
    cell = _obj({"cell_key": STR, "cell": {"type": "object", "additionalProperties": STR}, "target_share": NUM,
                 "members": NINT, "member_share": NUM, "members_suppressed": BOOL, "participants": NINT,
                 "participant_share": NUM, "participants_suppressed": BOOL})
    return {
        "PanelRound": panel_round,
        "PanelSummary": _obj({
            "size": _obj({"active": INT, "pending": INT, "left": INT}),
            "months": {"type": "array", "items": _obj({"month": STR, "joins": INT, "leaves": INT})},
            "rounds": {"type": "array", "items": _ref("PanelRound")}}),
        "PanelSession": _obj({
            "session": _obj({"id": INT, "code": STR, "study_id": INT, "service_id": INT}), "k": INT,
            "rounds": {"type": "array", "items": _ref("PanelRound")},
            "composition": {"type": "array", "items": cell},
            "bookings": {"oneOf": [_obj({"booked": INT, "waiting": INT, "attended": INT, "no_show": INT}),
                                   {"type": "null"}]}}),
    }


# ---------------------------------------------------------------- parameters and responses
def _id(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}


def _query(name: str, description: str, *, required: bool = False, minimum: int = 1, maximum: int = MAX_ID,
           default: int | None = None) -> dict:
    schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if default is not None:
        schema["default"] = default
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _lang() -> dict:
    return {"name": "lang", "in": "query", "required": False,
            "description": _("メッセージと説明の言語。省略時は Accept-Language、なければ日本語。"),
            "schema": {"type": "string", "enum": list(current_app.config["LANGUAGES"])}}


def _paging() -> list[dict]:
    return [_query("page", _("ページ番号(1から)。"), default=1),
            _query("per_page", _("1ページの件数(最大 %(max)s)。", max=MAX_PER_PAGE), maximum=MAX_PER_PAGE,
                   default=DEFAULT_PER_PAGE)]


def _json(schema: dict, description: str, headers: dict | None = None) -> dict:
    out = {"description": description, "content": {JSON: {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


def _errors(*statuses: int) -> dict:
    words = {400: _("パラメータの誤り。error.parameter がどのパラメータかを示します。"),
             401: _("ログインしていないか、トークンが無効です(WWW-Authenticate: Bearer)。"),
             403: _("この役割では使えません(テスターパネルは管理者とサービス担当チームだけ)。"),
             404: _("対象がないか、見る権限のないサービスのものです。"),
             503: _("データベースが混み合っています(Retry-After)。")}
    headers = {401: {"WWW-Authenticate": {"description": _("RFC 6750 のチャレンジ。"), "schema": STR}},
               503: {"Retry-After": {"description": _("再試行までの秒数。"), "schema": STR}}}
    return {str(s): _json(_ref("Error"), words[s], headers.get(s)) for s in statuses}


def _operation(operation_id: str, summary: str, description: str, schema: dict, *, parameters: tuple = (),
               errors: tuple = (401, 503), public: bool = False, headers: dict | None = None,
               content: dict | None = None) -> dict:
    ok = {"description": _("成功。"), "content": content} if content else _json(schema, _("成功。"), headers)
    op = {"operationId": operation_id, "summary": summary, "description": description,
          "parameters": [*parameters, _lang()], "responses": {"200": ok, **_errors(*errors)}}
    if public:
        op["security"] = []
    return op


def paths() -> dict[str, dict]:
    """Every route of the api blueprint, under its full path (the server is the site's root)."""
    iteration = _id("iteration_id", _("回(イテレーション)の ID。"))
    service = _id("service_id", _("サービスの ID。"))
    task = _query("task", _("この課題(タスク)の ID に絞ります。"))
    link = {"Link": {"description": _("次と前のページ(RFC 8288)。"), "schema": STR}}
    ops = {
        "/openapi.json": _operation(
            "openapi", _("この API の説明(OpenAPI 3.1)"), _("ログインは不要です。"), {"type": "object"},
            public=True, errors=()),
        "/docs": _operation(
            "docs", _("この API の説明(人が読むページ)"), _("ログインは不要です。"), {}, public=True, errors=(),
            content={"text/html": {"schema": STR}}),
        "/services": _operation(
            "listServices", _("見られるサービスとその回の一覧"), _("ページ分けされます(page, per_page)。"),
            {"allOf": [_ref("Page"), _obj({"services": {"type": "array", "items": _ref("ServiceSummary")}})]},
            parameters=tuple(_paging()), errors=(400, 401, 503), headers=link),
        "/iterations/{iteration_id}/report": _operation(
            "iterationReport", _("回の結果(課題ごとと全体)"),
            _("完了率、不便率、時間、SEQ、アンケートのスコアと信頼区間。"), _ref("IterationReport"),
            parameters=(iteration,), errors=(401, 404, 503)),
        "/iterations/{iteration_id}/segments": _operation(
            "iterationSegments", _("属性ごとの完了率と不便率"),
            _("k 人未満のセルは伏せます(n と率が null)。"), _ref("Segments"),
            parameters=(iteration,), errors=(401, 404, 503)),
        "/iterations/{iteration_id}/dashboard": _operation(
            "iterationDashboard", _("ダッシュボードの数値一式"),
            _("比較する回、属性を示す課題を選べます。"), _ref("Dashboard"),
            parameters=(iteration, _query("base", _("比較する同じサービスの別の回の ID。0 で比較なし、省略時は前の回。"),
                                          minimum=0), task),
            errors=(400, 401, 404, 503)),
        "/iterations/{iteration_id}/areas": _operation(
            "iterationAreas", _("市区町村ごとの参加者数と不便率"), _("伏せる前の数です。"), _ref("Areas"),
            parameters=(iteration, task), errors=(400, 401, 404, 503)),
        "/services/{service_id}/compare": _operation(
            "serviceCompare", _("2つの回の比較"), _("差は candidate − base です。base と candidate は別の回にしてください。"),
            _ref("Comparison"),
            parameters=(service, _query("base", _("基準の回の ID。"), required=True),
                        _query("candidate", _("比べる回の ID。"), required=True)),
            errors=(400, 401, 404, 503)),
        "/services/{service_id}/trend": _operation(
            "serviceTrend", _("サービスの回ごとの推移"), _("全課題をまとめた完了率、不便率、アンケートの平均。"),
            _ref("Trend"), parameters=(service,), errors=(401, 404, 503)),
        "/services/{service_id}/feedback": _operation(
            "serviceFeedback", _("公開中のサービスのご意見フォームの集計（回ごと）"),
            _("回答数、満足(5段階の4か5)の割合と Wilson の95%信頼区間、平均と t 区間、やりたかったことができたか。"
              "回答は、その時点で開始日を過ぎた最新の回に数えます。自由記述は含みません。"),
            _ref("Feedback"), parameters=(service,), errors=(401, 404, 503)),
        "/overview": _operation(
            "overview", _("部署をまたいだ概要"), _("各サービスの最新の回と前の回の比較、未解決の課題。ページ分けされます。"),
            {"allOf": [_ref("Page"), _obj({"services": {"type": "array", "items": _ref("OverviewEntry")}})]},
            parameters=tuple(_paging()), errors=(400, 401, 503), headers=link),
        "/surveys": _operation(
            "listSurveys", _("見られる調査とその回の一覧"), _("ページ分けされます(page, per_page)。"),
            {"allOf": [_ref("Page"), _obj({"surveys": {"type": "array", "items": _ref("SurveySummary")}})]},
            parameters=tuple(_paging()), errors=(400, 401, 503), headers=link),
        "/surveys/{survey_id}/waves/{wave_id}/results": _operation(
            "surveyWaveResults", _("調査の回の結果(設問ごと、組織ごと、職層ごと)"),
            _("結果のページと同じ数値です。回答者が SURVEY_SUPPRESSION_K 人未満の組織と職層は伏せ"
              "(shown が false、数値が null)、上位の組織にまとめます。前の回との比較を含みます。"),
            _ref("SurveyWaveResults"),
            parameters=(_id("survey_id", _("調査の ID。")), _id("wave_id", _("調査の回の ID。")),
                        _query("item", _("組織ごとの数値をこの設問だけにします(省略時はすべての設問)。"))),
            errors=(400, 401, 404, 503)),
        "/surveys/{survey_id}/waves/{wave_id}/unit-changes": _operation(
            "surveyWaveUnitChanges", _("組織ごとの前の回からの変化"),
            _("結果のページの組織別の変化の表と同じ数値です。両方の回で回答者が SURVEY_SUPPRESSION_K 人以上の組織だけを"
              "比べ(各回の秘匿のとおり)、ほかの組織は not_compared に上位の組織(into、null は組織全体)とともに"
              "示します。設問ごとに、比べた組織の数で Holm 法の補正をします。前の回がなければ 404 です。"),
            _ref("SurveyUnitChanges"),
            parameters=(_id("survey_id", _("調査の ID。")), _id("wave_id", _("調査の回の ID。")),
                        _query("item", _("この設問だけにします(省略時は5段階の設問すべて)。"))),
            errors=(400, 401, 404, 503)),
        "/panel": _operation(
            "panelSummary", _("テスターパネルの数値"),
            _("登録者数(状態ごと)、月ごとの登録と退会、見られるセッションの招待ごとの回答率。個人のデータは含みません。"),
            _ref("PanelSummary"), errors=(401, 403, 503)),
        "/panel/sessions/{session_id}": _operation(
            "panelSession", _("セッションのパネルの数値"),
            _("招待ごとの回答率と、割り当ての区分ごとの目標・登録者・参加者の割合。k 人未満の区分"
              "(と、それを割り出せる区分)は伏せます(数と割合が null)。"),
            _ref("PanelSession"), parameters=(_id("session_id", _("セッションの ID。")),), errors=(401, 403, 404, 503)),
    }
    return {PREFIX + path: {"get": op} for path, op in ops.items()}


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document, in the request's language."""
    return {
        "openapi": "3.1.0",
        "info": {"title": _("civictest API"), "version": VERSION,
                 "description": _("ページと同じ数値を JSON で返します。スタッフのログインセッションか、"
                                  "`flask users token` で発行したトークン(Authorization: Bearer)が必要です。"
                                  "メッセージの言語は ?lang= か Accept-Language で選べます(ja, en)。")},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"staffSession": []}],
        "paths": paths(),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": _("flask --app app users token --email E で発行します。")},
                "staffSession": {"type": "apiKey", "in": "cookie", "name": current_app.config["SESSION_COOKIE_NAME"],
                                 "description": _("サイトにログインしたスタッフのセッション。")}},
            "schemas": schemas(),
        },
    }


def operations(doc: dict) -> list[dict]:
    """The document's operations in order, for the page: path, method, the operation, and each response's
    schema name ("IterationReport") where it is a reference."""
    out = []
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            responses = [{"status": status, "description": response["description"],
                          "media_type": next(iter(response.get("content", {})), ""),
                          "schema": _schema_name(next(iter(response.get("content", {}).values()), {}).get("schema"))}
                         for status, response in op["responses"].items()]
            out.append({"path": path, "method": method.upper(), **op, "response_list": responses,
                        "public": op.get("security") == []})
    return out


def _schema_name(schema: dict | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    return " + ".join(_schema_name(part) or "{…}" for part in schema.get("allOf", [])) or schema.get("type", "")
