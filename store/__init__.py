"""The shared report store: the only code that touches SQL.

Every function that reads or writes takes the SQLModel session as the keyword
argument `session` and returns plain values; callers own the transaction.
"""
