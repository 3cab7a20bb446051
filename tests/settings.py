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

if "sqlite3" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    # A test database in a file, as caredesk runs, rather than Django's shared-cache in-memory one: there,
    # the live server's threads and the test lock whole tables and fail at once ("database table is locked")
    # where WAL and the write gate let a reader run beside the writer and writers wait their turn.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(os.environ["CAREDESK_HOME"], "test.sqlite3")}  # noqa: F405
