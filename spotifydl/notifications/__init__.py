"""Notifications through Apprise: per person and installation-wide, one kind switch each."""
