"""The roles an agent can hold (Django groups shipped by a data migration) and what each may do.

A capability names something an agent does; routes and views ask for a capability, never for a role.
"""

from __future__ import annotations

AGENT = "Agent"
BACK_OFFICE = "Back Office"
RESOLUTION_SPECIALIST = "Resolution Specialist"
RESOLUTION_LEAD = "Resolution Lead"
TEAM_SUPERVISOR = "Team Supervisor"
ADMIN = "Admin"

ALL_ROLES = (AGENT, BACK_OFFICE, RESOLUTION_SPECIALIST, RESOLUTION_LEAD, TEAM_SUPERVISOR, ADMIN)

WORK_TICKETS = "work_tickets"  # read and change tickets, add interactions
MANAGE_CUSTOMERS = "manage_customers"  # create and edit customers and orders
VIEW_AUDIT = "view_audit"  # read a ticket's audit events
VIEW_REPORTS = "view_reports"
MANAGE_AGENTS = "manage_agents"  # agents, roles and API tokens of others
CONFIGURE = "configure"  # lists, canned responses, playbooks: the admin site
MANAGE_INBOUND = "manage_inbound"  # quarantined inbound mail: see it, retry it, discard it
AUDIT_RECORDINGS = "audit_recordings"  # who played or downloaded which call recording, and why
WRITE_ARTICLES = "write_articles"  # write, revise and publish knowledge base articles
MANAGE_RESPONSES = "manage_responses"  # canned responses and macros, edited in the workspace
MANAGE_GROUPS = "manage_groups"  # who belongs to which ticket group, edited in the workspace

CAPABILITIES: dict[str, frozenset[str]] = {
    AGENT: frozenset({WORK_TICKETS, MANAGE_CUSTOMERS, VIEW_AUDIT, WRITE_ARTICLES}),
    BACK_OFFICE: frozenset({WORK_TICKETS, VIEW_AUDIT}),
    RESOLUTION_SPECIALIST: frozenset({WORK_TICKETS, MANAGE_CUSTOMERS, VIEW_AUDIT}),
    RESOLUTION_LEAD: frozenset({WORK_TICKETS, MANAGE_CUSTOMERS, VIEW_AUDIT, VIEW_REPORTS}),
    TEAM_SUPERVISOR: frozenset({WORK_TICKETS, MANAGE_CUSTOMERS, VIEW_AUDIT, VIEW_REPORTS, MANAGE_RESPONSES,
                                MANAGE_GROUPS, WRITE_ARTICLES}),
    ADMIN: frozenset({WORK_TICKETS, MANAGE_CUSTOMERS, VIEW_AUDIT, VIEW_REPORTS, MANAGE_AGENTS, CONFIGURE,
                      MANAGE_INBOUND, AUDIT_RECORDINGS, MANAGE_RESPONSES, MANAGE_GROUPS, WRITE_ARTICLES}),
}


def capabilities_of(role_names) -> frozenset[str]:
    granted: set[str] = set()
    for role in role_names:
        granted |= CAPABILITIES.get(role, frozenset())
    return frozenset(granted)
