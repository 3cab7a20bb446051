"""Realistic demo data covering every SOP in the shipped playbooks, written through the actions."""

from __future__ import annotations

from datetime import timedelta

from caredesk.analytics import actions as analytics_actions
from caredesk.clarifications import actions as clarification_actions
from caredesk.clarifications.models import SubCategory
from caredesk.cases import actions as case_actions
from caredesk.cases.models import PrimaryReason
from caredesk.core import actions as agent_actions
from caredesk.core import clock, roles
from caredesk.core.audit import Actor
from caredesk.core.models import Agent
from caredesk.customers import actions as customer_actions
from caredesk.customers.models import CustomerType, Industry
from caredesk.desk import actions as desk_actions
from caredesk.escalations import actions as escalation_actions
from caredesk.knowledge.demo import load_articles
from caredesk.playbooks import actions as playbook_actions
from caredesk.playbooks import registry, runner
from caredesk.playbooks.models import FollowUpTask
from caredesk.recordings import actions as recording_actions
from caredesk.resolutions import actions as resolution_actions
from caredesk.surveys import actions as survey_actions
from caredesk.surveys.models import BadRatingReason, NpsSurvey, Survey
from caredesk.tickets import actions as ticket_actions
from caredesk.tickets import use_cases
from caredesk.tickets.models import Category, Channel, Group, Interaction, Priority, Status, TicketType

DEMO_PASSWORD = "caredesk-demo"

AGENTS = [
    # username, first, last, role, skills
    ("admin", "Avery", "Admin", roles.ADMIN, []),
    ("maria", "Maria", "Lopez", roles.AGENT, ["Website Care"]),
    ("devon", "Devon", "Price", roles.AGENT, ["Passports"]),
    ("roxy", "Roxy", "V", roles.AGENT, ["Bot issues"]),
    ("vincent", "Vincent Ryan", "V", roles.AGENT, ["EIN"]),
    ("bo", "Bo", "Office", roles.BACK_OFFICE, []),
    # "Resolution Lead" is SOP 003's transfer skill: the warm-transfer ladder rings available agents with it.
    ("rs", "Rene", "Specialist", roles.RESOLUTION_SPECIALIST, ["Resolution", "Resolution Lead"]),
    ("lead", "Lee", "Lead", roles.RESOLUTION_LEAD, ["Resolution Lead"]),
    ("heather", "Heather", "Supervisor", roles.TEAM_SUPERVISOR, ["Resolution Lead"]),
]

# Who works which ticket group (by key): they see its queue under My groups and hear of its SLA warnings.
GROUP_MEMBERS = {
    "general_support": ["maria", "devon", "vincent"],
    "website_care": ["maria"],
    "unresponsive_customers": ["roxy", "devon"],
    "resolution": ["rs", "lead", "heather"],
    "back_office": ["bo"],
}

# name, emails, phones, customer type key, industry key of their order (or None), order status
CUSTOMERS = [
    ("Dana Whitfield", ["dana.whitfield@example.com"], ["+1 415 555 0132"], "homeowner", "us_passport", "Processing"),
    ("Marcus Bell", [], ["+1 312 555 0190"], "homeowner", None, ""),
    ("Priya Natarajan", ["priya.n@example.net"], [], "homeowner", None, ""),
    ("Tom Okafor", ["tom.okafor@example.org"], [], "homeowner", "tsa_precheck", "Awaiting documents"),
    ("Elena Rossi", ["elena.rossi@example.com"], ["+1 646 555 0175"], "homeowner", "global_entry", "Awaiting interview"),
    ("Ken Watanabe", ["ken.w@example.jp"], [], "homeowner", "ein", "Filed"),
    ("Sofia Martins", ["sofia@martinsbakery.example"], ["+1 305 555 0111"], "website_care", "website_care", "Active"),
    ("Jamal Carter", ["jamal.carter@example.com"], ["+1 713 555 0148"], "homeowner", "us_passport", "Missing labels"),
    ("Grace Kim", ["grace.kim@example.com"], ["+1 206 555 0163"], "homeowner", "nexus", "Awaiting documents"),
    ("Luis Ortega", ["luis.ortega@example.com"], [], "homeowner", "sentri", "Awaiting documents"),
]


def _entry(model, key):
    return model.objects.get(key=key)


