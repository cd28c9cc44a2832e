"""Persistence: every SQL statement in zhibu lives in this package."""

from storage.repo_members import MemberData
from storage.sqlite import SqliteStore
from storage.store import Store, StoreUnavailable, open_store
from storage.tx import Tx

__all__ = ["MemberData", "SqliteStore", "Store", "StoreUnavailable", "Tx", "open_store"]
