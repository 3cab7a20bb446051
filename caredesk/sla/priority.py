"""How a ticket's priority is reached (SOP 004: impact, urgency, the customer's importance, the contract).
Pure: no Django import.

The matrix (data the team edits) gives a priority for an impact and an urgency. The customer's importance
and the contract tier may each be marked as raising priority; whatever raises it, it rises by at most one
level, never above the top one. An agent's override, which needs a reason, wins over all of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Assessment:
    priority: int
    matrix_priority: int  # before any raise: the matrix's cell, or the default without one
    raised: bool
    overridden: bool
    steps: tuple[str, ...]  # how it was reached, in order, as sentences

    def explanation(self) -> str:
        return "; ".join(self.steps)


def assess(*, levels: Mapping[int, str], default: int, impact: str | None = None, urgency: str | None = None,
           matrix: Mapping[tuple[str, str], int] | None = None, raisers: Sequence[str] = (),
           override: int | None = None, override_reason: str = "") -> Assessment:
    """`levels` names the priorities, lowest first; `raisers` name what raises the priority (e.g.
    "VIP customer"); `impact` and `urgency` are names as the team wrote them."""
    if default not in levels:
        raise ValueError(f"the default priority {default!r} is not one of {sorted(levels)}")
    matrix = matrix or {}
    steps = []
    if impact and urgency and (impact, urgency) in matrix:
        base = matrix[(impact, urgency)]
        steps.append(f"{levels[base]} from impact {impact} and urgency {urgency}")
    else:
        base = default
        missing = "no impact and urgency" if not (impact and urgency) else f"no matrix cell for {impact}/{urgency}"
        steps.append(f"{levels[base]} by default ({missing})")
    priority = base
    top = max(levels)
    if raisers:
        raised_to = min(top, base + 1)
        if raised_to > base:
            steps.append(f"raised one level to {levels[raised_to]} for {' and '.join(raisers)}")
        else:
            steps.append(f"already {levels[base]}, the top level ({' and '.join(raisers)} would raise it)")
        priority = raised_to
    raised = priority > base
    if override is not None:
        if override not in levels:
            raise ValueError(f"the override {override!r} is not one of {sorted(levels)}")
        if not override_reason.strip():
            raise ValueError("an override needs a reason")
        steps.append(f"set to {levels[override]} by an agent: {override_reason.strip()}")
        priority = override
    return Assessment(priority, base, raised, override is not None, tuple(steps))
