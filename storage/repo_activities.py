"""Activities, sign-ups, attendance and hours; interest groups and their members."""

from __future__ import annotations

from storage.repo_base import RepoBase


class ActivityRepo(RepoBase):
    """Activities, sign-ups, attendance and hours; interest groups and their members."""
