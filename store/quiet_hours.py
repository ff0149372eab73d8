"""Quiet hours: when staff may be sent WhatsApp messages (a window of the day in WIB).

Pure rules, no database. A staff notification due outside the window waits for its
next opening (scheduler/sender.py holds it)."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from store.clock import JAKARTA

DEFAULT = "06:00-21:00"
_WINDOW = re.compile(r"(\d\d):(\d\d) ?- ?(\d\d):(\d\d)")


class MalformedWindow(ValueError):
    pass


@dataclass(frozen=True)
class SendingWindow:
    """From `opens` to `closes`, WIB, every day; `opens` later than `closes` spans
    midnight (22:00-06:00 sends at night)."""

    opens: time
    closes: time

    @classmethod
    def parse(cls, raw: str) -> "SendingWindow":
        """`HH:MM-HH:MM`, e.g. `06:00-21:00`."""
        found = _WINDOW.fullmatch(raw.strip())
        try:
            if found is None:
                raise ValueError
            hours = [int(part) for part in found.groups()]
            opens, closes = time(hours[0], hours[1]), time(hours[2], hours[3])
        except ValueError:
            raise MalformedWindow(f"not HH:MM-HH:MM: {raw!r}") from None
        if opens == closes:
            raise MalformedWindow(f"opens and closes at the same time: {raw!r}")
        return cls(opens, closes)

    def __str__(self) -> str:
        return f"{self.opens:%H:%M}-{self.closes:%H:%M}"

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(JAKARTA).time()
        if self.opens < self.closes:
            return self.opens <= local < self.closes
        return local >= self.opens or local < self.closes

    def opened_at(self, moment: datetime) -> datetime:
        """The window's latest opening at or before `moment` (aware, WIB)."""
        local = moment.astimezone(JAKARTA)
        today = datetime.combine(local.date(), self.opens, tzinfo=JAKARTA)
        return today if today <= local else today - timedelta(days=1)


DEFAULT_WINDOW = SendingWindow.parse(DEFAULT)
