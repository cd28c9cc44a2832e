"""One unit of work, whatever the engine: every repository's methods on one transaction.

Handlers, channels and jobs are typed against `Tx`; `storage.sqlite.SqliteTx` and
`storage.postgres.PgTx` put an engine's base class (how a statement runs) in front of it.
"""

from __future__ import annotations

from storage.repo_activities import ActivityRepo
from storage.repo_care import CareRepo
from storage.repo_channels import ChannelRepo
from storage.repo_copy import CopyRepo
from storage.repo_delivery import DeliveryRepo
from storage.repo_groups import GroupRepo
from storage.repo_instances import InstanceRepo
from storage.repo_leases import LeaseRepo
from storage.repo_life_figures import LifeFiguresRepo
from storage.repo_members import MemberRepo
from storage.repo_oversight import OversightRepo
from storage.repo_pairs import PairRepo
from storage.repo_runtime import RuntimeRepo
from storage.repo_study import StudyRepo
from storage.repo_submissions import SubmissionRepo
from storage.repo_tokens import TokenRepo
from storage.repo_wechat import WechatRepo


class Tx(MemberRepo, StudyRepo, RuntimeRepo, CareRepo, DeliveryRepo, WechatRepo, ChannelRepo,
         OversightRepo, PairRepo, GroupRepo, ActivityRepo, SubmissionRepo, LifeFiguresRepo,
         LeaseRepo, InstanceRepo, TokenRepo, CopyRepo):
    """Every repository method, inside one transaction (of the engine that made it)."""
