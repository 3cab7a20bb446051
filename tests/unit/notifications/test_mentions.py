"""@username mentions in a note: agents' usernames, never the middle of an email address."""

from caredesk.notifications.mentions import mentioned_usernames


def test_mentions_are_found_once_each_in_order():
    assert mentioned_usernames("@sam can you call? cc @Lee and @sam.") == ["sam", "Lee"]


def test_an_email_address_is_no_mention():
    assert mentioned_usernames("wrote to dana@example.com and @maria.lopez") == ["maria.lopez"]


def test_no_mention():
    assert mentioned_usernames("") == []
    assert mentioned_usernames("price is 5 @ 3") == []
