"""What a new installation starts with for priority and SLAs (the team edits all of it in the admin).

Impact and urgency lists and the matrix between them (SOP 004: "priority levels such as high, medium, or low
based on ... the severity of the issue"); key and VIP customers and the premium contract raise priority one
level; SOP 004's categories get suggested tags; three SLA policies by priority on the default calendar. The
standard policy's periodic update of 480 business minutes (one 8-hour business day) is SOP 002's promise of
"an update within 1 day".
"""

import uuid

from caredesk.core.defaults import seed_entries

IMPACTS = [("one_person", "One person"), ("several_people", "Several people or orders"),
           ("whole_business", "The customer's whole business")]
URGENCIES = [("can_wait", "Can wait"), ("needed_soon", "Needed soon"), ("blocks_work", "Blocks work now")]
LOW, MEDIUM, HIGH, URGENT = 1, 2, 3, 4
MATRIX = {
    "one_person": {"can_wait": LOW, "needed_soon": MEDIUM, "blocks_work": HIGH},
    "several_people": {"can_wait": MEDIUM, "needed_soon": HIGH, "blocks_work": HIGH},
    "whole_business": {"can_wait": MEDIUM, "needed_soon": HIGH, "blocks_work": URGENT},
}
IMPORTANCE_RAISES = {"standard": False, "key": True, "vip": True}
CONTRACT_TIERS = [("standard", "Standard", False), ("premium", "Premium", True)]
CATEGORY_TAGS = {"technical_support": "technical, troubleshooting", "billing": "billing, refund, invoice",
                 "product_inquiry": "product", "general_question": "general"}
WAITING = ["pending", "on_hold"]  # waiting on the customer, on a third party
POLICIES = [
    ("urgent", "Urgent tickets", [URGENT], 15, {"first_reply": 60, "next_reply": 60, "periodic_update": 240,
                                                "resolution": 480}),
    ("high", "High priority tickets", [HIGH], 30, {"first_reply": 120, "next_reply": 240, "periodic_update": 480,
                                                   "resolution": 960}),
    ("standard", "Standard", [], 60, {"first_reply": 480, "next_reply": 480, "periodic_update": 480,
                                      "resolution": 2400}),
]
PAUSED_BY = {"first_reply": [], "next_reply": [], "periodic_update": WAITING, "resolution": WAITING}


def seed(apps, schema_editor=None) -> None:
    # A fresh token for what is seeded here (after a flush too): every process re-reads its snapshot. (The
    # first data migration runs before the model exists; 0004 seeds it.)
    if "slaconfiguration" in apps.all_models["sla"]:
        apps.get_model("sla.SlaConfiguration").objects.get_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
    seed_entries(apps, "sla.Impact", IMPACTS)
    seed_entries(apps, "sla.Urgency", URGENCIES)
    Impact, Urgency = apps.get_model("sla.Impact"), apps.get_model("sla.Urgency")
    Cell = apps.get_model("sla.PriorityMatrixCell")
    if not Cell.objects.exists():
        impacts, urgencies = Impact.objects.in_bulk(field_name="key"), Urgency.objects.in_bulk(field_name="key")
        Cell.objects.bulk_create([Cell(impact=impacts[impact], urgency=urgencies[urgency], priority=value)
                                  for impact, row in MATRIX.items() for urgency, value in row.items()])
    Rule = apps.get_model("sla.ImportanceRule")
    for importance, raises in IMPORTANCE_RAISES.items():
        Rule.objects.get_or_create(importance=importance, defaults={"raises_priority": raises})
    Tier = apps.get_model("sla.ContractTier")
    for position, (key, name, raises) in enumerate(CONTRACT_TIERS):
        Tier.objects.get_or_create(key=key, defaults={"name": name, "position": position, "raises_priority": raises})
    Category, Tags = apps.get_model("tickets.Category"), apps.get_model("sla.CategoryTags")
    for category in Category.objects.filter(key__in=CATEGORY_TAGS):
        Tags.objects.get_or_create(category=category, defaults={"tags": CATEGORY_TAGS[category.key]})
    Policy, Target = apps.get_model("sla.SlaPolicy"), apps.get_model("sla.SlaTargetSpec")
    if Policy.objects.exists():
        return
    for position, (key, name, priorities, warn, targets) in enumerate(POLICIES):
        policy = Policy.objects.create(key=key, name=name, position=position, priorities=priorities)
        Target.objects.bulk_create([
            Target(policy=policy, metric=metric, business_minutes=minutes, pausing_statuses=PAUSED_BY[metric],
                   warn_minutes_before=warn) for metric, minutes in targets.items()])
