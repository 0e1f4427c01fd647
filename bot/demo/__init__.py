"""The offline demo: a recorded night replayed through the whole system on local stand-ins."""
