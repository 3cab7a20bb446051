"""Test settings: a throwaway data directory, and PostgreSQL when CAREDESK_TEST_DATABASE_URL is set."""

import os
import tempfile

os.environ["CAREDESK_HOME"] = tempfile.mkdtemp(prefix="caredesk-test-")
if os.environ.get("CAREDESK_TEST_DATABASE_URL"):
    os.environ["CAREDESK_DATABASE_URL"] = os.environ["CAREDESK_TEST_DATABASE_URL"]
else:
    os.environ.pop("CAREDESK_DATABASE_URL", None)

from caredesk.settings import *  # noqa: E402,F401,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast sign-ins in tests only
