"""SOP 001: which channels an attempt uses, and sending them automatically through the outbox."""

from dataclasses import replace

from caredesk.playbooks.engine import DONE, CreateTask, PlannedChannel, QueueMessage, TicketFacts, plan_channels
from caredesk.playbooks.spec import AddInternalNote, SetStatus

EMAIL = "pat@example.com"
PHONE = "+12125550100"
FOUND = "+13105550123"


def channels(**facts):
    return [(planned.channel, planned.to) for planned in plan_channels(TicketFacts("general_inquiry", **facts))]


def test_linked_order_means_email_call_and_text():
    assert channels(has_linked_order=True, customer_emails=(EMAIL,), customer_phones=(PHONE,)) == [
        ("email", (EMAIL,)),
        ("call", (PHONE,)),
        ("text", (PHONE,)),
    ]


def test_linked_order_without_contact_data_still_lists_all_three_for_the_agent_to_look_up():
    assert channels(has_linked_order=True) == [("email", ()), ("call", ()), ("text", ())]


def test_no_order_and_a_number_only_means_call_and_text():
    assert channels(customer_phones=(PHONE,)) == [("call", (PHONE,)), ("text", (PHONE,))]


def test_no_order_and_an_email_only_means_email():
    assert channels(customer_emails=(EMAIL,)) == [("email", (EMAIL,))]


def test_a_number_inside_the_customers_email_means_call_and_text_to_that_number():
    assert channels(customer_emails=(EMAIL,), phones_in_customer_emails=(FOUND,)) == [
        ("call", (FOUND,)),
        ("text", (FOUND,)),
    ]


def test_email_and_phone_on_file_without_order_uses_every_channel():
    assert channels(customer_emails=(EMAIL,), customer_phones=(PHONE,), phones_in_customer_emails=(FOUND, PHONE)) == [
        ("email", (EMAIL,)),
        ("call", (PHONE, FOUND)),
        ("text", (PHONE, FOUND)),
    ]


def test_no_contact_data_plans_nothing_and_the_task_has_an_empty_checklist(playbooks, drive, ny):
    assert channels() == []
    run = drive(playbooks["general_inquiry_follow_up"], TicketFacts("general_inquiry"), ny(2025, 6, 2, 9))
    assert run.tasks()[0].channels == ()


def test_channels_are_planned_from_the_facts_at_each_attempt(playbooks, drive, ny):
    run = drive(playbooks["general_inquiry_follow_up"], TicketFacts("general_inquiry", customer_emails=(EMAIL,)), ny(2025, 6, 2, 9))
    run.facts = replace(run.facts, has_linked_order=True)
    run.tick(ny(2025, 6, 4, 9))
    assert [planned.channel for planned in run.tasks()[-1].channels] == ["email", "call", "text"]


def automatic(playbooks, *pairs):
    return replace(playbooks["general_inquiry_follow_up"], send_automatically=pairs)


def test_automatic_email_and_text_are_queued_and_the_call_stays_with_the_agent(playbooks, drive, ny):
    playbook = automatic(playbooks, ("email", "follow_up_email"), ("text", "follow_up_text"))
    facts = TicketFacts("general_inquiry", has_linked_order=True, customer_emails=(EMAIL,), customer_phones=(PHONE,))
    run = drive(playbook, facts, ny(2025, 6, 2, 9))
    assert run.actions[:2] == [
        QueueMessage("cycle-1/day-1/email", "email", "follow_up_email", (EMAIL,)),
        QueueMessage("cycle-1/day-1/text", "text", "follow_up_text", (PHONE,)),
    ]
    task = run.actions[2]
    assert isinstance(task, CreateTask) and task.channels == (PlannedChannel("call", (PHONE,)),)
    run.complete(ny(2025, 6, 2, 10), channels=("call",))
    assert run.state.attempts[0].channels_tried == ("call", "email", "text")


def test_an_attempt_sent_entirely_automatically_counts_as_done_and_not_reached(playbooks, drive, ny):
    playbook = automatic(playbooks, ("email", "follow_up_email"))
    run = drive(playbook, TicketFacts("general_inquiry", customer_emails=(EMAIL,)), ny(2025, 6, 2, 9))
    assert run.actions == [
        QueueMessage("cycle-1/day-1/email", "email", "follow_up_email", (EMAIL,)),
        AddInternalNote("1/3"),
        SetStatus("pending"),
    ]
    (attempt,) = run.state.attempts
    assert attempt.status == DONE and attempt.reached is False and attempt.channels_tried == ("email",)
    assert run.state.open_tasks == ()


def test_a_reply_to_an_automatic_email_ends_the_run(playbooks, drive, ny):
    run = drive(automatic(playbooks, ("email", "t")), TicketFacts("general_inquiry", customer_emails=(EMAIL,)), ny(2025, 6, 2, 9))
    assert run.send("customer_reply", ny(2025, 6, 2, 12))[-1].outcome == "customer_reached"
