"""Study materials of the month and their home delivery (送学上门)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from storage.repo_base import RepoBase, Row
from storage.timefmt import parse_ts, ts

OPEN_DELIVERY = ("requested", "assigned")


@dataclass(frozen=True)
class Material:
    """What a branch studies in a month: a text, a file (by content hash) or a link."""

    id: int
    branch_id: int | None  # None: every branch
    month: str
    kind: str
    title: str
    body: str | None
    url: str | None
    file_sha256: str | None
    filename: str | None
    mime: str | None
    size: int | None
    published_by: int | None
    created_at: datetime


@dataclass(frozen=True)
class DeliveryRequest:
    """Bringing a month's material to a member's home: requested -> assigned -> delivered."""

    id: int
    branch_id: int
    member_id: int
    month: str
    material_id: int | None
    reason: str
    address: str | None
    address_changed: bool
    preferred_time: str | None
    status: str
    created_at: datetime
    assigned_to: int | None
    assigned_by: int | None
    assigned_at: datetime | None
    delivered_at: datetime | None
    delivered_by: int | None
    proof: str | None


@dataclass(frozen=True)
class DeliveryReportRow:
    """One line of the monthly report's delivery section."""

    request_id: int
    member_name: str
    status: str
    volunteer_name: str | None
    created_at: datetime
    delivered_at: datetime | None
    unassigned_overdue: bool  # still unassigned after the allowed days


def _when(text: str | None) -> datetime | None:
    return parse_ts(text) if text else None


def _material(row: Row) -> Material:
    return Material(
        id=row["id"], branch_id=row["branch_id"], month=row["month"], kind=row["kind"],
        title=row["title"], body=row["body"], url=row["url"], file_sha256=row["file_sha256"],
        filename=row["filename"], mime=row["mime"], size=row["size"],
        published_by=row["published_by"], created_at=parse_ts(row["created_at"]),
    )


def _delivery(row: Row) -> DeliveryRequest:
    return DeliveryRequest(
        id=row["id"], branch_id=row["branch_id"], member_id=row["member_id"],
        month=row["month"], material_id=row["material_id"], reason=row["reason"],
        address=row["address"], address_changed=bool(row["address_changed"]),
        preferred_time=row["preferred_time"], status=row["status"],
        created_at=parse_ts(row["created_at"]), assigned_to=row["assigned_to"],
        assigned_by=row["assigned_by"], assigned_at=_when(row["assigned_at"]),
        delivered_at=_when(row["delivered_at"]), delivered_by=row["delivered_by"],
        proof=row["proof"],
    )


def _in(values: list[int]) -> str:
    return ",".join("?" * len(values)) or "NULL"


