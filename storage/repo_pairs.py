"""互助对子: pairings, contacts, the silent pairs' nudges."""

from __future__ import annotations

from storage.repo_base import RepoBase


class PairRepo(RepoBase):
    """互助对子: pairings, contacts, the silent pairs' nudges."""
