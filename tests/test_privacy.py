"""Tests for civictest.privacy: PII scrubbing of resident text and small-cell suppression."""
from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd
import pytest

from civictest.privacy import MARKERS, Scrubbed, scrub_pii, suppress_small_cells

# --- scrub_pii: what must be redacted ---------------------------------------------------------------

MUST_REDACT = [
    # phone: Japanese formats
    ("電話は03-1234-5678です", "電話は[電話番号]です", "phone"),
    ("携帯090-1234-5678に連絡ください", "携帯[電話番号]に連絡ください", "phone"),
    ("フリーダイヤル0120-123-456まで", "フリーダイヤル[電話番号]まで", "phone"),
    ("0800-123-4567", "[電話番号]", "phone"),
    ("ナビダイヤル 0570-123-456", "ナビダイヤル [電話番号]", "phone"),
    ("IP電話 050-1234-5678", "IP電話 [電話番号]", "phone"),
    ("大阪 06 6123 4567", "大阪 [電話番号]", "phone"),
    ("(03)1234-5678", "[電話番号]", "phone"),
    ("03(1234)5678", "[電話番号]", "phone"),
    ("09012345678", "[電話番号]", "phone"),
    ("tel:0312345678", "tel:[電話番号]", "phone"),
    ("携帯 ０９０－１２３４－５６７８ まで", "携帯 [電話番号] まで", "phone"),
    ("０３ー１２３４ー５６７８", "[電話番号]", "phone"),
    ("090ー1234ー5678", "[電話番号]", "phone"),
    ("03-1234-5678(代表)", "[電話番号](代表)", "phone"),
    ("代表(03-1234-5678)", "代表([電話番号])", "phone"),
    ("(03) 1234-5678", "[電話番号]", "phone"),
    ("03-1234-5678 3回かけた", "[電話番号] 3回かけた", "phone"),
    # phone: international
    ("+81 90 1234 5678", "[電話番号]", "phone"),
    ("+81-3-1234-5678", "[電話番号]", "phone"),
    ("+81 (0)3 1234 5678", "[電話番号]", "phone"),
    ("+819012345678", "[電話番号]", "phone"),
    ("Call me on +81 90 1234 5678 tomorrow", "Call me on [電話番号] tomorrow", "phone"),
    ("Call +1 415 555 0100 now", "Call [電話番号] now", "phone"),
    ("UK office +44 20 7946 0958.", "UK office [電話番号].", "phone"),
    # e-mail
    ("連絡先: taro.yamada@example.co.jp まで", "連絡先: [メールアドレス] まで", "email"),
    ("メールはhanako+civic@city.koto.lg.jpです", "メールは[メールアドレス]です", "email"),
    ("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "[メールアドレス]", "email"),
    ("Email me at John.Smith@Example.COM, thanks", "Email me at [メールアドレス], thanks", "email"),
    # My Number (12 digits, 4-4-4)
    ("マイナンバーは123456789012です", "マイナンバーは[個人番号]です", "my_number"),
    ("番号 1234 5678 9012", "番号 [個人番号]", "my_number"),
    ("1234-5678-9012", "[個人番号]", "my_number"),
    ("１２３４　５６７８　９０１２", "[個人番号]", "my_number"),
    # postal codes
    ("〒160-0023", "[郵便番号]", "postal_code"),
    ("〒 160-0023 東京都", "[郵便番号] 東京都", "postal_code"),
    ("〒1600023", "[郵便番号]", "postal_code"),
    ("郵便番号は123-4567です", "郵便番号は[郵便番号]です", "postal_code"),
    ("郵便番号：1600023", "郵便番号：[郵便番号]", "postal_code"),
    ("〒１６０－００２３", "[郵便番号]", "postal_code"),
    # street addresses
    ("東京都新宿区西新宿2丁目8番1号に住んでいます", "[住所]に住んでいます", "address"),
    ("新宿区西新宿2丁目8番1号", "[住所]", "address"),
    ("自宅は西新宿二丁目8-1です", "自宅は[住所]です", "address"),
    ("新宿区西新宿2-8-1", "[住所]", "address"),
    ("港区六本木6-10-1", "[住所]", "address"),
    ("大阪市北区梅田3-1-1 梅田ビル", "[住所] 梅田ビル", "address"),
    ("千代田区霞が関1-3-1", "[住所]", "address"),
    ("新宿区西新宿2-8", "[住所]", "address"),
    ("本町123番地", "[住所]", "address"),
    ("横浜市中区本町6丁目50番地の10", "[住所]", "address"),
    ("札幌市中央区北1条西2丁目", "[住所]", "address"),
    ("西新宿２丁目８番１号", "[住所]", "address"),
    ("住所は三丁目です", "住所は[住所]です", "address"),
    ("I live at 1-2-3 Nishi-Shinjuku", "I live at [住所]", "address"),
    ("Apt 3, 1-2-3 Nishi-Shinjuku, Shinjuku-ku", "[住所]", "address"),
    ("2-chome 8-1 near the station", "[住所] near the station", "address"),
]


# Issue 17 (attack review): numbers and addresses written so that the first patterns missed them.
MUST_REDACT_EVASIONS = [
    ("携帯090〜1234〜5678です", "携帯[電話番号]です", "phone"),
    ("090～1234～5678", "[電話番号]", "phone"),
    ("090・1234・5678", "[電話番号]", "phone"),
    ("090･1234･5678", "[電話番号]", "phone"),
    ("電話 090 - 1234 - 5678 まで", "電話 [電話番号] まで", "phone"),
    ("03 〜 1234 〜 5678", "[電話番号]", "phone"),
    ("090\u200b1234\u200b5678", "[電話番号]", "phone"),
    ("090-\u200c1234-\u200d5678", "[電話番号]", "phone"),
    ("09\u20600\ufeff1234\u200b5678に", "[電話番号]に", "phone"),
    ("〇九〇-一二三四-五六七八", "[電話番号]", "phone"),
    ("電話は〇三ー一二三四ー五六七八です", "電話は[電話番号]です", "phone"),
    ("〇九〇一二三四五六七八", "[電話番号]", "phone"),
    ("0 9 0 1 2 3 4 5 6 7 8", "[電話番号]", "phone"),
    ("番号は ０ ９ ０ １ ２ ３ ４ ５ ６ ７ ８ です", "番号は [電話番号] です", "phone"),
    ("東陽4の11の28", "[住所]", "address"),
    ("江東区東陽4の11の28に住んでいます", "[住所]に住んでいます", "address"),
    ("東陽四の十一の二十八", "[住所]", "address"),
    ("東陽4の11の28号", "[住所]", "address"),
]


@pytest.mark.parametrize(("text", "expected", "kind"), MUST_REDACT + MUST_REDACT_EVASIONS)
def test_redacts_personal_data(text: str, expected: str, kind: str) -> None:
    result = scrub_pii(text)
    assert result.text == expected
    assert result.redactions == (kind,)
    assert result.redacted


MUST_SURVIVE = [
    "2026-11-26に実施しました",
    "2026年11月26日",
    "令和8年11月26日(木)",
    "2026/11/26 10:30",
    "10:30開始、12:00-13:00は休憩",
    "2026-11-26T10:30:00+09:00",
    "手数料は3,000円でした",
    "価格1,000-2,000円",
    "100-1000円の範囲",
    "3回目でやっと送信できた",
    "参加者12名、うち3名が失敗",
    "完了率は80%でした",
    "完了率は８０％でした",
    "改善率 +15.3%",
    "差は-0.12",
    "score +12 points",
    "バージョン1.2.3で確認",
    "v1.2.3",
    "iOS 17.1.2 / Android 14",
    "build 1.2.3-rc1",
    "受付番号 12345678",
    "受付番号: A12345678",
    "R-2026-0012",
    "0000000001",
    "1234-5678",
    "手順1-2-3がわかりにくい",
    "タスク2-1-3で迷った",
    "画面2-1-1のボタン",
    "第2-3-4条",
    "問2-1",
    "市役所1-2階",
    "7-11で買った",
    "1-2-3",
    "新宿三丁目駅で乗り換え",
    "3番目の画面",
    "第3号",
    "2026年度の予算は1,234,567,890円",
    "4111 1111 1111 1111",
    "Meeting at 10:30 on 2026-11-26, costs $3,000, 45% done",
    "Steps 1-2 were easy",
    "@mention や #タグ は残す",
    "",
    "住所を入力する欄がわかりにくかった",
    # issue 17: the looser phone and address patterns must not take ordinary text
    "10時30分に始めました",
    "2026年12月5日に参加",
    "手数料は1,200円",
    "T4で迷った",
    "タスクT4とT5",
    "10〜20分かかった",
    "0〜10点で評価",
    "100〜2000件",
    "1・2・3の順に押した",
    "5・6月の予約",
    "評価は 0 1 2 3 4 5 6 7 8 9 10 から選ぶ",
    "0 1 2 3 4 5 6 7 8 9",
    "二三日かかった",
    "五六人で来た",
    "一二三四五",
    "その1の2の3を読んだ",
    "手順1の2の3がわかりにくい",
    "設問3の1の2",
    "資料2の1の3を見た",
    "第1の2の3",
    "0.5・1.2・3.4",
    "ver 0.9.1",
    "一つ目と三つ目",
]


@pytest.mark.parametrize("text", MUST_SURVIVE)
def test_does_not_over_redact(text: str) -> None:
    result = scrub_pii(text)
    assert result == Scrubbed(text, ())
    assert not result.redacted


def test_several_kinds_listed_in_order_of_first_appearance() -> None:
    text = "〒160-0023 東京都新宿区西新宿2-8-1 TEL 03-5321-1111 mail: a.b@example.jp 090-1111-2222"
    result = scrub_pii(text)
    assert result.text == "[郵便番号] [住所] TEL [電話番号] mail: [メールアドレス] [電話番号]"
    assert result.redactions == ("postal_code", "address", "phone", "email")


def test_text_outside_matches_keeps_its_width() -> None:
    result = scrub_pii("ＡＢＣ社の窓口（０３－１２３４－５６７８）は１０時から")
    assert result.text == "ＡＢＣ社の窓口（[電話番号]）は１０時から"


def test_digits_inside_email_are_not_a_phone() -> None:
    result = scrub_pii("taro09012345678@example.jp")
    assert result.text == "[メールアドレス]"
    assert result.redactions == ("email",)


def test_zero_width_characters_inside_a_number_go_with_it() -> None:
    result = scrub_pii("電話\u200b090\u200b1234\u200b5678\u200bです")
    assert result.text == "電話\u200b[電話番号]\u200bです"


def test_scrubbing_is_idempotent() -> None:
    once = scrub_pii("連絡は090-1234-5678かtaro@example.jpへ。住所は西新宿2丁目8番1号")
    twice = scrub_pii(once.text)
    assert twice.text == once.text
    assert not twice.redacted


def test_no_sensitive_digits_survive_in_mixed_text() -> None:
    text = "私の電話は０９０－１２３４－５６７８、マイナンバーは1234 5678 9012です"
    result = scrub_pii(text)
    for fragment in ("1234", "5678", "9012", "０９０"):
        assert fragment not in result.text


def test_scrubbed_is_frozen_and_markers_are_japanese() -> None:
    result = scrub_pii("090-1234-5678")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]
    assert set(MARKERS) == {"phone", "email", "my_number", "postal_code", "address"}


