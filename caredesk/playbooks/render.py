"""A playbook as the day-by-day procedure a support manager wrote as their SOP."""

from __future__ import annotations

from caredesk.playbooks.spec import (
    ATTEMPT_FROM_CONTACT_DATA,
    AddInternalNote,
    Conditions,
    Escalation,
    Instruction,
    NewTask,
    Playbook,
    SetAssignee,
    SetFlag,
    SetGroup,
    SetOrderStatus,
    SetStatus,
    ValueMatch,
)

_TRIGGERS = {
    "ticket_pending": "the ticket is submitted as pending, waiting for the customer",
    "customer_email_on_ticket": "the customer emails into the ticket, open or closed",
    "escalation_agreed_to_wait": "a customer who asked to be escalated agrees to wait for an update",
    "escalation_voicemail": "nobody took an escalated customer's warm transfer: they leave a voicemail",
}
_EVENTS = {
    "escalation_requested": "an agent records that the customer asked to be escalated",
    "customer_reply": "the customer replies",
    "customer_new_email": "a new email from the customer is added",
    "call_answered": "a call with the customer is answered",
    "call_missed": "a missed call is added",
    "call_abandoned": "an abandoned call is added",
    "ticket_solved": "an agent solves the ticket",
    "ticket_closed": "an agent closes the ticket",
}
_OUTCOMES = {
    "unresponsive_closed": "closed as unresponsive",
    "bot_issue_handed_off": "handed to the bot-issue owner as unresponsive",
    "refund_escalation": "ready for refund escalation",
    "escalation_handed_over": "handed over for a case",
}
_CHANNEL_RULE = (
    "Channels of a follow-up attempt, from the contact data: with a linked order, email + call + text. "
    "No order linked: a phone number only, call + text; an email address only, email; a phone number "
    "in the customer's email, call + text to that number; both an email address and a phone number on "
    "file, email + call + text."
)


def _values(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else "one of " + ", ".join(values)


def _match(name: str, match: ValueMatch) -> str:
    label = name.replace("_", " ")
    if name == "tags":
        parts = [f"tagged {' or '.join(match.include)}"] if match.include else []
        parts += [f"not tagged {' or '.join(match.exclude)}"] if match.exclude else []
        return " and ".join(parts)
    parts = [f"{label} is {_values(match.include)}"] if match.include else []
    parts += [f"{label} is not {_values(match.exclude)}"] if match.exclude else []
    return " and ".join(parts)


def _conditions(alternatives: tuple[Conditions, ...]) -> str:
    if not alternatives:
        return "every ticket"
    described = [
        " and ".join(_match(name, match) for name, match in vars(conditions).items() if match is not None)
        for conditions in alternatives
    ]
    return "; or ".join(described)


def _instruction(instruction: Instruction, playbook: Playbook) -> str:
    if isinstance(instruction, AddInternalNote):
        return f'internal note "{instruction.text}"'
    if isinstance(instruction, SetStatus):
        return f"submit the ticket as {instruction.status.upper()}"
    if isinstance(instruction, SetGroup):
        return f'group "{instruction.group}"'
    if isinstance(instruction, SetAssignee):
        return "assignee: the working agent" if instruction.working_agent else f'assignee "{instruction.owner}"'
    if isinstance(instruction, SetOrderStatus):
        return f'order status "{instruction.order_status}"'
    if isinstance(instruction, SetFlag):
        return f"flag the ticket {instruction.flag}"
    return _new_task(instruction, playbook)


def _new_task(task: NewTask, playbook: Playbook) -> str:
    template = playbook.template_for(task.kind)
    if template:
        return f'send the {task.kind} automatically (template "{template}")'
    due = f", overdue after the end of day {task.overdue_at_end_of_day}" if task.overdue_at_end_of_day else ""
    return f'{task.kind} task "{task.title}", due now{due}'


def _attempt(kind: str, playbook: Playbook) -> str:
    if kind == ATTEMPT_FROM_CONTACT_DATA:
        text = "follow-up attempt on the channels the contact data allows (see Channels below)"
    else:
        text = "call the customer, due now; nothing is emailed first"
    automatic = [f"{channel} (template \"{template}\")" for channel, template in playbook.send_automatically]
    if automatic:
        text += "; sent automatically: " + ", ".join(automatic)
    return text


def _escalation(escalation: Escalation) -> list[str]:
    lines = [f"Asking to be escalated tags the ticket {escalation.tag}.",
             f'A customer who refuses to wait is told: "{escalation.say_before_transfer}", then warm transferred:']
    for number, rung in enumerate(escalation.transfer, start=1):
        lines.append(f"  {number}. a {rung.title} ({rung.role}, available, with the skill {rung.skill}) "
                     f"has {rung.answer_within_seconds} seconds to answer; a decline or no answer goes on")
    lines.append(f'  {len(escalation.transfer) + 1}. a voicemail, which becomes the task '
                 f'"{escalation.voicemail_callback_task}" for a {escalation.voicemail_callback_role}')
    return lines


def render_procedure(playbook: Playbook) -> str:
    """The playbook as plain text, day by day."""
    lines = [f"{playbook.title} ({playbook.name}, version {playbook.version})"]
    if playbook.sop:
        lines.append(f"Reproduces: {playbook.sop}")
    lines += ["", playbook.description, ""]
    lines.append(f"Starts when {_TRIGGERS[playbook.trigger.event]}, for: {_conditions(playbook.trigger.when)}.")
    lines.append(f"Days: {playbook.days.describe()}; day 1 is the day the follow-up starts.")
    lines.append("")
    for step in playbook.steps:
        if step.attempt is None:
            lines.append(f"Day {step.day}: {step.title}. No action needed.")
            continue
        lines.append(f"Day {step.day}: {step.title}.")
        lines.append(f"  - {_attempt(step.attempt, playbook)}")
        if step.overdue_at_end_of_day:
            lines.append(f"  - overdue after the end of day {step.overdue_at_end_of_day}")
        if step.if_not_reached:
            actions = "; ".join(_instruction(instruction, playbook) for instruction in step.if_not_reached)
            lines.append(f"  - if the customer is not reached: {actions}")
    end = playbook.end
    if end is not None:
        when = f"Day {end.day}" if end.day is not None else f"At the end of day {end.after_day}"
        lines.append(f"{when}: {end.title} ({_OUTCOMES[end.outcome]}).")
        lines += [f"  - {_instruction(instruction, playbook)}" for instruction in end.actions]
        for variant in end.variants:
            lines.append(f"  Instead, for {variant.name} ({_conditions(variant.when)}), {_OUTCOMES[variant.outcome]}:")
            lines += [f"    - {_instruction(instruction, playbook)}" for instruction in variant.actions]
    lines.append("")
    if any(step.attempt == ATTEMPT_FROM_CONTACT_DATA for step in playbook.steps):
        lines.append(_CHANNEL_RULE)
    if playbook.flag_calls_without_notes:
        lines.append(f"A call logged without call notes flags the ticket {playbook.flag_calls_without_notes}.")
    if playbook.escalation is not None:
        lines += _escalation(playbook.escalation)
    lines.append("Starts again from day 1 when " + ", or ".join(_EVENTS[event] for event in playbook.restart_on) + ".")
    stops = ", or ".join(_EVENTS[event] for event in playbook.stop_on)
    lines.append(f"Stops when the customer is reached on an attempt, when {stops}, or when the run is cancelled.")
    return "\n".join(lines) + "\n"
