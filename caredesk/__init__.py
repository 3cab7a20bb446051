"""caredesk: a helpdesk that runs a support team's standard operating procedures as code."""

__version__ = "0.1.0"
