"""The one registry of audit event kinds (caredesk.core.events): every declared kind is written by the real
actions and reads cleanly everywhere it is rendered (the API's summary, the workspace timeline, the customer
history, the simulator); an undeclared kind or payload fails at once; docs/audit.md lists the registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from caredesk.cases import actions as case_actions
from caredesk.cases.models import PrimaryReason
from caredesk.channels import actions as channel_actions
from caredesk.channels.models import ChannelEvent, InboundMessage
from caredesk.core import actions as agent_actions
from caredesk.core import events
from caredesk.core.audit import Actor
from caredesk.core.models import Agent, AgentEvent, ConfigurationEvent
from caredesk.customers import actions as customer_actions
from caredesk.desk import actions as desk_actions
from caredesk.desk.models import DeskEvent
from caredesk.tickets import use_cases
from caredesk.escalations import actions as escalation_actions
from caredesk.live import actions as live_actions
from caredesk.notifications import actions as notification_actions
from caredesk.escalations.models import Escalation
from caredesk.knowledge import actions as knowledge_actions
from caredesk.knowledge import queries as knowledge_queries
from caredesk.knowledge.models import ArticleCategory, ArticleEvent
from caredesk.customers.models import ContactPoint, Customer, CustomerEvent, CustomerType, Industry
from caredesk.playbooks import actions as playbook_actions
from caredesk.playbooks.models import PlaybookRun
from caredesk.playbooks.simulate import load_scenario, run_scenario
from caredesk.recordings import actions as recording_actions
from caredesk.resolutions import actions as resolution_actions
from caredesk.resolutions import tokens
from caredesk.playbooks.timeline import render_timeline
from caredesk.review import actions as review_actions
from caredesk.sla import actions as sla_actions
from caredesk.sla.models import ContractTier, SlaEvent, SlaTargetSpec
from caredesk.tickets import actions as ticket_actions
from caredesk.web import actions as web_actions
from caredesk.tickets.models import Category, Group, Priority, Ticket, TicketEvent, TicketType
from tests.integration.helpers import record_resolution

ROOT = Path(__file__).parents[2]
# Between them, these write every playbook kind: runs started, ended and cancelled, tasks planned, completed,
# done by a logged call, missed and cancelled, a flag, an order status, notes, calls, a follow-up ticket.
SCENARIOS = ("care_call_first_closed_ticket", "care_call_task_done_without_call_notes",
             "general_inquiry_attempt_missed_then_next", "general_inquiry_restart_on_missed_call",
             "bot_issue_sentri_unresponsive", "sensitive_email_raises_the_review_flag",
             "escalation_agreed_to_wait", "escalation_refused_specialist_declines_supervisor_answers",
             "sla_priority_change_recomputes", "sla_pending_pauses_resolution_not_first_reply")
LOGS = (TicketEvent, CustomerEvent, AgentEvent, ChannelEvent, DeskEvent, ArticleEvent, SlaEvent, ConfigurationEvent)


def _scenarios(agent) -> list:
    results = []
    for name in SCENARIOS:
        for point in ContactPoint.objects.select_related("customer"):  # the scenarios' customers share them
            customer_actions.remove_contact_point(point.customer, actor=Actor.of_agent(agent), value=point.value)
        results.append(run_scenario(load_scenario(ROOT / "tests" / "scenarios" / f"{name}.yaml")))
    return results


def _sla(agent, customer) -> None:
    """What the SLA scenarios leave out: an override and its clearing, a clock stopped because the policy no
    longer targets its metric (the admin removed the target; the sweep recomputes), a contract tier."""
    actor = Actor.of_agent(agent)
    ticket = ticket_actions.create_ticket(actor=actor, requester=customer, subject="SLA kinds", status="open")
    sla_actions.override_priority(ticket, actor=actor, priority_value=Priority.HIGH, reason="Launch day")
    sla_actions.clear_override(ticket, actor=actor)
    SlaTargetSpec.objects.filter(policy__key="standard", metric="periodic_update").delete()
    sla_actions.sweep_due()
    sla_actions.set_contract_tier(customer, ContractTier.objects.get(key="premium"), actor=actor)


def _escalation_ladder_ends(agent, customer) -> None:
    """After the scenarios' ladder (declined, answered, accepted): a rung nobody answers, then one with nobody
    available, the voicemail, and the Resolution Lead's callback."""
    specialist, supervisor = Agent.objects.get(username="sam"), Agent.objects.get(username="tess")
    agent_actions.set_presence(supervisor, "offline")
    ticket = ticket_actions.create_ticket(actor=Actor.of_agent(agent), requester=customer, subject="Supervisor now")
    escalation = escalation_actions.record_request(ticket, agent=agent, reason="wants leadership")
    escalation = escalation_actions.record_choice(escalation, agent=agent, waits=False)
    escalation = escalation_actions.ring_unanswered(escalation, rung=escalation.rung + 1)
    assert escalation.status == Escalation.Status.VOICEMAIL, specialist
    escalation_actions.receive_voicemail(escalation, recording_sid="RE1", recording_url="https://example.com/RE1",
                                         duration_seconds=42, transcription="Please call me back.")
    escalation_actions.record_callback(escalation, agent=Agent.objects.get(username="lee"), note="Called back.")


