"""投稿 and their review, 征文主题, 点赞, the monthly digest."""

from __future__ import annotations

from storage.repo_base import RepoBase


class SubmissionRepo(RepoBase):
    """投稿 and their review, 征文主题, 点赞, the monthly digest."""
