"""Runnable developer tools (bench/, deploy/); not part of the installed package."""