def _cases(agent, customer) -> None:
    """A case through each of its steps: the documentation requested, refused and received; an assignment
    accepted, returned and rejected; closed as "Case Voided"."""
    specialist, lead = Agent.objects.get(username="sam"), Agent.objects.get(username="lee")
    ticket = ticket_actions.create_ticket(actor=Actor.of_agent(agent), requester=customer, subject="A case")
    escalation_actions.record_request(ticket, agent=agent, reason="wants leadership")
    call = ticket_actions.add_interaction(ticket, actor=Actor.of_agent(agent), channel="phone", direction="inbound",
                                          kind="call", call_outcome="answered", body="The homeowner called.")

    def new(documentation: str, **fields) -> case_actions.NewCase:
        return case_actions.NewCase(
            primary_reason=PrimaryReason.objects.first().pk, description="Overview", installer_point_of_view="POV",
            interaction=call.pk, concern_type="Installation", red_flags="Dates", other_concerns="None seen",
            welcome_call_voice_matches=True, certificate_of_completion_reviewed=False, documentation=documentation,
            **fields)

    case_actions.open_case(ticket, agent=agent, new=new("refused", resolution_lead=lead.pk))
    case = case_actions.open_case(ticket, agent=agent, new=new("requested", documentation_needed="The contract"))
    upload = ticket_actions.NewAttachment("contract.pdf", "application/pdf", b"%PDF-1.4")
    case = case_actions.receive_documentation(case, agent=lead, uploads=[upload])
    case = case_actions.accept(case_actions.assign(case, agent=agent, assignee=specialist.pk), agent=specialist)
    case = case_actions.return_case(case, agent=specialist, reason="Not mine")
    case_actions.close_case(case, agent=agent, closed_reason=case_actions.closing_reason(case))
    other = case_actions.open_case(ticket, agent=agent, new=new("not_needed"))
    other = case_actions.attach_documents(other, agent=agent, uploads=[upload])
    other = case_actions.edit_case(other, agent=agent, changes={"red_flags": "Two signatures differ."})
    case_actions.reject(case_actions.assign(other, agent=agent, assignee=specialist.pk), agent=specialist,
                        reason="Wrong team")