def test_rejects_non_text() -> None:
    with pytest.raises(TypeError):
        scrub_pii(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["新宿" * 5000, "新宿の" * 3000, "a" * 10000, "1-" * 5000, "二丁" * 5000,
                                  "0 " * 5000, "0・" * 5000, "〇九" * 5000, "東陽4の" * 3000, "\u200b0" * 5000])
def test_long_pathological_text_is_fast(text: str) -> None:
    started = time.perf_counter()
    scrub_pii(text)
    assert time.perf_counter() - started < 1.0


# --- suppress_small_cells --------------------------------------------------------------------------


def _cells(counts: list[int], task: str = "T1") -> pd.DataFrame:
    return pd.DataFrame({"task": task, "outcome": [f"o{i}" for i in range(len(counts))], "n": counts})


def test_primary_suppression_blanks_count_and_values() -> None:
    table = pd.DataFrame({"band": ["20代", "30代", "40代"], "n": [12, 3, 9], "rate": [0.5, 1.0, 0.3]})
    out = suppress_small_cells(table, "n", k=5, value_cols=["rate"])
    assert out["suppressed"].tolist() == [False, True, True]  # 3 primary, 9 complement
    assert out["n"].isna().tolist() == [False, True, True]
    assert out["rate"].isna().tolist() == [False, True, True]
    assert out.loc[0, "n"] == 12 and out.loc[0, "rate"] == 0.5


