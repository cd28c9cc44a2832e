"""Persistence: every SQL statement in zhibu lives in this package."""

from storage.repo_members import MemberData
from storage.sqlite import SqliteStore, StoreUnavailable, Tx, open_store

__all__ = ["MemberData", "SqliteStore", "StoreUnavailable", "Tx", "open_store"]