def _ticket_changes(agent, customer, order) -> Ticket:
    actor, lead = Actor.of_agent(agent), agent_actions.create_agent(username="leigh", first_name="Leigh")
    other = customer_actions.create_customer(actor=actor, name="Sam Other")
    ticket = ticket_actions.create_ticket(actor=actor, requester=customer, subject="Where is my passport?",
                                          ticket_type=TicketType.objects.get(key="general_inquiry"))
    ticket_actions.update_ticket(ticket, actor=actor, status="pending")  # the general follow-up starts
    playbook_actions.cancel_run(PlaybookRun.objects.get(ticket=ticket), agent=agent, reason="a mistake")
    ticket_actions.update_ticket(ticket, actor=actor, subject="Passport", description="Three weeks now.",
                                 ticket_type=TicketType.objects.get(key="refund_request"),
                                 category=Category.objects.filter(active=True).first(), priority=Priority.HIGH,
                                 status="open", group=Group.objects.filter(active=True).first(), assignee=lead,
                                 order=order, tags=["vip"])
    ticket_actions.update_ticket(ticket, actor=actor, requester=other, order=None)
    document = ticket_actions.add_supporting_document(ticket, actor=actor, attachment=ticket_actions.NewAttachment(
        "form.pdf", "application/pdf", b"%PDF-1.4"))
    ticket_actions.remove_attachment(document, actor=actor)
    playbook_actions.raise_flag(ticket, "missing_call_notes", actor=actor)
    playbook_actions.clear_flag(ticket, "missing_call_notes", agent=agent)
    review_actions.review_texts(ticket, ["I have retained a lawyer."])
    [flag] = review_actions.review_texts(ticket, ["Our attorney will call you."])
    review_actions.clear_flag(flag, agent=agent, reason="A quote from an earlier ticket.")
    use_cases.add_note(ticket, actor=actor, body="Three weeks since the card 4111 1111 was charged.")
    ticket_actions.redact(ticket, actor=actor, text="three weeks")  # the description, the note, the history
    ticket_actions.redact(ticket, actor=actor, text="passport")  # the subject
    return ticket


def _desk(agent, customer) -> None:
    """The responses library, a macro applied, a bulk change, a round robin, a merge with its follow-up, and
    an email reply ticking the open attempt's email box."""
    actor = Actor.of_agent(agent)
    canned = desk_actions.create_canned_response(actor=actor, name="Thanks", tabs=["reply"], body="Thank you.")
    desk_actions.update_canned_response(canned, actor=actor, tabs=["reply", "text"])
    macro = desk_actions.create_macro(actor=actor, name="Pending docs", tab="note", body="Asked for documents.",
                                      status="pending")
    desk_actions.update_macro(macro, actor=actor, add_tags=["documents"])
    general = TicketType.objects.get(key="general_inquiry")
    duplicate = ticket_actions.create_ticket(actor=actor, requester=customer, subject="Passport?", ticket_type=general)
    desk_actions.apply_macro(duplicate, macro, actor=actor)  # pending: the general follow-up starts
    use_cases.reply(duplicate, actor=actor, body="We wrote to you.")  # ticks the open attempt's email box
    kept = ticket_actions.create_ticket(actor=actor, requester=customer, subject="Passport")
    desk_actions.bulk_change([kept.pk], actor=actor, add_tags=["duplicate"])
    desk_actions.merge(duplicate, kept, actor=actor)
    group = Group.objects.filter(active=True).first()
    desk_actions.set_round_robin(group, actor=actor, agents=[agent])
    desk_actions.set_group_members(group, actor=actor, agents=[agent])
    ticket_actions.create_ticket(actor=actor, requester=customer, subject="Round robin", group=group)


def _outbox(ticket) -> None:
    actor = Actor.system("test")
    sent = channel_actions.queue_message(ticket=ticket, actor=actor, channel="sms", origin="agent_reply",
                                         idempotency_key="sent", to=["+14155550132"], body="Hello")
    channel_actions.mark_sent(sent, transport="console", provider_id="SM1")
    channel_actions.record_provider_status("SM1", "delivered")
    retried = channel_actions.queue_message(ticket=ticket, actor=actor, channel="email", origin="agent_reply",
                                            idempotency_key="retried", to=["dana@example.com"], body="Hi")
    channel_actions.mark_attempt_failed(retried, "the server said 451", permanent=False)
    channel_actions.mark_attempt_failed(retried, "the server said 550", permanent=True)
    channel_actions.queue_message(ticket=ticket, actor=actor, channel="email", origin="playbook",
                                  idempotency_key="failed", template="missing", failure_reason="no such template")