def test_secondary_suppression_picks_next_smallest_in_group() -> None:
    table = _cells([20, 2, 7, 9])
    out = suppress_small_cells(table, "n", k=5, group_cols=["task"])
    assert out["suppressed"].tolist() == [False, True, True, False]
    # The hidden cell cannot be recovered by subtracting the published cells from the total.
    assert out["n"].sum() == 29 and table["n"].sum() == 38


def test_secondary_suppression_is_per_group() -> None:
    table = pd.concat([_cells([20, 2, 7], "T1"), _cells([20, 30, 7], "T2")], ignore_index=True)
    out = suppress_small_cells(table, "n", k=5, group_cols=["task"])
    assert out["suppressed"].tolist() == [False, True, True, False, False, False]


def test_two_hidden_cells_summing_below_k_get_a_complement() -> None:
    out = suppress_small_cells(_cells([1, 1, 8, 30]), "n", k=5, group_cols=["task"])
    assert out["suppressed"].tolist() == [True, True, True, False]


def test_two_hidden_cells_summing_to_k_need_no_complement() -> None:
    out = suppress_small_cells(_cells([1, 4, 8, 30]), "n", k=5, group_cols=["task"])
    assert out["suppressed"].tolist() == [True, True, False, False]


def test_k_boundary_k_minus_one_hidden_k_shown() -> None:
    out = suppress_small_cells(_cells([4, 5, 6]), "n", k=5, group_cols=["task"])
    assert out["suppressed"].tolist() == [True, True, False]  # 4 primary, 5 complement
    out = suppress_small_cells(_cells([5, 6, 7]), "n", k=5)
    assert not out["suppressed"].any()
    out = suppress_small_cells(_cells([2, 3, 10]), "n", k=3, group_cols=["task"])
    assert out["suppressed"].tolist() == [True, True, False]  # 2 primary (k=3), 3 complement


