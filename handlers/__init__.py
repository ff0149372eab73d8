"""Conversation logic: decide what to answer and what to change, through `store/` only.

`respond` is the one entry point; each flow lives in its own module.
"""

from handlers.conversation import Outcome, respond
from handlers.message import IncomingMessage, Location, Media
from handlers.turn import Limits

__all__ = ["IncomingMessage", "Limits", "Location", "Media", "Outcome", "respond"]
