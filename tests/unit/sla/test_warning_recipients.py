"""Who hears of SLA warnings (caredesk.sla.recipients): the assignee and the group's members as the policy says,
each recipient once per sweep with all their warnings."""

from caredesk.sla.recipients import ALWAYS, NEVER, WHEN_UNASSIGNED, Warning, by_recipient, recipients

MEMBERS = {10: [1, 2, 3]}


def test_always_tells_the_assignee_first_then_the_other_members():
    assert recipients(Warning("a", 2, 10, ALWAYS), MEMBERS) == [2, 1, 3]


def test_an_unassigned_ticket_tells_its_groups_members():
    assert recipients(Warning("a", None, 10, WHEN_UNASSIGNED), MEMBERS) == [1, 2, 3]


def test_when_unassigned_leaves_the_group_out_of_an_assigned_ticket():
    assert recipients(Warning("a", 7, 10, WHEN_UNASSIGNED), MEMBERS) == [7]


def test_never_tells_only_the_assignee_and_nobody_when_unassigned():
    assert recipients(Warning("a", 7, 10, NEVER), MEMBERS) == [7]
    assert recipients(Warning("a", None, 10, NEVER), MEMBERS) == []


def test_no_group_or_an_empty_group_tells_only_the_assignee():
    assert recipients(Warning("a", 7, None, ALWAYS), MEMBERS) == [7]
    assert recipients(Warning("a", 7, 11, ALWAYS), MEMBERS) == [7]


def test_no_floods_a_group_of_20_with_50_warnings_is_20_recipients_each_with_all_50():
    members = {10: list(range(1, 21))}
    found = by_recipient([Warning(index, None, 10) for index in range(50)], members)
    assert sorted(found) == list(range(1, 21))
    assert all(keys == list(range(50)) for keys in found.values())


def test_an_assignee_who_is_also_a_member_is_one_recipient_listing_each_warning_once():
    found = by_recipient([Warning("x", 2, 10), Warning("y", None, 10), Warning("z", 5, None)], MEMBERS)
    assert found == {2: ["x", "y"], 1: ["x", "y"], 3: ["x", "y"], 5: ["z"]}
