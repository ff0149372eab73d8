"""The media store in an S3-compatible bucket (AWS S3, MinIO, Ceph, …), through the real
S3 API. Credentials come the standard AWS way (AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, a profile, or an instance role), which boto3 reads itself."""

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from store.media import MediaUnavailable, check_key

# A bucket that does not answer must not hold a request (or the worker) for minutes:
# boto3's own defaults are 60 s per connect and per read.
_CLIENT_CONFIG = Config(
    connect_timeout=3,
    read_timeout=10,
    retries={"max_attempts": 3, "mode": "standard"},
)
_MISSING = {"NoSuchKey", "404"}


class S3Store:
    """Photos as private objects of `bucket` (no ACL is given, so none is public), named
    by their key and carrying their Content-Type."""

    def __init__(self, client, bucket: str):
        self._client = client
        self._bucket = bucket

    @classmethod
    def connect(cls, bucket: str, *, endpoint_url: str | None, region: str | None) -> "S3Store":
        client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, region_name=region, config=_CLIENT_CONFIG
        )
        return cls(client, bucket)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Writing a key again is harmless: a key names its bytes (store/media.py)."""
        try:
            self._client.put_object(
                Bucket=self._bucket, Key=check_key(key), Body=data, ContentType=content_type
            )
        except (BotoCoreError, ClientError) as problem:
            raise MediaUnavailable(f"cannot keep {key}: {problem}") from problem

    def get(self, key: str) -> bytes | None:
        try:
            answer = self._client.get_object(Bucket=self._bucket, Key=check_key(key))
        except ClientError as problem:
            if problem.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise MediaUnavailable(f"cannot read {key}: {problem}") from problem
        except BotoCoreError as problem:
            raise MediaUnavailable(f"cannot read {key}: {problem}") from problem
        try:
            with answer["Body"] as body:
                return body.read()
        except (BotoCoreError, OSError) as problem:  # a read cut off or timed out midway
            raise MediaUnavailable(f"cannot read {key}: {problem}") from problem