def _inbound(ticket, agent) -> None:
    processed = channel_actions.store_inbound(b"Subject: hi\r\n\r\nhello", source=InboundMessage.Source.SMTP)
    channel_actions.finish_inbound(processed, status="processed", outcome="a reply", ticket=ticket)
    channel_actions.download_original(processed, agent=agent, via="workspace")
    ignored = channel_actions.store_inbound(b"Subject: out\r\n\r\naway", source=InboundMessage.Source.SMTP)
    channel_actions.finish_inbound(ignored, status="ignored", outcome="an automatic reply")
    channel_actions.fail_inbound(ignored.pk, "the parser failed", retry=True)
    bombs = [channel_actions.store_inbound(b"Subject: =?utf-8?q?x?=\r\n\r\nx", source=InboundMessage.Source.SMTP)
             for _ in range(2)]
    for bomb in bombs:
        channel_actions.quarantine_inbound(bomb.pk, "the parser ran out of memory")
    admin = Actor.system("test")
    channel_actions.retry_quarantined([bombs[0].pk], actor=admin)
    channel_actions.discard_quarantined([bombs[1].pk], actor=admin)
    channel_actions.save_imap_position("support", uidvalidity=7, last_uid=1)
    channel_actions.save_imap_position("support", uidvalidity=8, last_uid=2)


def _customer_and_agent_changes(agent, customer, order) -> None:
    actor = Actor.of_agent(agent)
    customer_actions.update_customer(customer, actor=actor, name="Dana W.", importance="vip",
                                     preferred_channel="sms", customer_type=CustomerType.objects.first())
    customer_actions.add_contact_points(customer, actor=actor, phones=["+1 415 555 0199"])
    customer_actions.remove_contact_point(customer, actor=actor, value="+14155550199")
    customer_actions.update_order(order, actor=actor, status="Shipped",
                                  industry=Industry.objects.get(key="ein"))
    customer_actions.update_order(order, actor=actor, customer=customer_actions.create_customer(
        actor=actor, name="Pat New"))
    agent_actions.set_presence(agent, "available")
    token, _ = agent_actions.create_api_token(agent, "laptop")
    agent_actions.revoke_api_token(token)
    gone = agent_actions.create_agent(username="gone")
    agent_actions.deactivate_agent(gone)
    agent_actions.activate_agent(gone)
    agent_actions.update_agent(gone, last_name="Away")
    agent_actions.set_roles(gone, ["Agent", "Team Supervisor"])
    agent_actions.set_skills(gone, ["Resolution Lead"])
    agent_actions.set_password(gone, "a long and new passphrase", check_password=False)
    agent_actions.set_password(gone, None)
    view = web_actions.save_view(agent=agent, name="Mine", filters={"assignee": "me"})
    web_actions.save_view(agent=agent, name="Mine", filters={"assignee": "me", "status": "open"})
    web_actions.delete_view(view, agent=agent)
    colleague = agent_actions.create_agent(username="colleague")
    notification_actions.notify([colleague], "sla_warning", text="First reply due in 30 minutes", actor=actor)
    notification_actions.mark_read(colleague)
    live_actions.set_time_zone(agent, "America/Chicago")


def _recordings(ticket, agent, settings) -> None:
    """A recording stored, played by a specialist with a reason and by an agent, one that never downloads,
    and one past the retention."""
    from datetime import timedelta

    from caredesk.core import clock, roles

    call = ticket_actions.add_interaction(ticket, actor=Actor.of_agent(agent), channel="phone",
                                          direction="inbound", kind="call", call_outcome="answered",
                                          external_id="CA-audit", body="A call.")
    old = recording_actions.record_console_recording(call, recorded_at=clock.now() - timedelta(days=91))
    specialist = agent_actions.create_agent(username="spec", password="correct-horse-battery",
                                            role_names=[roles.RESOLUTION_SPECIALIST], check_password=False)
    recording_actions.open_recording(old, agent=specialist, reason="Compliance review")
    recent = recording_actions.record_console_recording(call)
    recording_actions.open_recording(recent, agent=agent, kind="download")
    settings.RECORDING_DOWNLOAD_ATTEMPTS, settings.RECORDING_SOURCE_HOSTS = 1, ["127.0.0.1"]
    recording_actions.receive_twilio_recording(recording_sid="RE-audit", call_sid="CA-audit", status="completed",
                                               recording_url="http://127.0.0.1:9/unreachable", duration_seconds=5)
    recording_actions.download_due()
    recording_actions.record_console_recording(call, recorded_at=clock.now() - timedelta(days=800))
    recording_actions.delete_expired()


