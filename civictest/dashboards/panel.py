"""The panel page's picture (pure): members and participants of a study against its target shares."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from civictest import charts
from civictest.dashboards.figures import chart_text
from civictest.dashboards.verdicts import N_, Gettext, identity

T = {"title": N_("対象者の構成と目標の比較"),
     "desc": N_("割り当ての区分ごとに、目標の割合、パネル登録者の割合、このテストの参加者（パネル経由）の割合を比べます。"),
     "target": N_("目標"), "members": N_("登録者"), "participants": N_("参加者")}


def _point(value: float | None) -> dict | None:
    return None if value is None else {"value": value * 100.0}


def composition_chart(rows: Sequence[Mapping], label: callable = str, gettext: Gettext = identity,
                      chart_id: str = "chart-panel-composition") -> dict:
    """rows from reporting.panel.composition; `label` names a cell for people ("40代・パソコン")."""
    categories = [label(row["cell"]) for row in rows]
    series = [{"name": gettext(T[name]), "values": [_point(row[key]) for row in rows]}
              for name, key in (("target", "target_share"), ("members", "member_share"),
                                ("participants", "participant_share"))]
    return charts.bar_chart_with_intervals(gettext(T["title"]), gettext(T["desc"]), categories, series, unit="%",
                                           max_value=100.0, text=chart_text(gettext), chart_id=chart_id)