class DeliveryRepo(RepoBase):
    """送学上门: the month's materials, the requests to bring them home, and who did."""

    # -- files ----------------------------------------------------------------------------
    async def files_dir(self) -> Path | None:
        """Where stored files live: a `files` folder beside the database (None in memory)."""
        row = await self._one("SELECT file FROM pragma_database_list WHERE name = 'main'")
        path = str(row["file"]) if row and row["file"] else ""
        return Path(path).parent / "files" if path else None

    # -- materials ------------------------------------------------------------------------
    async def add_material(
        self, branch_id: int | None, month: str, kind: str, title: str, now: datetime, *,
        body: str | None = None, url: str | None = None, file_sha256: str | None = None,
        filename: str | None = None, mime: str | None = None, size: int | None = None,
        published_by: int | None = None,
    ) -> Material:
        """Record a published material."""
        row = await self._one(
            "INSERT INTO materials (branch_id, month, kind, title, body, url, file_sha256, "
            "filename, mime, size, published_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (branch_id, month, kind, title, body, url, file_sha256, filename, mime, size,
             published_by, ts(now)),
        )
        assert row is not None
        return _material(row)

    async def get_material(self, material_id: int) -> Material | None:
        """A material by id."""
        row = await self._one("SELECT * FROM materials WHERE id = ?", (material_id,))
        return _material(row) if row else None

    async def materials_for(self, branch_id: int, month: str) -> list[Material]:
        """A branch's materials of a month (its own and those for every branch), oldest first."""
        rows = await self._all(
            "SELECT * FROM materials WHERE month = ? AND (branch_id = ? OR branch_id IS NULL) "
            "ORDER BY id",
            (month, branch_id),
        )
        return [_material(r) for r in rows]

    # -- delivery requests ----------------------------------------------------------------
    async def add_delivery(
        self, branch_id: int, member_id: int, month: str, reason: str, now: datetime, *,
        material_id: int | None, address: str | None,
    ) -> DeliveryRequest | None:
        """Create a member's request for a month; None when one exists already."""
        row = await self._one(
            "INSERT INTO delivery_requests (branch_id, member_id, month, material_id, reason, "
            "address, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (member_id, month) DO NOTHING RETURNING *",
            (branch_id, member_id, month, material_id, reason, address, ts(now)),
        )
        return _delivery(row) if row else None

    async def get_delivery(self, request_id: int) -> DeliveryRequest | None:
        """A request by id."""
        row = await self._one("SELECT * FROM delivery_requests WHERE id = ?", (request_id,))
        return _delivery(row) if row else None

    async def delivery_for(self, member_id: int, month: str) -> DeliveryRequest | None:
        """A member's request for a month, if any."""
        row = await self._one(
            "SELECT * FROM delivery_requests WHERE member_id = ? AND month = ?",
            (member_id, month),
        )
        return _delivery(row) if row else None

    async def set_delivery_details(
        self, request_id: int, address: str, address_changed: bool, preferred_time: str
    ) -> None:
        """The member confirmed where and when (a new address stays flagged)."""
        await self._run(
            "UPDATE delivery_requests SET address = ?, preferred_time = ?, "
            "address_changed = CASE WHEN ? = 1 THEN 1 ELSE address_changed END WHERE id = ?",
            (address, preferred_time, int(address_changed), request_id),
        )

    async def attach_material(self, request_id: int, material_id: int) -> None:
        """Name the material a request brings, when it named none yet."""
        await self._run(
            "UPDATE delivery_requests SET material_id = ? WHERE id = ? AND material_id IS NULL",
            (material_id, request_id),
        )

    async def assign_delivery(
        self, request_id: int, volunteer_id: int, by_id: int, now: datetime
    ) -> bool:
        """Give an undelivered request to a volunteer; False when it was delivered already."""
        changed = await self._run(
            "UPDATE delivery_requests SET status = 'assigned', assigned_to = ?, assigned_by = ?, "
            "assigned_at = ? WHERE id = ? AND status IN ('requested', 'assigned')",
            (volunteer_id, by_id, ts(now), request_id),
        )
        return changed > 0

    async def mark_delivered(
        self, request_id: int, by_id: int, proof: str, now: datetime
    ) -> bool:
        """Record the delivery once; False when it was recorded already."""
        changed = await self._run(
            "UPDATE delivery_requests SET status = 'delivered', delivered_at = ?, "
            "delivered_by = ?, proof = ? WHERE id = ? AND status IN ('requested', 'assigned')",
            (ts(now), by_id, proof, request_id),
        )
        return changed > 0

    async def open_deliveries(self, branch_ids: list[int] | None) -> list[DeliveryRequest]:
        """Undelivered requests of some branches (all when None), oldest first."""
        sql = "SELECT * FROM delivery_requests WHERE status IN ('requested', 'assigned')"
        params: list[Any] = []
        if branch_ids is not None:
            sql += f" AND branch_id IN ({_in(branch_ids)})"
            params += branch_ids
        return [_delivery(r) for r in await self._all(sql + " ORDER BY created_at, id", params)]

    async def volunteer_deliveries(self, member_id: int) -> list[DeliveryRequest]:
        """Undelivered requests assigned to someone, oldest first."""
        rows = await self._all(
            "SELECT * FROM delivery_requests WHERE assigned_to = ? AND status = 'assigned' "
            "ORDER BY created_at, id",
            (member_id,),
        )
        return [_delivery(r) for r in rows]

    async def member_open_deliveries(self, member_id: int) -> list[DeliveryRequest]:
        """A member's own undelivered requests, oldest first."""
        rows = await self._all(
            "SELECT * FROM delivery_requests WHERE member_id = ? "
            "AND status IN ('requested', 'assigned') ORDER BY created_at, id",
            (member_id,),
        )
        return [_delivery(r) for r in rows]

    async def made_up_member_ids(self, branch_id: int, month: str) -> set[int]:
        """Members of a branch whose material of the month was delivered (送学补学)."""
        rows = await self._all(
            "SELECT member_id FROM delivery_requests WHERE branch_id = ? AND month = ? "
            "AND status = 'delivered'",
            (branch_id, month),
        )
        return {int(r["member_id"]) for r in rows}

    async def made_up_months(self, member_id: int) -> set[str]:
        """The months whose material was delivered to a member."""
        rows = await self._all(
            "SELECT month FROM delivery_requests WHERE member_id = ? AND status = 'delivered'",
            (member_id,),
        )
        return {str(r["month"]) for r in rows}

    async def delivery_report(
        self, branch_id: int, month: str, unassigned_before: datetime
    ) -> list[DeliveryReportRow]:
        """The monthly report's query: every request of the month, with the overdue flag."""
        rows = await self._all(
            "SELECT d.id, m.name AS member_name, d.status, v.name AS volunteer_name, "
            "d.created_at, d.delivered_at, "
            "(d.status = 'requested' AND d.created_at <= ?) AS overdue "
            "FROM delivery_requests d JOIN members m ON m.id = d.member_id "
            "LEFT JOIN members v ON v.id = d.assigned_to "
            "WHERE d.branch_id = ? AND d.month = ? ORDER BY d.created_at, d.id",
            (ts(unassigned_before), branch_id, month),
        )
        return [
            DeliveryReportRow(
                request_id=r["id"], member_name=r["member_name"], status=r["status"],
                volunteer_name=r["volunteer_name"], created_at=parse_ts(r["created_at"]),
                delivered_at=_when(r["delivered_at"]), unassigned_overdue=bool(r["overdue"]),
            )
            for r in rows
        ]