def _follow_up(create_ticket, actor: Actor, *, on_day: int, attempts: tuple[int, ...]):
    """Create a ticket and put it under follow-up as if the agent had done so some business days ago, so
    that today is day `on_day` of the cadence; the attempts of `attempts` days were made without reaching
    the customer. `create_ticket` makes the ticket (it runs at that earlier time).

    The past is replayed on the virtual clock through the real actions and sweeps, as a worker would have.
    """
    now = clock.now()
    calendar = registry.latest_versions(registry.available_playbooks())["general_inquiry_follow_up"].days
    started = next(
        start for start in (now - timedelta(days=back) for back in range(0, 31))
        if calendar.counts(start.astimezone(calendar.zone).date()) and calendar.day_number(start, now) == on_day
    )
    with clock.frozen_at(started - timedelta(minutes=20)):
        ticket = create_ticket()
        clock.set_virtual(started)
        ticket_actions.update_ticket(ticket, actor=actor, status=Status.PENDING)
        for day in attempts:
            clock.set_virtual(max(started, calendar.day_start(started, day) + timedelta(hours=2)))
            runner.sweep_all()
            task = FollowUpTask.objects.get(ticket=ticket, status=FollowUpTask.Status.OPEN)
            playbook_actions.complete_task(task, agent=actor.agent, channels_tried=task.planned_channels,
                                           reached=False)
    runner.sweep_all()
    return ticket


def load_demo() -> list[tuple[str, str]]:
    """Create the demo agents, customers, orders and tickets; returns (username, role) for the sign-in list."""
    agents = {}
    for username, first, last, role, skills in AGENTS:
        agents[username] = agent_actions.create_agent(
            username=username, password=DEMO_PASSWORD, first_name=first, last_name=last,
            email=f"{username}@caredesk.example", role_names=[role], skills=skills, check_password=False,
        )
        agent_actions.set_presence(agents[username], "available")
    admin = Actor.of_agent(agents["admin"])
    for key, usernames in GROUP_MEMBERS.items():
        desk_actions.set_group_members(_entry(Group, key), actor=admin,
                                       agents=[agents[username] for username in usernames])
    customers, orders = {}, {}
    for index, (name, emails, phones, type_key, industry_key, status) in enumerate(CUSTOMERS):
        customer = customer_actions.create_customer(
            actor=admin, name=name, emails=emails, phones=phones,
            customer_type=_entry(CustomerType, type_key),
            importance="vip" if type_key == "website_care" else "standard",
        )
        customers[name] = customer
        if industry_key:
            orders[name] = customer_actions.create_order(
                actor=admin, customer=customer, external_reference=f"ORD-{20410 + index}",
                industry=_entry(Industry, industry_key), status=status,
            )
    _demo_tickets(agents, customers, orders)
    _responses(admin)
    load_articles(agents)  # the knowledge base: common inquiries of the demo's industries
    while analytics_actions.refresh_due():  # the reports' facts, as the worker would compute them
        pass
    return [(username, role) for username, _, _, role, _ in AGENTS]


# Canned responses (name, composer tabs, text) and macros the demo ships beside "Call Notes".
CANNED_RESPONSES = [
    ("Follow-up: trying to reach you", ["reply", "text"],
     "Hi, this is caredesk support following up on your request. We tried to reach you and would like to help "
     "you finish it. Reply to this message or call us back at your convenience."),
    ("Unresponsive: closing the ticket", ["reply"],
     "We have not heard back after several attempts, so we are closing this request for now. Reply at any time "
     "and we will pick it up again."),
    ("Refund request received", ["reply", "text"],
     "We received your refund request. A Resolution Specialist reviews it and we will write to you within two "
     "business days."),
    ("Documents needed", ["reply", "text", "note"],
     "To continue, we need a clear copy of the following document(s): "),
    ("Left a voicemail", ["note", "call"], "Called the customer, no answer; left a voicemail asking them to call back."),
]
MACROS = [
    {"name": "Waiting on documents", "tab": "reply", "status": "pending", "add_tags": ["documents-needed"],
     "body": "To continue with your application we need a clear copy of your documents. Reply to this email "
             "with them attached, and we will take it from there."},
    {"name": "Escalate to Resolution", "tab": "note", "group_key": "resolution", "priority": 3,
     "add_tags": ["escalated"], "body": "Escalated to Resolution: the customer needs a Resolution Specialist."},
]


