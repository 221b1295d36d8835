"""A fixed finding's page checks the fix by numbers: affected tasks, found-in vs fixed-in, in words."""
import re

from helpers import login

from civictest.extensions import db


def _block(html: str) -> str:
    start = html.find('<section class="fix-check"')
    return "" if start < 0 else html[start:html.index("</section>", start)]


def test_the_fixed_iteration_is_compared_with_the_one_the_finding_was_found_in(client, world, add_finding,
                                                                                add_attempts):
    add_attempts(world.first, 1, {("failure", 2): 16, ("success", 7): 4})   # 80% inconvenient, 20% complete
    add_attempts(world.second, 1, {("failure", 2): 2, ("success", 7): 18})  # 10% inconvenient, 90% complete
    add_attempts(world.first, 0, {("failure", 2): 20})  # another task: not affected, not shown
    add_attempts(world.second, 0, {("success", 7): 20})
    finding = add_finding(world.service, status="fixed", found_in=world.first, fixed_in_id=world.second.id)
    finding.tasks = [world.service.tasks[1]]
    db.session.commit()
    login(client, world.team)
    block = _block(client.get(f"/review/findings/{finding.id}").get_data(as_text=True))
    assert "第1版（発見）" in block and "第2版（修正）" in block
    assert "タスク2" in block and "タスク1" not in block
    assert re.search(r"改善: 80% → 10%（差の95%信頼区間 −\d+〜−\d+ポイント、n=20→20）", block), block
    assert re.search(r"改善: 20% → 90%（差の95%信頼区間 \d+〜\d+ポイント、n=20→20）", block)
    assert block.count("verdict-improved") == 2
    assert re.search(r"80%<br><span class=\"muted small\">\(\d+%〜\d+%\)</span>", block), "each rate has its interval"


def test_no_detectable_change_is_said_plainly(client, world, add_finding, add_attempts):
    add_attempts(world.first, 0, {("failure", 2): 5, ("success", 7): 5})
    add_attempts(world.second, 0, {("failure", 2): 4, ("success", 7): 6})
    finding = add_finding(world.service, status="verified", found_in=world.first, fixed_in_id=world.second.id,
                          verified_in_id=world.second.id)
    finding.tasks = [world.service.tasks[0]]
    db.session.commit()
    login(client, world.team)
    block = _block(client.get(f"/review/findings/{finding.id}").get_data(as_text=True))
    assert "変化は検出されず: 50% → 40%" in block and "verdict-improved" not in block


def test_english_page_words_the_verdict_in_english(client, world, add_finding, add_attempts):
    add_attempts(world.first, 1, {("failure", 2): 16, ("success", 7): 4})
    add_attempts(world.second, 1, {("failure", 2): 2, ("success", 7): 18})
    finding = add_finding(world.service, status="fixed", found_in=world.first, fixed_in_id=world.second.id)
    finding.tasks = [world.service.tasks[1]]
    db.session.commit()
    login(client, world.team)
    client.get("/?lang=en")
    block = _block(client.get(f"/review/findings/{finding.id}").get_data(as_text=True))
    assert "Task 2" in block and "80% → 10%" in block and "Improved" in block


def test_no_block_before_the_fix_and_a_note_without_affected_tasks(client, world, add_finding):
    planned = add_finding(world.service, status="planned")
    fixed = add_finding(world.service, status="fixed", fixed_in_id=world.second.id)
    login(client, world.team)
    assert _block(client.get(f"/review/findings/{planned.id}").get_data(as_text=True)) == ""
    block = _block(client.get(f"/review/findings/{fixed.id}").get_data(as_text=True))
    assert "影響するタスクが選ばれていません" in block and "<table>" not in block


def test_a_task_missing_from_one_iteration_is_named_not_compared(client, world, add_finding):
    from civictest.services import catalog

    catalog.set_study_tasks(world.second.study, [t.id for t in world.service.tasks[:2]])
    finding = add_finding(world.service, status="fixed", fixed_in_id=world.second.id)
    finding.tasks = [world.service.tasks[2]]
    db.session.commit()
    login(client, world.team)
    block = _block(client.get(f"/review/findings/{finding.id}").get_data(as_text=True))
    assert "両方の版で実施されていないため比べられません" in block and "タスク3" in block