def _surveys_and_clarifications(agent) -> None:
    """A survey scheduled, cancelled, scheduled again, sent with the NPS question, rated good then bad (a review
    opened and finished), the NPS answered; another skipped (no email address); a clarification filed."""
    from datetime import timedelta

    from caredesk.clarifications import actions as clarification_actions
    from caredesk.clarifications.models import SubCategory
    from caredesk.core import clock
    from caredesk.surveys import actions as survey_actions
    from caredesk.surveys.models import BadRatingReason, NpsSurvey, RatingReview, Survey

    actor = Actor.of_agent(agent)
    customer = customer_actions.create_customer(actor=actor, name="Sue Veyed", emails=["sue@example.net"])
    with clock.frozen_at(clock.now()):
        ticket = ticket_actions.create_ticket(actor=actor, requester=customer, subject="Survey me")
        record_resolution(ticket, actor)
        ticket_actions.update_ticket(ticket, actor=actor, status="solved")
        ticket_actions.update_ticket(ticket, actor=actor, status="open")
        record_resolution(ticket, actor)
        ticket_actions.update_ticket(ticket, actor=actor, status="solved")
        clock.advance(timedelta(hours=25))
        survey_actions.send_due()
        survey = Survey.objects.get(ticket=ticket)
        survey_actions.record_rating(survey, rating="good", comment="")
        survey_actions.record_rating(survey, rating="bad", reason=BadRatingReason.objects.get(key="other").pk,
                                     comment="Slow.")
        survey_actions.finish_review(RatingReview.objects.get(survey=survey), agent=agent, note="Called back.")
        survey_actions.record_nps(NpsSurvey.objects.get(ticket=ticket), score=4, comment="")
        no_email = customer_actions.create_customer(actor=actor, name="Phone Only", phones=["+1 415 555 0111"])
        unreachable = ticket_actions.create_ticket(actor=actor, requester=no_email, subject="By phone")
        record_resolution(unreachable, actor)
        ticket_actions.update_ticket(unreachable, actor=actor, status="solved")
        clock.advance(timedelta(hours=25))
        survey_actions.send_due()
        clarification_actions.file_clarification(
            ticket, agent=agent, category="care_clarification", details="Wanted the menu renamed.",
            sub_category=SubCategory.objects.get(key="care_content_change").pk)


def _knowledge(agent, ticket) -> None:
    """An article written, revised, restored, published and back to draft, used in a reply, voted on, and an
    unhelpful vote that opens a ticket."""
    category = ArticleCategory.objects.get(key="us_passport")
    draft = knowledge_actions.Draft(title="Renew by mail", body="Use form DS-82.", category=category.pk,
                                    visibility="public")
    article = knowledge_actions.create_article(agent=agent, draft=draft)
    knowledge_actions.revise_article(article, agent=agent, draft=knowledge_actions.Draft(
        **{**draft.__dict__, "body": "Use form DS-82 or DS-11."}))
    knowledge_actions.restore_version(article, agent=agent, version=1)
    article = knowledge_actions.publish(article, agent=agent)
    article = knowledge_actions.set_guide(article, agent=agent, guide="ticket")
    reply = ticket_actions.add_interaction(ticket, actor=Actor.of_agent(agent), channel="email", direction="outbound",
                                           kind="message", body=f"See {knowledge_queries.public_url(article)}")
    knowledge_actions.record_uses({article.pk: "link"}, interaction=reply, agent=agent)
    knowledge_actions.vote(article, vote=knowledge_actions.Vote(helpful=True, visitor="v1", address="a1"))
    knowledge_actions.vote(article, vote=knowledge_actions.Vote(helpful=False, visitor="v2", address="a1",
                                                                email="ann@example.com", question="From abroad?"))
    knowledge_actions.unpublish(article, agent=agent)
