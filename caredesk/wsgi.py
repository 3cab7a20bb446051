import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.settings")
application = get_wsgi_application()

# The workspace pages' poll is answered in front of Django (caredesk/live/poll.py).
from caredesk.live.poll import FastPoll  # noqa: E402  (after Django is set up)

application = FastPoll(application)