def _responses(actor: Actor) -> None:
    for name, tabs, body in CANNED_RESPONSES:
        desk_actions.create_canned_response(actor=actor, name=name, tabs=tabs, body=body)
    for macro in MACROS:
        values = dict(macro)
        group_key = values.pop("group_key", None)
        desk_actions.create_macro(actor=actor, group=_entry(Group, group_key) if group_key else None, **values)


def _demo_tickets(agents, customers, orders) -> None:
    maria, devon = Actor.of_agent(agents["maria"]), Actor.of_agent(agents["devon"])
    general, refund = _entry(TicketType, "general_inquiry"), _entry(TicketType, "refund_request")
    bot, clarification = _entry(TicketType, "bot_issue"), _entry(TicketType, "clarification")
    support, care = _entry(Group, "general_support"), _entry(Group, "website_care")
    question = _entry(Category, "general_question")

    def ticket(actor, name, subject, description, ticket_type, *, order=True, tags=(), group=support,
               assignee=None, channel=Channel.EMAIL, priority=Priority.MEDIUM, status=Status.OPEN):
        return use_cases.open_ticket(
            actor=actor, requester=customers[name], subject=subject, description=description,
            ticket_type=ticket_type, category=question, tags=tags, group=group, priority=priority,
            assignee=assignee or actor.agent, order=orders.get(name) if order else None, channel=channel,
            status=status,
        )

    # SOP 001, general inquiry, at different days of the follow-up: linked order (email + call + text),
    # phone only (call + text), email only (email), a number inside the customer's email (call + text).
    _follow_up(lambda: ticket(devon, "Dana Whitfield", "Passport application: photo rejected",
                              "Your photo did not meet the requirements. Please send a new photo.", general),
               devon, on_day=3, attempts=(1,))  # 1/3 written; the day-3 attempt is due today
    _follow_up(lambda: ticket(devon, "Marcus Bell", "Voicemail: question about my application",
                              "Caller left a voicemail asking about processing times; no email on file.", general,
                              channel=Channel.PHONE),
               devon, on_day=1, attempts=())  # the first attempt is due now
    _follow_up(lambda: ticket(devon, "Priya Natarajan", "Missing information on your request",
                              "We need the date of birth on the application to continue.", general),
               devon, on_day=6, attempts=(1, 3, 5))  # closed as unresponsive today

    def call_me():
        created = ticket(maria, "Priya Natarajan", "Can you call me?",
                         "Hi, it's easier to reach me at (415) 555-0199 after 5pm. Thanks, Priya", general)
        ticket_actions.add_interaction(
            created, actor=Actor.customer("Priya Natarajan"), channel=Channel.EMAIL,
            direction=Interaction.Direction.INBOUND, kind=Interaction.Kind.MESSAGE,
            body="Hi, it's easier to reach me at (415) 555-0199 after 5pm. Thanks, Priya",
            author_customer=customers["Priya Natarajan"],
        )
        return created

    _follow_up(call_me, maria, on_day=2, attempts=())  # the day-1 attempt was not done: overdue
    # SOP 001, refund request (not US Passport): day 2 attempt due.
    _follow_up(lambda: ticket(maria, "Elena Rossi", "Refund for Global Entry service",
                              "Customer asked for a refund by voicemail; we need the order confirmation.", refund,
                              priority=Priority.HIGH),
               maria, on_day=2, attempts=(1,))
    # SOP 001, bot issues: TSA, US Passport missing labels and EIN handed to their owners today; NEXUS and
    # SENTRI still being followed up.
    for name, subject, description, tags, on_day, attempts in (
        ("Tom Okafor", "TSA PreCheck bot: upload failed", "The bot could not read the ID upload.", (), 6, (1, 3, 5)),
        ("Jamal Carter", "US Passport: missing shipping labels", "Labels were never generated.",
         ("missing_labels",), 6, (1, 3, 5)),
        ("Ken Watanabe", "EIN bot: responsible party question", "Bot needs the SSN format clarified.", (), 6,
         (1, 3, 5)),
        ("Grace Kim", "NEXUS bot: interview scheduling stuck", "Bot loop on the scheduling step.", (), 5, (1, 3)),
        ("Luis Ortega", "SENTRI bot: payment step error", "Payment page returned an error.", (), 3, (1,)),
    ):
        _follow_up(lambda: ticket(devon, name, subject, description, bot, tags=tags), devon, on_day=on_day,
                   attempts=attempts)
    # SOP 000, Care: a closed clarification ticket the customer writes into again (call first, never bounce).
    started = clock.now() - timedelta(days=10)
    with clock.frozen_at(started):
        closed = ticket(maria, "Sofia Martins", "Update the opening hours on the homepage",
                        "Please change Saturday hours to 8am-2pm.", clarification, group=care)
        call = use_cases.log_call(
            closed, actor=maria, direction=Interaction.Direction.OUTBOUND, outcome=Interaction.CallOutcome.ANSWERED,
            call_notes={"caller_name": "Sofia Martins", "call_type": "Outbound", "customer_type": "Website Care",
                        "reason_for_call": "Confirm the new Saturday hours",
                        "actions_taken": "Updated hours on the homepage; customer confirmed on the call"},
        )
        resolution_actions.solve(closed, actor=maria, resolution=resolution_actions.NewResolution(
            root_cause="documentation_gap", resolution_code="fixed", confirmation="confirmed", confirmed_by="phone",
            summary="Updated the Saturday hours on the homepage; the customer confirmed them on the call."))
        resolution_actions.share_feedback(closed, actor=maria, team="product", body=(
            "Customers cannot change their opening hours themselves; a self-service form would save this call."))
        recording_actions.record_console_recording(call, duration_seconds=3)  # the console provider's audio
    with clock.frozen_at(started + timedelta(days=5)):
        ticket_actions.close_solved_tickets()
    ticket_actions.receive_customer_message(
        closed, customer=customers["Sofia Martins"], channel=Channel.EMAIL,
        body="The Saturday hours are still wrong on the mobile version of the site.",
    )
    # SOPs 002/003: an irate customer with a sensitive issue, for escalation to a Resolution Specialist.
    ticket(maria, "Dana Whitfield", "Complaint: considering a BBB complaint",
           "Customer is upset about delays and mentioned contacting a lawyer.", general, order=False,
           tags=["irate", "sensitive"], priority=Priority.URGENT, group=_entry(Group, "resolution"),
           channel=Channel.PHONE)
    _escalations(ticket, maria, general)
    _satisfaction(ticket, agents, general, care, clarification)


