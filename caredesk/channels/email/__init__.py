"""Email channel: a pure core (parsing, machine-mail detection, ticket tokens, composing) under a Django shell.

The modules in this package import only the standard library, nh3, mail-parser-reply and quotequail, so
they run and test without Django. See docs/email.md.
"""
