"""Helpers the tests share: a real server process, handlers with fixed answers."""
