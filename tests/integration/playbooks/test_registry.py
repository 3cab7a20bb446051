"""Which playbooks are in force, and how a running ticket keeps the version it started with."""

from __future__ import annotations

import pytest

from caredesk.playbooks import registry
from caredesk.playbooks.spec import DEFAULTS_DIRECTORY, PlaybookError


def team_copy(directory, version: int, extra_note: str = "") -> None:
    """The shipped general follow-up as a team's own file, with another version (and maybe another note)."""
    text = (DEFAULTS_DIRECTORY / "general_inquiry_follow_up.yaml").read_text()
    text = text.replace("version: 1", f"version: {version}", 1)
    if extra_note:
        text = text.replace('- note: "1/3"', f'- note: "1/3 {extra_note}"', 1)
    (directory / "general_inquiry_follow_up.yaml").write_text(text)


def test_a_team_file_replaces_the_shipped_playbook_of_the_same_name(settings, tmp_path):
    team_copy(tmp_path, version=2)
    settings.PLAYBOOKS_DIR = str(tmp_path)
    in_force = {playbook.name: playbook for playbook in registry.in_force()}
    assert in_force["general_inquiry_follow_up"].version == 2
    assert {"care_call_first", "refund_request_follow_up"} <= set(in_force)


def test_a_missing_team_directory_is_a_clear_error(settings, tmp_path):
    settings.PLAYBOOKS_DIR = str(tmp_path / "nowhere")
    with pytest.raises(PlaybookError, match="CAREDESK_PLAYBOOKS_DIR"):
        registry.in_force()


def test_a_running_version_keeps_its_text_and_changed_text_needs_a_new_version(db, settings, tmp_path):
    team_copy(tmp_path, version=2)
    settings.PLAYBOOKS_DIR = str(tmp_path)
    [general] = [playbook for playbook in registry.in_force() if playbook.name == "general_inquiry_follow_up"]
    stored = registry.definition_for(general)
    assert registry.definition_for(general) == stored  # the same text: the same stored definition

    team_copy(tmp_path, version=2, extra_note="(changed)")
    [edited] = [playbook for playbook in registry.in_force() if playbook.name == "general_inquiry_follow_up"]
    with pytest.raises(PlaybookError, match="new version number"):
        registry.definition_for(edited)
    assert "(changed)" not in registry.playbook_of(stored).steps[0].if_not_reached[0].text
