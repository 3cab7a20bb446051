"""Pure survey rules: who is not surveyed, and the scores. No database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SurveyFacts:
    """What the sweep knows about a due survey's ticket when it decides."""

    status: str  # the ticket's status now
    outcomes: tuple[str, ...]  # the outcomes of the ticket's playbook runs
    address: str | None  # where the email would go
    bounced: bool  # mail to the address bounced before


def exclusion(facts: SurveyFacts, *, excluded_outcomes: Iterable[str], automated_local_parts: Iterable[str]) -> str:
    """Why no survey goes out, or "" when it may."""
    if facts.status not in ("solved", "closed"):
        return f"the ticket is {facts.status} again"
    outcome = next((outcome for outcome in facts.outcomes if outcome in set(excluded_outcomes)), None)
    if outcome:
        return f"the ticket ended as {outcome.replace('_', ' ')}"
    if not facts.address:
        return "the customer has no email address"
    local = facts.address.rpartition("@")[0].lower()
    if any(local == part.lower() or local.startswith(part.lower() + "+") for part in automated_local_parts):
        return f"{facts.address} is an automated address"
    if facts.bounced:
        return f"mail to {facts.address} bounced"
    return ""


def csat(good: int, bad: int) -> float | None:
    """good / (good + bad), or None without answers."""
    return good / (good + bad) if good + bad else None


def nps_group(score: int) -> str:
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


def nps(scores: Iterable[int]) -> float | None:
    """% promoters - % detractors, from -100 to 100; None without answers."""
    groups = [nps_group(score) for score in scores]
    return nps_of(groups.count("promoter"), groups.count("passive"), groups.count("detractor"))


def nps_of(promoters: int, passives: int, detractors: int) -> float | None:
    """The NPS of answers counted by group; None without answers."""
    answers = promoters + passives + detractors
    return 100 * (promoters - detractors) / answers if answers else None