def _case(ticket, maria: Actor) -> None:
    """SOP 003: the escalated call (with its recording, from the console provider) becomes a case with what
    step 3 requires, offered to the Resolution Specialist."""
    call = use_cases.log_call(
        ticket, actor=maria, direction=Interaction.Direction.INBOUND, outcome=Interaction.CallOutcome.ANSWERED,
        call_notes={"caller_name": "Marcus Bell", "call_type": "Inbound", "customer_type": "Homeowner",
                    "reason_for_call": "Installation delayed twice; asked for leadership",
                    "actions_taken": "Recorded the escalation request; customer agreed to wait for an update"},
    )
    recording_actions.record_console_recording(call, duration_seconds=4)
    case = case_actions.open_case(ticket, agent=maria.agent, new=case_actions.NewCase(
        primary_reason=_entry(PrimaryReason, "installation_concern").pk,
        description="The homeowner says the installation was rescheduled twice without notice and the crew "
                    "left the roof open for a day.",
        installer_point_of_view="The installer says the second date moved because of rain and the roof was "
                                "tarped.",
        interaction=call.pk, concern_type="Installation delay and workmanship",
        red_flags="Two reschedules with no notice on the order; photos of an open roof.",
        other_concerns="The homeowner mentioned a neighbour with the same installer.",
        welcome_call_voice_matches=True, certificate_of_completion_reviewed=False, documentation="not_needed"))
    specialist = Agent.objects.get(username="rs")
    case_actions.assign(case, agent=maria.agent, assignee=specialist.pk)


