"""What the worker's jobs work with, made once by the process that runs them (bot/worker.py)
and handed to every job: the scheduler never reaches into the app for it."""

from dataclasses import dataclass
from datetime import time

from sqlalchemy import Engine

from scheduler.photo_copies import TwilioMedia
from scheduler.sender import SenderSettings
from store.media import MediaStore
from store.media_links import MediaLinks
from store.spool import Spool


@dataclass(frozen=True)
class WorkerResources:
    engine: Engine  # with the requests' timeouts; long work asks for `unbounded(engine)`
    media_store: MediaStore  # where citizens' photos are copied to
    media_links: MediaLinks  # for the photos of a facilitator's LIHAT answered from the spool
    twilio_media: TwilioMedia  # where citizens' photos are copied from
    sender: SenderSettings
    spool: Spool  # the messages kept while the database was down
    digest_times: tuple[time, ...]  # WIB
    reports_per_day: int  # per citizen, as the webhook allows