def test_nothing_suppressed_keeps_every_value() -> None:
    table = _cells([5, 10, 0, 40])
    out = suppress_small_cells(table, "n", k=5, group_cols=["task"])
    assert not out["suppressed"].any()
    assert out["n"].tolist() == [5, 10, 0, 40]


def test_all_suppressed() -> None:
    out = suppress_small_cells(_cells([1, 2, 4]), "n", k=5, group_cols=["task"])
    assert out["suppressed"].all()
    assert out["n"].isna().all()


def test_never_zero_for_hidden_cells() -> None:
    table = _cells([3, 0, 50, 7])
    out = suppress_small_cells(table, "n", k=5, group_cols=["task"])
    hidden = out[out["suppressed"]]
    assert hidden["n"].isna().all()
    assert not (hidden["n"].fillna(-1) == 0).any()
    assert str(out["n"].dtype) == "Int64"


def test_zero_cells_are_published_and_never_used_as_complements() -> None:
    out = suppress_small_cells(_cells([3, 0, 0, 50]), "n", k=5, group_cols=["task"])
    assert out["n"].tolist()[1:3] == [0, 0]
    assert out["suppressed"].tolist() == [True, False, False, True]


def test_single_positive_cell_has_no_complement() -> None:
    out = suppress_small_cells(_cells([3, 0, 0]), "n", k=5, group_cols=["task"])
    assert out["suppressed"].tolist() == [True, False, False]