def _escalations(ticket, maria: Actor, general) -> None:
    """SOPs 002/003 after the customer asked: one agreed to wait (the escalation follow-up runs), one refused a
    few minutes ago and nobody answered (a voicemail for the Resolution Lead to call back), and one refusing
    now: its transfer rings the Resolution Specialist as the demo starts (the worker moves it on)."""
    agent, now = maria.agent, clock.now()
    waiting = ticket(maria, "Marcus Bell", "Wants to speak to a manager about the delay",
                     "Caller demanded leadership; agreed to let us review and call back within a day.", general,
                     order=False, channel=Channel.PHONE, priority=Priority.HIGH)
    escalation = escalation_actions.record_request(waiting, agent=agent, reason="Let me speak to your manager.")
    escalation_actions.record_choice(escalation, agent=agent, waits=True)
    _case(waiting, maria)
    with clock.frozen_at(now - timedelta(minutes=5)):
        voicemail = ticket(maria, "Jamal Carter", "Refused to wait: wanted a supervisor now",
                           "Caller refused a follow-up and asked for a supervisor.", general, channel=Channel.PHONE,
                           priority=Priority.HIGH)
        escalation = escalation_actions.record_request(voicemail, agent=agent, reason="Get me a supervisor, now.")
        escalation_actions.record_choice(escalation, agent=agent, waits=False)
        for _ in range(2):  # each rung's seconds run out in turn
            clock.advance(timedelta(seconds=31))
            escalation_actions.sweep_due()
    ringing = ticket(maria, "Elena Rossi", "Irate about the interview date: wants leadership",
                     "Caller is irate about the rescheduled interview and refuses to wait.", general,
                     channel=Channel.PHONE, priority=Priority.URGENT)
    escalation = escalation_actions.record_request(ringing, agent=agent, reason="I want to talk to someone in charge.")
    escalation_actions.record_choice(escalation, agent=agent, waits=False)


# Over the last three weeks: (agent, customer, subject, hours to solve, CSAT answer, bad reason, comment, NPS,
# root cause)
SOLVED = [
    ("maria", "Sofia Martins", "Add a gallery page", 5, "good", "", "Sofia loved the new page.", 10, "documentation_gap"),
    ("devon", "Dana Whitfield", "Passport renewal: which form?", 2, "good", "", "", 9, "customer_misunderstanding"),
    ("devon", "Tom Okafor", "TSA PreCheck appointment", 30, "bad", "took_too_long", "Three days for an answer.", 4, "process_delay"),
    ("maria", "Elena Rossi", "Receipt for my Global Entry fee", 1, "good", "", "Quick, thanks!", 8, "billing_error"),
    ("roxy", "Grace Kim", "NEXUS card not received", 50, "bad", "not_resolved", "Still no card.", 2, "process_delay"),
    ("vincent", "Ken Watanabe", "EIN confirmation letter", 4, "good", "", "", 9, "documentation_gap"),
    ("devon", "Jamal Carter", "Change the delivery address", 8, "good", "", "", None, "customer_misunderstanding"),
    ("maria", "Priya Natarajan", "Update my phone number", 1, "good", "", "", 10, "other"),
]


def _satisfaction(ticket, agents, general, care, clarification) -> None:
    """Solved tickets with their CSAT and NPS answers, and Care Clarifications Form entries."""
    start = clock.now() - timedelta(days=21)
    for index, (username, name, subject, hours, rating, reason, comment, score, root_cause) in enumerate(SOLVED):
        actor = Actor.of_agent(agents[username])
        with clock.frozen_at(start + timedelta(days=2 * index, hours=index)):
            care_ticket = name == "Sofia Martins"
            created = ticket(actor, name, subject, subject + ".", clarification if care_ticket else general,
                             order=False, **({"group": care} if care_ticket else {}))
            clock.advance(timedelta(hours=hours / 2))
            use_cases.reply(created, actor=actor, body="Here is what we did for you.")
            clock.advance(timedelta(hours=hours / 2))
            resolution_actions.solve(created, actor=actor, resolution=resolution_actions.NewResolution(
                root_cause=root_cause, resolution_code="information_provided", summary="Answered by email.",
                confirmation="confirmed", confirmed_by="email"))
            clock.advance(timedelta(hours=25))
            survey_actions.send_due()
            survey = Survey.objects.get(ticket=created)
            if survey.status == Survey.Status.SENT:
                survey_actions.record_rating(survey, rating=rating, comment=comment,
                                             reason=BadRatingReason.objects.get(key=reason).pk if reason else None)
            nps = NpsSurvey.objects.filter(ticket=created).first()
            if nps is not None and score is not None:
                survey_actions.record_nps(nps, score=score, comment=comment)
            if care_ticket:
                clarification_actions.file_clarification(
                    created, agent=agents[username], category="care_clarification", details="Wanted a gallery.",
                    sub_category=SubCategory.objects.get(key="care_content_change").pk)
            if index == 2:
                clarification_actions.file_clarification(
                    created, agent=agents[username], category="builder_agent_feedback",
                    details="The first answer missed the appointment date.",
                    sub_category=SubCategory.objects.get(key="agent_missed_instructions").pk)
