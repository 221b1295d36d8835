"""Tables for staff downloads: raw pseudonymous attempts and comments, and an iteration comparison.

Pure: plain rows or report dicts in, DataFrames with Japanese column names out (writers in exporting/writers.py).
Raw rows carry a per-iteration pseudonym (P0001 ...) and never a profile field: age band, municipality,
device or assistive technology next to an answer could point at one person in a small group. The attempts
table uses the column names the importer recognises, so an export can be imported again as it is.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from civictest.exporting.writers import data_dictionary

OUTCOME_NAMES = {"success": "できた", "partial": "難しかったができた", "failure": "できなかった",
                 "abandoned": "あきらめた", "not_attempted": "実施しなかった"}
VERDICT_NAMES = {"improved": "改善", "worse": "悪化", "no_detectable_change": "変化は検出されず", "mixed": "改善と悪化が混在"}

# (Japanese name, physical name, type, description ja, description en)
ATTEMPT_COLUMNS = (
    ("参加者", "participant", "文字列", "この版の中での仮名（P0001…）", "Pseudonym within this iteration (P0001...)"),
    ("タスク番号", "task_no", "整数", "調査でのタスクの順番", "Task position in the study"),
    ("タスク名", "task_name", "文字列", "タスクの名前", "Task name"),
    ("結果コード", "outcome", "文字列", "success / partial / failure / abandoned / not_attempted", "Outcome code"),
    ("結果", "outcome_name", "文字列", "結果の名前", "Outcome name"),
    ("SEQ", "seq", "整数", "簡単さ（1〜7、空欄は回答なし）", "Ease 1-7 (blank: not answered)"),
    ("所要時間_秒", "seconds", "数値", "タスクにかかった秒数", "Time on task in seconds"),
    ("記録の種類", "source", "文字列", "self: 本人の回答、observer: 観察者の記録", "self: participant, observer: facilitator"),
    ("支援", "assistance", "文字列", "観察者の記録: none / hint / took_over", "Observer: none / hint / took_over"),
    ("コメント", "comment", "文字列", "試行へのコメント（個人情報は伏せ字）", "Comment on the attempt (personal data masked)"),
    ("感情", "sentiment", "文字列", "positive / neutral / negative / unscored", "Sentiment label of the comment"),
    ("取り込み元", "imported_from", "文字列", "取り込んだ試行のファイル", "File an imported attempt came from"),
)
COMMENT_COLUMNS = (
    ("参加者", "participant", "文字列", "この版の中での仮名（P0001…）", "Pseudonym within this iteration (P0001...)"),
    ("タスク番号", "task_no", "整数", "タスクの順番（空欄は全体の感想）", "Task position (blank: overall comment)"),
    ("タスク名", "task_name", "文字列", "タスクの名前", "Task name"),
    ("種類", "kind", "文字列", "task / overall / observer", "Comment kind"),
    ("コメント", "comment", "文字列", "コメント（個人情報は伏せ字）", "Comment (personal data masked)"),
    ("伏せ字", "redactions", "文字列", "伏せた個人情報の種類", "Kinds of personal data masked"),
    ("言語", "lang", "文字列", "ja / en", "Language"),
    ("感情", "sentiment", "文字列", "positive / neutral / negative / unscored", "Sentiment label"),
    ("感情スコア", "sentiment_score", "数値", "-1〜1", "Sentiment score -1..1"),
    ("タグ", "tags", "文字列", "付けたタグ（｜区切り）", "Tags (separated by ｜)"),
)


def pseudonyms(participant_ids: Iterable[int]) -> dict[int, str]:
    """P0001, P0002 ... in participant id order: stable within an iteration, meaningless outside it."""
    return {pid: f"P{rank:04d}" for rank, pid in enumerate(sorted(set(participant_ids)), 1)}


def attempts_table(rows: Iterable[Mapping[str, Any]], names: Mapping[int, str]) -> pd.DataFrame:
    """Rows with participant_id, position, title_ja, outcome, seq, seconds, source, assistance, comment,
    sentiment, imported_from -> the attempts sheet."""
    records = [[names[r["participant_id"]], r["position"], r["title_ja"], r["outcome"],
                OUTCOME_NAMES.get(r["outcome"], r["outcome"]), r["seq"], r["seconds"], r["source"],
                r.get("assistance"), r.get("comment"), r.get("sentiment"), r.get("imported_from")] for r in rows]
    frame = pd.DataFrame(records, columns=[c[0] for c in ATTEMPT_COLUMNS], dtype=object)
    for column in ("タスク番号", "SEQ"):
        frame[column] = frame[column].astype("Int64")
    return frame


def comments_table(rows: Iterable[Mapping[str, Any]], names: Mapping[int, str]) -> pd.DataFrame:
    """Rows with participant_id, position, title_ja, kind, text, redactions, lang, label, score, tags."""
    records = [[names[r["participant_id"]], r.get("position"), r.get("title_ja"), r["kind"], r["text"],
                r.get("redactions") or None, r.get("lang"), r.get("label"), r.get("score"),
                "｜".join(r.get("tags") or []) or None] for r in rows]
    frame = pd.DataFrame(records, columns=[c[0] for c in COMMENT_COLUMNS], dtype=object)
    frame["タスク番号"] = frame["タスク番号"].astype("Int64")
    return frame


def dictionary(columns: tuple[tuple[str, str, str, str, str], ...]) -> pd.DataFrame:
    return data_dictionary([{"name_ja": ja, "name_en": en, "type": kind, "description_ja": d_ja,
                             "description_en": d_en} for ja, en, kind, d_ja, d_en in columns])


COMPARISON_COLUMNS = (
    ("タスク番号", "task_no"), ("タスク名", "task_name"), ("指標コード", "metric"), ("指標名", "metric_name"),
    ("比較元_値", "base_value"), ("比較先_値", "candidate_value"), ("差または比", "difference"),
    ("差_種類", "difference_kind"), ("信頼区間_下限", "ci_low"), ("信頼区間_上限", "ci_high"),
    ("比較元_回答数", "n_base"), ("比較先_回答数", "n_candidate"), ("検定", "test"), ("p値", "p"),
    ("Holm補正p値", "holm_p"), ("判定", "verdict"), ("判定名", "verdict_name"),
    ("Holm補正後の判定", "holm_verdict"),
)


def _pair(ci: Any) -> tuple[Any, Any]:
    return (ci[0], ci[1]) if isinstance(ci, (list, tuple)) and len(ci) == 2 else (None, None)


def _rate_row(task: Mapping | None, metric: str, name: str, block: Mapping, n_base: Any, n_cand: Any,
              verdict: str | None = None, holm: Any = None, holm_verdict: str | None = None) -> list[Any]:
    """A rate comparison; p1 is the candidate and p2 the base (analysis.compare's order)."""
    low, high = _pair(block.get("diff_ci_agresti_caffo"))
    return [task and task["position"], task and task["title_ja"], metric, name, block.get("p2"), block.get("p1"),
            block.get("difference"), "差（比較先−比較元）", low, high, n_base, n_cand, block.get("recommended_test"),
            block.get("recommended_p"), holm, verdict, VERDICT_NAMES.get(verdict or ""), holm_verdict]


def _task_rows(task: Mapping) -> list[list[Any]]:
    nb, nc = task["n_base"], task["n_candidate"]
    seq, time = task["seq"], task["time"]
    seq_low, seq_high = _pair(seq.get("diff_ci"))
    time_low, time_high = _pair(time.get("ratio_ci"))
    return [
        _rate_row(task, "inconvenience_rate", "不便率", task["inconvenience"], nb, nc, task["verdict"],
                  task.get("holm_adjusted_p"), task.get("holm_verdict")),
        _rate_row(task, "completion_rate", "タスク完了率", task["completion"], nb, nc),
        [task["position"], task["title_ja"], "seq_mean", "SEQ平均", seq.get("mean_b"), seq.get("mean_a"),
         seq.get("difference"), "差（比較先−比較元）", seq_low, seq_high, None, None, "welch_t",
         seq.get("p_two_sided"), None, None, None, None],
        [task["position"], task["title_ja"], "time_geometric_mean", "所要時間_幾何平均", time.get("geomean_b"),
         time.get("geomean_a"), time.get("ratio_a_over_b"), "比（比較先÷比較元）", time_low, time_high, None, None,
         "welch_t_log", time.get("p_two_sided"), None, None, None, None],
    ]


def comparison_table(comparison: Mapping) -> pd.DataFrame:
    """compare_iterations(base, candidate) -> one row per task x metric, then the pooled and overall rows."""
    rows = [row for task in comparison["tasks"] for row in _task_rows(task)]
    overall = comparison["overall"]
    for metric, name in (("inconvenience_rate", "不便率（全タスク）"), ("completion_rate", "タスク完了率（全タスク）")):
        rows.append(_rate_row(None, metric, name, overall[metric.split("_")[0]], None, None,
                              overall[metric.split("_")[0]].get("verdict")))
    q = overall["questionnaire"]
    low, high = _pair(q["comparison"].get("diff_ci"))
    rows.append([None, None, f"{q['base'].get('kind', 'sus')}_mean", "質問票平均", q["base"].get("mean"),
                 q["candidate"].get("mean"), q["comparison"].get("difference"), "差（比較先−比較元）", low, high,
                 q["base"].get("n"), q["candidate"].get("n"), "welch_t", q["comparison"].get("p_two_sided"), None,
                 q.get("verdict"), VERDICT_NAMES.get(q.get("verdict") or ""), None])
    rows.append([None, None, "overall_verdict", "総合判定（Holm補正）"] + [None] * 11
                + [overall["verdict"], VERDICT_NAMES.get(overall["verdict"]), overall["verdict"]])
    frame = pd.DataFrame(rows, columns=[c[0] for c in COMPARISON_COLUMNS], dtype=object)
    frame["タスク番号"] = frame["タスク番号"].astype("Int64")
    return frame