def test_ties_pick_the_first_row() -> None:
    out = suppress_small_cells(_cells([2, 9, 9, 9]), "n", k=5, group_cols=["task"])
    assert out["suppressed"].tolist() == [True, True, False, False]


def test_both_margins_of_a_two_way_table() -> None:
    table = pd.DataFrame(
        {
            "task": ["T1", "T1", "T2", "T2"],
            "band": ["20代", "70代", "20代", "70代"],
            "n": [30, 2, 25, 40],
        }
    )
    by_task = suppress_small_cells(table, "n", group_cols=["task"])
    assert by_task["suppressed"].tolist() == [True, True, False, False]
    both = suppress_small_cells(table, "n", group_cols=["task"], also_group_by=[["band"]])
    assert both["suppressed"].tolist() == [True, True, True, True]
    for cols in (["task"], ["band"]):  # no margin leaves a single hidden cell
        assert (both.groupby(cols)["suppressed"].sum() != 1).all()


def test_input_is_not_modified() -> None:
    table = _cells([2, 9, 20])
    before = table.copy()
    suppress_small_cells(table, "n", group_cols=["task"])
    pd.testing.assert_frame_equal(table, before)


def test_missing_counts_stay_missing_and_unflagged() -> None:
    table = pd.DataFrame({"n": [np.nan, 10.0, 20.0], "mean": [np.nan, 5.1, 4.2]})
    out = suppress_small_cells(table, "n", value_cols=["mean"])
    assert not out["suppressed"].any()
    assert np.isnan(out.loc[0, "n"]) and out.loc[1, "mean"] == 5.1


def test_integer_value_columns_become_nullable() -> None:
    table = pd.DataFrame({"n": [2, 10, 20], "completed": [1, 8, 19]})
    out = suppress_small_cells(table, "n", value_cols=["completed"])
    assert str(out["completed"].dtype) == "Int64"
    assert out["completed"].isna().tolist() == [True, True, False]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"count_col": "missing"}, KeyError),
        ({"count_col": "n", "group_cols": ["nope"]}, KeyError),
        ({"count_col": "n", "value_cols": ["nope"]}, KeyError),
        ({"count_col": "n", "k": 0}, ValueError),
        ({"count_col": "n", "k": 2.5}, ValueError),
    ],
)
def test_bad_arguments(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        suppress_small_cells(_cells([1, 2]), **kwargs)


def test_negative_counts_and_second_pass_are_rejected() -> None:
    with pytest.raises(ValueError):
        suppress_small_cells(_cells([-1, 9]), "n")
    once = suppress_small_cells(_cells([1, 9]), "n")
    with pytest.raises(ValueError):
        suppress_small_cells(once, "n")


def test_duplicate_index_labels_and_missing_group_keys() -> None:
    table = pd.DataFrame({"g": ["a", "a", None, None], "n": [12, 10, 30, 1]}, index=[10, 10, 5, 7])
    out = suppress_small_cells(table, "n", group_cols=["g"])
    assert out["suppressed"].tolist() == [False, False, True, True]
    assert out["n"].tolist()[:2] == [12, 10] and out["n"].isna().tolist()[2:] == [True, True]
