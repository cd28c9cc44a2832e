"""Interest groups (书法组, 门球队, 棋类组…) and who is in them."""

from __future__ import annotations

from storage.repo_base import RepoBase


class GroupRepo(RepoBase):
    """Interest groups (书法组, 门球队, 棋类组…) and who is in them."""
