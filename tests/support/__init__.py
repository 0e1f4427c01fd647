"""Helpers shared by several test modules (the Bot API stand-in kit, delivery fixtures, the
corpus scorer); kept out of ``test_*.py`` so no test module imports another."""
