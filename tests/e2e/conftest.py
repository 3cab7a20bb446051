"""Browser tests: Playwright's Python package driving Debian's Chromium against pytest-django's live_server.

Chromium comes from apt (`apt-get install -y chromium`), never from `playwright install`. Without it the
tests skip with the reason, unless CAREDESK_REQUIRE_E2E=1 (CI), where they fail instead.
"""

from __future__ import annotations

import os
import shutil

import pytest

from caredesk.core import roles

# Playwright's sync API runs an event loop in this thread; Django's async-safety check would refuse the
# ORM calls the fixtures make beside it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
PASSWORD = "correct-horse-battery"


def unavailable(reason: str):
    """Skip with `reason`; fail instead when CAREDESK_REQUIRE_E2E=1 (CI), where everything must run."""
    if os.environ.get("CAREDESK_REQUIRE_E2E") == "1":
        pytest.fail(f"CAREDESK_REQUIRE_E2E=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        unavailable("Chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Reports every Content-Security-Policy violation to the console, where the page fixture collects it.
REPORT_CSP_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) =>
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`));"""


SETTLE_MILLISECONDS = 500  # long enough for a request the page sent before leaving to be answered


@pytest.fixture
def page(browser, live_server):
    """A page of the live server; a test fails if anything on it broke the Content-Security-Policy."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(message.text) if (
        "Content Security Policy" in message.text or message.text.startswith("CSP violation")) else None)
    yield page
    # Leave the workspace first: its panels poll the server, and a request still being served when the test's
    # database is emptied fails (the flush finds tables locked, or the request finds no database).
    page.goto("about:blank")
    page.wait_for_timeout(SETTLE_MILLISECONDS)
    context.close()
    assert not violations, violations


@pytest.fixture
def e2e_db(transactional_db, settings, tmp_path):
    """A committed database the live server sees. A transactional test empties every table when it ends;
    the shipped roles and lists come back by themselves (each app seeds its defaults on post_migrate,
    which the flush emits)."""
    # Uploaded documents go to a throwaway folder, under the shipped size limit whatever other tests set.
    settings.MEDIA_ROOT, settings.ATTACHMENT_MAX_BYTES = tmp_path / "files", 25 * 1024 * 1024


@pytest.fixture
def e2e_agent(e2e_db):
    """Make an agent in a role, with a password the browser types."""
    from caredesk.core.actions import create_agent

    def make(username="maria", role=roles.AGENT, **fields):
        return create_agent(username=username, password=PASSWORD, role_names=[role], check_password=False,
                            **fields)

    return make


@pytest.fixture
def maria(e2e_agent):
    return e2e_agent("maria", first_name="Maria", last_name="Lopez")


@pytest.fixture
def dana(maria):
    """A customer with an email address and a phone number, created by Maria."""
    from caredesk.core.audit import Actor
    from caredesk.customers.actions import create_customer

    return create_customer(actor=Actor.of_agent(maria), name="Dana Whitfield", emails=["dana@example.com"],
                           phones=["+1 415 555 0132"])


@pytest.fixture
def sign_in(page):
    def sign_in_as(username: str, password: str = PASSWORD):
        page.goto("/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        return page

    return sign_in_as
