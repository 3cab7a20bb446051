"""The pure rules of resolutions: required fields, the confirmation's channel, the composer's tab, weeks; and the
playbooks' preferred channel first, which never adds or removes one of SOP 001's channels."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredesk.playbooks.engine import TicketFacts, plan_channels
from caredesk.resolutions import rules

FIELDS = list(rules.REQUIRABLE_FIELDS)
# The machine running the suite may be loaded: generation time says nothing about these rules.
LOADED_MACHINE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_missing_fields_come_in_the_forms_order_and_only_when_required():
    given_fields = {"root_cause": False, "summary": False, "resolution_code": True, "reference": False}
    assert rules.missing_fields(["summary", "root_cause"], given_fields) == ["root_cause", "summary"]
    assert rules.missing_fields(["resolution_code"], given_fields) == []
    assert rules.missing_fields([], {}) == []


@LOADED_MACHINE
@given(st.sets(st.sampled_from(FIELDS)), st.dictionaries(st.sampled_from(FIELDS), st.booleans()))
def test_a_missing_field_is_required_and_not_given(required, given_fields):
    missing = rules.missing_fields(required, given_fields)
    assert set(missing) == {name for name in required if not given_fields.get(name)}


def test_unknown_fields_are_named():
    assert rules.unknown_fields(["summary", "mood", "colour"]) == ["colour", "mood"]


@pytest.mark.parametrize(("preferred", "has_email", "has_phone", "channel"), [
    ("email", True, True, "email"), ("sms", True, True, "sms"), ("phone", True, True, "sms"),
    ("sms", True, False, "email"),  # the contact data decides: no phone number, no text
    ("email", False, True, "sms"), ("", True, True, "email"), ("", False, True, "sms"), ("phone", False, False, None),
])
def test_the_confirmation_goes_on_the_preferred_channel_the_contact_data_allows(preferred, has_email, has_phone,
                                                                                 channel):
    assert rules.confirmation_channel(preferred, has_email=has_email, has_phone=has_phone) == channel


@pytest.mark.parametrize(("preferred", "has_email", "has_phone", "default"), [
    ("phone", True, True, "later"),  # SOP 004 "such as phone": the agent calls
    ("phone", True, False, "send"), ("sms", False, True, "send"), ("email", True, True, "send"),
    ("", True, False, "send"),
    ("", False, False, "later"), ("email", False, False, "later"),
])
def test_a_customer_who_prefers_the_phone_is_called_and_another_gets_a_message(preferred, has_email, has_phone,
                                                                                 default):
    assert rules.default_confirmation(preferred, has_email=has_email, has_phone=has_phone) == default


def test_the_composer_opens_on_the_preferred_channel():
    assert [rules.composer_tab(preferred) for preferred in ("email", "phone", "sms", "")] == [
        "reply", "call", "text", "reply"]


def test_a_week_starts_on_monday():
    assert rules.week_of(datetime(2026, 3, 8, 23, 59, tzinfo=UTC)) == date(2026, 3, 2)  # a Sunday
    assert rules.week_of(date(2026, 3, 2)) == date(2026, 3, 2)


FACTS = st.builds(TicketFacts, ticket_type=st.just("general_inquiry"), has_linked_order=st.booleans(),
                  customer_emails=st.lists(st.just("a@example.com"), max_size=1).map(tuple),
                  customer_phones=st.lists(st.just("+14155550132"), max_size=1).map(tuple),
                  preferred_channel=st.sampled_from(["", "email", "phone", "sms"]))


@LOADED_MACHINE
@given(FACTS)
def test_the_preferred_channel_comes_first_and_the_sops_channels_stay(facts):
    planned = plan_channels(facts)
    unordered = plan_channels(TicketFacts(**{**facts.__dict__, "preferred_channel": ""}))
    assert sorted(channel.channel for channel in planned) == sorted(channel.channel for channel in unordered)
    wanted = {"email": "email", "phone": "call", "sms": "text"}.get(facts.preferred_channel)
    if wanted in [channel.channel for channel in planned]:
        assert planned[0].channel == wanted


def test_a_customer_who_prefers_texts_with_a_linked_order_gets_the_text_first():
    facts = TicketFacts(ticket_type="general_inquiry", has_linked_order=True, customer_emails=("a@example.com",),
                        customer_phones=("+14155550132",), preferred_channel="sms")
    assert [channel.channel for channel in plan_channels(facts)] == ["text", "email", "call"]
