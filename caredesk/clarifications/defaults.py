"""The sub-categories a new installation starts with under SOP 000's two categories (the team edits them)."""

SUB_CATEGORIES = [
    ("builder_agent_feedback", "builder_design_not_as_requested", "Design not as requested"),
    ("builder_agent_feedback", "builder_task_done_incorrectly", "Task completed incorrectly"),
    ("builder_agent_feedback", "agent_missed_instructions", "Agent missed the customer's instructions"),
    ("builder_agent_feedback", "agent_communication", "Agent communication"),
    ("care_clarification", "care_content_change", "Content change after delivery"),
    ("care_clarification", "care_functionality", "Functionality question"),
    ("care_clarification", "care_scope", "What the Care plan covers"),
    ("care_clarification", "care_access", "Access and logins"),
]


def seed(apps, schema_editor=None) -> None:
    model = apps.get_model("clarifications.SubCategory")
    for position, (category, key, name) in enumerate(SUB_CATEGORIES):
        model.objects.get_or_create(key=key, defaults={"name": name, "category": category, "position": position})