def _resolutions(agent, customer) -> None:
    """Solved with a resolution and the confirmation message sent; the customer's "still not fixed"; solved again,
    reusing another ticket, with the customer's confirmation; a note shared as feedback for a team."""
    actor = Actor.of_agent(agent)
    customer_actions.add_contact_points(customer, actor=actor, emails=["dana.w@example.com"])  # the scenarios took hers
    earlier = ticket_actions.create_ticket(actor=actor, requester=customer, subject="The same fault")
    ticket = ticket_actions.create_ticket(actor=actor, requester=customer, subject="Resolved?")
    first = resolution_actions.solve(ticket, actor=actor, resolution=resolution_actions.NewResolution(
        root_cause="product_defect", resolution_code="fixed", summary="Replaced the part.",
        knowledge_base_reference="KB-12", confirmation="send"))
    resolution_actions.customer_not_fixed(tokens.sign(tokens.CONFIRMATION, first.pk), comment="It broke again.")
    resolution_actions.solve(ticket, actor=actor, resolution=resolution_actions.NewResolution(
        root_cause="other", summary="Replaced the board.", linked_ticket=earlier.pk, confirmation="confirmed",
        confirmed_by="phone"))
    resolution_actions.share_feedback(ticket, actor=actor, team="product", body="The part keeps failing.")


def _configuration(agent) -> None:
    """A ticket group added, renamed and removed, as the admin does it."""
    actor = Actor.of_agent(agent)
    group = agent_actions.save_configuration(Group(key="night_shift", name="Night shift"), actor=actor)
    group.name = "Night and weekend shift"
    agent_actions.save_configuration(group, actor=actor)
    agent_actions.delete_configuration([group], actor=actor)


@pytest.fixture
def every_kind(agent, customer, order, settings):
    """Every kind written through the real actions: the scenarios' results and a ticket changed everywhere."""
    results = _scenarios(agent)
    _escalation_ladder_ends(agent, customer)
    _cases(agent, customer)
    _sla(agent, customer)
    ticket = _ticket_changes(agent, customer, order)
    _outbox(ticket)
    _inbound(ticket, agent)
    _recordings(ticket, agent, settings)
    _resolutions(agent, customer)
    _surveys_and_clarifications(agent)
    _customer_and_agent_changes(agent, customer, order)
    _desk(agent, customer)
    _knowledge(agent, ticket)
    _configuration(agent)
    return results


def _written() -> set[tuple[str, str]]:
    return {(log._meta.label, action) for log in LOGS for action in log.objects.values_list("action", flat=True)}


def assert_reads_cleanly(text: str, where: str) -> None:
    """No empty quotes, no Python None, no unfilled name, no field left as a raw payload."""
    for bad in ("“”", "None", "{", "}", "'id':"):
        assert bad not in text, f"{where}: {bad!r} in {text!r}"


def test_the_actions_write_every_declared_kind(every_kind):
    assert _written() == set(events.kinds())


def test_every_event_reads_cleanly_in_every_renderer(every_kind, client, agent, api):
    for log in LOGS:  # the registry's text, as the API's summary gives it
        rows = list(log.objects.order_by("id"))
        for event, sentence in zip(rows, events.describe_all(rows)):
            assert_reads_cleanly(str(sentence), f"{event.action}")
            assert_reads_cleanly(sentence.render(events.HTML), f"{event.action} as HTML")

    client.force_login(agent)
    for ticket in Ticket.objects.all():
        answer = api.get(f"/api/v1/tickets/{ticket.pk}/events").json()
        assert [event["summary"] for event in answer] == [
            str(sentence) for sentence in events.describe_all(TicketEvent.objects.filter(ticket=ticket).order_by("at", "id"))]
        for event in answer:
            assert_reads_cleanly(event["summary"], f"API {event['action']}")
        timeline = client.get(reverse("web:ticket-timeline", args=[ticket.pk])).content.decode()
        assert_reads_cleanly(re.sub(r"<[^>]+>", "", timeline), f"workspace timeline of #{ticket.pk}")
    for customer in Customer.objects.all():
        answer = api.get(f"/api/v1/customers/{customer.pk}/events").json()
        for event in answer:
            assert_reads_cleanly(event["summary"], f"API {event['action']}")
        history = client.get(reverse("web:customer-history", args=[customer.pk])).content.decode()
        assert_reads_cleanly(re.sub(r"<[^>]+>", "", history), f"history of customer #{customer.pk}")
    for result in every_kind:
        assert_reads_cleanly(render_timeline(result), f"simulation {result.title}")


