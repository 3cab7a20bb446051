"""What each role may do."""

from __future__ import annotations

import pytest

from caredesk.core import roles
from caredesk.core.roles import (
    AUDIT_RECORDINGS, CONFIGURE, MANAGE_AGENTS, MANAGE_CUSTOMERS, MANAGE_GROUPS, MANAGE_INBOUND, MANAGE_RESPONSES,
    VIEW_AUDIT, VIEW_REPORTS, WORK_TICKETS, WRITE_ARTICLES,
    capabilities_of,
)

EXPECTED = {
    roles.AGENT: {WORK_TICKETS, MANAGE_CUSTOMERS, VIEW_AUDIT, WRITE_ARTICLES},
    roles.BACK_OFFICE: {WORK_TICKETS, VIEW_AUDIT},
    roles.RESOLUTION_SPECIALIST: {WORK_TICKETS, MANAGE_CUSTOMERS, VIEW_AUDIT},
    roles.RESOLUTION_LEAD: {WORK_TICKETS, MANAGE_CUSTOMERS, VIEW_AUDIT, VIEW_REPORTS},
    roles.TEAM_SUPERVISOR: {WORK_TICKETS, MANAGE_CUSTOMERS, VIEW_AUDIT, VIEW_REPORTS, MANAGE_RESPONSES, MANAGE_GROUPS,
                            WRITE_ARTICLES},
    roles.ADMIN: {WORK_TICKETS, MANAGE_CUSTOMERS, VIEW_AUDIT, VIEW_REPORTS, MANAGE_AGENTS, CONFIGURE, MANAGE_INBOUND,
                  AUDIT_RECORDINGS, MANAGE_RESPONSES, MANAGE_GROUPS, WRITE_ARTICLES},
}


def test_every_role_is_described():
    assert set(roles.ALL_ROLES) == set(EXPECTED) == set(roles.CAPABILITIES)


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_capabilities_of_one_role(role):
    assert capabilities_of([role]) == frozenset(EXPECTED[role])


def test_no_role_grants_nothing():
    assert capabilities_of([]) == frozenset()
    assert capabilities_of(()) == frozenset()


def test_unknown_roles_grant_nothing():
    assert capabilities_of(["Janitor", "admin", ""]) == frozenset()


def test_roles_add_up():
    assert capabilities_of([roles.BACK_OFFICE, roles.RESOLUTION_LEAD]) == frozenset(
        {WORK_TICKETS, VIEW_AUDIT, MANAGE_CUSTOMERS, VIEW_REPORTS}
    )
    assert capabilities_of({roles.BACK_OFFICE, "Janitor"}) == frozenset({WORK_TICKETS, VIEW_AUDIT})


def test_only_admin_configures_and_manages_agents():
    for role in roles.ALL_ROLES:
        granted = capabilities_of([role])
        assert (CONFIGURE in granted) == (role == roles.ADMIN)
        assert (MANAGE_AGENTS in granted) == (role == roles.ADMIN)


def test_back_office_cannot_manage_customers():
    assert MANAGE_CUSTOMERS not in capabilities_of([roles.BACK_OFFICE])


def test_result_is_immutable():
    assert isinstance(capabilities_of([roles.AGENT]), frozenset)
