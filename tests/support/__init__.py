"""Helpers shared by the test directories: waiting, servers and processes, signing in, files."""