def test_the_care_call_done_by_a_logged_call_reads_with_its_task(db, client, agent):
    """The workspace read a "title" the `task.done` payload never had and showed `completed the follow-up “”`."""
    result = run_scenario(load_scenario(ROOT / "tests" / "scenarios" / "care_call_first_open_ticket.yaml"))
    ticket = Ticket.objects.get(subject=result.tickets[0].subject)
    done = TicketEvent.objects.get(ticket=ticket, action="task.done")
    assert set(done.after) == {"tasks", "reason"}
    with pytest.raises(events.UndeclaredEvent, match="declares no key 'title'"):
        events.read(done).after["title"]  # what the old renderer read: the registry refuses it now

    client.force_login(agent)
    timeline = client.get(reverse("web:ticket-timeline", args=[ticket.pk])).content.decode()
    assert "completed the follow-up “Call the customer”: a call was logged" in timeline
    assert "“”" not in timeline
    assert str(events.describe(done)) == "completed the follow-up “Call the customer”: a call was logged"
    assert "completed the follow-up call day 1 “Call the customer”: a call was logged" in render_timeline(result)


def test_an_undeclared_kind_or_payload_fails_at_once(ticket, actor):
    with pytest.raises(events.UndeclaredEvent, match='"ticket.viewed" is not a declared audit event kind'):
        TicketEvent.build(actor, "ticket.viewed", ticket=ticket)
    with pytest.raises(events.UndeclaredEvent, match="misses"):
        TicketEvent.build(actor, "task.done", ticket=ticket, field="task", after={"tasks": ["a"]})
    with pytest.raises(events.UndeclaredEvent, match="undeclared keys"):
        TicketEvent.build(actor, "task.done", ticket=ticket, field="task",
                          after={"tasks": ["a"], "reason": "r", "title": "t"})
    with pytest.raises(events.UndeclaredEvent, match="field is 'flags'"):
        TicketEvent.build(actor, "flag.raised", ticket=ticket, field="flag", after="vip")
    with pytest.raises(events.UndeclaredEvent, match="not a declared"):  # a kind belongs to its own log
        CustomerEvent.build(actor, "flag.raised", customer=ticket.requester, field="flags", after="vip")


def test_what_a_redaction_rewrites_is_declared_by_each_kind():
    """EventKind.quotes names keys the kind's values have (a misspelt key would leave a text unredacted)."""
    from caredesk.core.events import WHOLE, kinds

    quoting = {action: kind for (_, action), kind in kinds().items() if kind.quotes}
    assert {"ticket.created", "description.changed", "escalation.requested", "survey.rated"} <= set(quoting)
    for action, kind in quoting.items():
        declared = {key for shape in (kind.before, kind.after)
                    for key in (*getattr(shape, "keys", ()), *getattr(shape, "optional", ()))}
        assert kind.quotes == (WHOLE,) or set(kind.quotes) <= declared, action


def test_docs_audit_lists_every_declared_kind():
    text = (ROOT / "docs" / "audit.md").read_text()
    assert events.table() in text, "docs/audit.md: paste caredesk.core.events.table() in place of its table"


def test_events_are_made_only_by_build():
    """`AuditEvent.build` is where the registry checks a kind: no code makes an event another way."""
    logs = "|".join(log.__name__ for log in LOGS)
    other_ways = re.compile(rf"(?<!class )\b({logs})\(|\b({logs})\.objects\.(create|bulk_create|get_or_create)\(")
    found = [f"{path.relative_to(ROOT)}:{number}" for path in (ROOT / "caredesk").rglob("*.py")
             if "migrations" not in path.parts
             for number, line in enumerate(path.read_text().splitlines(), 1) if other_ways.search(line)]
    assert found == []
