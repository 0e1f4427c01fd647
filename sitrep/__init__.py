"""The composition root: the ``sitrep`` console command, the runtime that wires the Telegram
handlers, the domain and the store into one process, and the offline demo.

It sits above ``handlers`` so that ``handlers`` holds only Telegram code and nothing below
imports how the process is assembled.
"""
