"""Every scenario in tests/scenarios runs through the real engine, runner and actions and produces the
timeline its `expect:` section states; then the real `caredesk simulate` command on one of them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from caredesk.playbooks.simulate import load_scenario, run_scenario
from caredesk.playbooks.timeline import expectation_diff

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.yaml"))
CAREDESK = str(Path(sys.executable).with_name("caredesk"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_scenario_produces_its_expected_timeline(db, path):
    scenario = load_scenario(path)
    assert scenario.expect, f"{path.name} has no expect: section"
    result = run_scenario(scenario)
    difference = expectation_diff(scenario.expect, result)
    assert difference is None, f"{path.name}: the simulated timeline differs from expect:\n{difference}"


def simulate(*args: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CAREDESK_")}
    env["DJANGO_SETTINGS_MODULE"] = "caredesk.settings"
    env["CAREDESK_DATABASE_URL"] = "postgresql://nobody@127.0.0.1:1/ignored"  # the command must not use it
    return subprocess.run([CAREDESK, "simulate", *args], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


@pytest.mark.e2e
def test_the_simulate_command_prints_the_timeline_as_text_and_as_json():
    scenario = next(path for path in SCENARIOS if path.stem == "general_inquiry_linked_order_unresponsive")
    text = simulate(str(scenario))
    assert text.returncode == 0, text.stderr
    assert "Day 1 - Mon 08 Sep 2025" in text.stdout and 'wrote the internal note “3/3”' in text.stdout
    assert "general_inquiry_follow_up: unresponsive_closed" in text.stdout
    assert "Expectation met." in text.stdout

    data = simulate(str(scenario), "--json")
    assert data.returncode == 0, data.stderr
    result = json.loads(data.stdout)
    assert result["summary"]["outcomes"] == ["general_inquiry_follow_up: unresponsive_closed"]
    assert result["expectation"] == {"met": True, "diff": None}
    assert [task["channels_tried"] for task in result["tasks"]] == [["email", "call", "text"]] * 3


@pytest.mark.e2e
def test_the_simulate_command_refuses_an_invalid_scenario(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: Broken\nstart: 2025-09-08 09:00\nticket: {}\nevents: []\nuntil: day 2 09:00\n")
    result = simulate(str(bad))
    assert result.returncode == 1
    assert f"{bad}, line 2: start: expected a date-time with an offset" in result.stderr
