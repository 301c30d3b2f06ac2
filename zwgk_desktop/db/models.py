"""SQLAlchemy models of the store: township, villages, disclosure items and their rows.

Rows of every category live in one table as JSON validated by the category's schema
(`domain.categories`), so a new category is a layout plus a schema, never a new table.
Money inside rows is integer 分.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Township(Base):
    """The township (乡镇) this database belongs to; one per database."""

    __tablename__ = "township"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    base_url: Mapped[str] = mapped_column(String(300), default="")
    supervision_phone: Mapped[str] = mapped_column(String(40), default="")  # 镇纪委/监督电话
    publication_day: Mapped[int] = mapped_column(Integer, default=10)  # board due by this day of the next month
    # The 档号 pattern sealing fills in (domain.filing, migration 0012); "" for the default.
    archive_pattern: Mapped[str] = mapped_column(String(120), default="")
    # The online copy's open data licence line (render/open_data.py, migration 0013); "" for none stated.
    open_data_licence: Mapped[str] = mapped_column(String(200), default="")
    # The township's own online channel for objections (migration 0015), shown on every item page
    # of the online copy (which runs no server of its own); "" for none.
    objection_url: Mapped[str] = mapped_column(String(300), default="")

    villages: Mapped[list[Village]] = relationship(back_populates="township", order_by="Village.id")


class Village(Base):
    """A 行政村, named in URLs and file names by its short ASCII code."""

    __tablename__ = "village"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(40), unique=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    supervision_phone: Mapped[str] = mapped_column(String(40), default="")  # 村务监督委员会
    fonds_code: Mapped[str] = mapped_column(String(20), default="")  # 全宗号, given by the county 档案馆
    # The categories the township has the village disclose monthly (财务收支 where transactions are
    # many: migration 0014), each with the quarter it is monthly from (`finance@2026Q3`), separated
    # by spaces; "" for none beyond the catalogue's.
    monthly: Mapped[str] = mapped_column(String(200), default="")

    township: Mapped[Township] = relationship(back_populates="villages")
    items: Mapped[list[DisclosureItem]] = relationship(back_populates="village")


class DisclosureItem(Base):
    """One disclosure item (事项) of a village and quarter."""

    __tablename__ = "disclosure_item"
    __table_args__ = (
        Index("ix_item_village_period", "village_id", "period", "category"),
        # The number in the item's URL is unique within its village (see `public_number`).
        Index("ux_item_public_number", "village_id", func.coalesce(text("number"), text("id")), unique=True),
        Index("ux_item_supersedes", "supersedes_id", unique=True),  # one correction per version
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="RESTRICT"))
    # The item's number in URLs and on paper, given from its village's `ItemNumber` register (an
    # item imported from a village's archive keeps the number its posters were printed with).
    # NULL in items made before the register (migration 0009): their number is their `id`.
    number: Mapped[int | None] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(6))  # 2026Q3
    # The month of the quarter the item covers (1–12) when its village discloses the category
    # monthly (migration 0014); NULL for an item of the whole quarter. Sealed with its quarter.
    month: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    disclosure: Mapped[str] = mapped_column(String(10), default="主动公开")
    publicity_start: Mapped[date | None] = mapped_column(Date)
    publicity_end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    clerk: Mapped[str | None] = mapped_column(String(40))
    reviewer: Mapped[str | None] = mapped_column(String(40))
    reviewed_on: Mapped[date | None] = mapped_column(Date)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # A correction (更正) is a new version of a sealed item: it names the version it replaces and why.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure_item.id", ondelete="RESTRICT"))
    correction_reason: Mapped[str | None] = mapped_column(Text)
    # What checking the item found, kept with it (migration 0010): trusted while the item's digest
    # and the checks' version still match (see `domain.items.KeptCheck`); NULL: never checked so.
    checked_digest: Mapped[str | None] = mapped_column(String(64))
    checked_rules: Mapped[str | None] = mapped_column(String(64))
    checked_errors: Mapped[int | None] = mapped_column(Integer)

    village: Mapped[Village] = relationship(back_populates="items")
    rows: Mapped[list[ItemRow]] = relationship(
        back_populates="item", order_by="ItemRow.seq", cascade="all, delete-orphan", passive_deletes=True
    )


def public_number(record: DisclosureItem) -> int:
    """The item's number as printed in its URL (`{village}/{period}/{number}.html`)."""
    return record.number if record.number is not None else record.id


class ItemNumber(Base):
    """Every number a village's items were ever given: a number is printed in the QR code of every
    sheet, drafts included, so it is never given to another item. A deleted item's number stays
    here, retired (`item_id` NULL); the database refuses to delete or reassign a row."""

    __tablename__ = "item_number"

    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="RESTRICT"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure_item.id", ondelete="SET NULL"), unique=True)
    period: Mapped[str] = mapped_column(String(6))  # the quarter in the number's URL
    retired_at: Mapped[str | None] = mapped_column(String(40))  # ISO 8601, UTC, when its item was deleted

    item: Mapped[DisclosureItem | None] = relationship()


class ItemRow(Base):
    """One line of an item: a finance entry, a household, a bidder, a notice line."""

    __tablename__ = "item_row"
    __table_args__ = (UniqueConstraint("item_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("disclosure_item.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    item: Mapped[DisclosureItem] = relationship(back_populates="rows")


class Seal(Base):
    """A village's quarter, frozen: who sealed it and when, chained to the village's previous seal.

    A quarter is sealed once (`kind` "quarter"); corrections to it made later are sealed as they
    come (`kind` "correction"), each a further link of the same chain.
    """

    __tablename__ = "seal"
    __table_args__ = (
        # Partial on both backends (migration 0005 makes it so on PostgreSQL too); naming the
        # PostgreSQL form here would load that dialect in every command, for nothing.
        Index("ux_seal_quarter", "village_id", "period", unique=True, sqlite_where=text("kind = 'quarter'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="RESTRICT"))
    period: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(12), default="quarter")
    # How the hashes were computed (archive.seal): 1 named items by database ids, 2 by village and number.
    format: Mapped[int] = mapped_column(Integer, default=1)
    sealed_at: Mapped[str] = mapped_column(String(40))  # ISO 8601, UTC: hashed as text, exactly
    sealed_by: Mapped[str] = mapped_column(String(40))
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("seal.id", ondelete="RESTRICT"))
    payload_hash: Mapped[str] = mapped_column(String(64))
    chain_hash: Mapped[str] = mapped_column(String(64))
    # Seal format 4 (migration 0011), all covered by the payload hash but the signature, which
    # signs the chain hash: what made the seal (canonical JSON naming `SealSource` digests and the
    # rules' versions), the fingerprint of the village key that signed it, and for a seal holding
    # no items (a key made, replaced or lost) what it records, as canonical JSON.
    made_with: Mapped[str | None] = mapped_column(Text)
    signer: Mapped[str | None] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(Text)
    event: Mapped[str | None] = mapped_column(Text)
    # Seal format 5 (migration 0015): the photos and vouchers the seal holds, as canonical JSON
    # (archive.seal_attachments), covered by the payload hash; None for a seal holding none.
    attachments: Mapped[str | None] = mapped_column(Text)

    village: Mapped[Village] = relationship()
    items: Mapped[list[SealedItem]] = relationship(back_populates="seal", order_by="SealedItem.item_id")


class SealedItem(Base):
    """One item as sealed: its public content, a hash of its stored data, the PDF as printed."""

    __tablename__ = "sealed_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seal.id", ondelete="RESTRICT"))
    item_id: Mapped[int] = mapped_column(ForeignKey("disclosure_item.id", ondelete="RESTRICT"), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    canonical_json: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    data_hash: Mapped[str] = mapped_column(String(64))
    # Loaded only when asked for: lists and checks of the archive should not read every sheet.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    pdf_hash: Mapped[str | None] = mapped_column(String(64))
    # When the product itself first printed or exported this content for the public (`FirstPublic`),
    # sealed with it (seal format 3); None for items sealed before the product kept that record.
    first_public_at: Mapped[str | None] = mapped_column(String(40))
    first_public_how: Mapped[str | None] = mapped_column(String(12))
    # 件号: the item's place in its village's archive, a sequence of its own given at sealing.
    archive_number: Mapped[int | None] = mapped_column(Integer)
    # 档号 and 保管期限 (永久 / 30年 / 10年) the item was filed under (seal format 4).
    archive_ref: Mapped[str | None] = mapped_column(String(80))
    retention: Mapped[str | None] = mapped_column(String(8))

    seal: Mapped[Seal] = relationship(back_populates="items")


class SealSource(Base):
    """A text a seal was made with (a format file, a category's definition), kept once by its
    SHA-256 so `verify` can re-derive sealed content as sealing did; append-only."""

    __tablename__ = "seal_source"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)


class VillageKey(Base):
    """A public key trusted for a village's seals: its own key on the village's PC, or at the
    township the key registered for the village (`how` says how it came to be trusted)."""

    __tablename__ = "village_key"
    __table_args__ = (UniqueConstraint("village_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="RESTRICT"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    public_key: Mapped[str] = mapped_column(Text)  # base64 of the raw 32-byte Ed25519 public key
    added_at: Mapped[str] = mapped_column(String(40))  # ISO 8601, UTC
    how: Mapped[str] = mapped_column(String(20))
    confirmed_by: Mapped[str | None] = mapped_column(String(40))
    retired_at: Mapped[str | None] = mapped_column(String(40))


class FirstPublic(Base):
    """The product's own record of when a reviewed item first went out to the public: printed,
    saved as PDF or written to the online copy. One row per item and public content (its content
    hash), written the first time only; sealing takes the record of the content it seals. The
    township's compliance table is judged from it, not from the dates a clerk types."""

    __tablename__ = "first_public"
    __table_args__ = (UniqueConstraint("item_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("disclosure_item.id", ondelete="CASCADE"))
    content_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601, UTC, as seals keep time
    how: Mapped[str] = mapped_column(String(12))  # archive.first_public.HOW


class Attachment(Base):
    """A photo of the posted board (公开栏照片, of a village's quarter) or a voucher (凭证, of one
    row of a finance item), its bytes exactly as given. Sealed with the quarter: once `seal_id` is
    set, the database refuses any change to it (migration 0015)."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_quarter", "village_id", "period", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="RESTRICT"))
    period: Mapped[str] = mapped_column(String(6))  # the quarter, the unit of sealing
    kind: Mapped[str] = mapped_column(String(10))  # "photo" or "voucher"
    # A voucher's finance line: its item and the row's place in it (`ItemRow.seq`, 1-based).
    item_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure_item.id", ondelete="RESTRICT"))
    row: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))  # the file's name as given
    media_type: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[str | None] = mapped_column(String(40))  # the camera's clock (EXIF), ISO, no zone
    added_at: Mapped[str] = mapped_column(String(40))  # ISO 8601, UTC: this computer's clock
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    seal_id: Mapped[int | None] = mapped_column(ForeignKey("seal.id", ondelete="RESTRICT"))


class SealArrival(Base):
    """When a seal reached this database in a village's bundle (the township's clock, which a
    village does not control). Seals made here have none."""

    __tablename__ = "seal_arrival"

    seal_id: Mapped[int] = mapped_column(ForeignKey("seal.id", ondelete="RESTRICT"), primary_key=True)
    arrived_at: Mapped[str] = mapped_column(String(40))  # ISO 8601, UTC
    bundle: Mapped[str] = mapped_column(String(200))  # the file's name, as the township received it


class Objection(Base):
    """A resident's objection (异议/意见) to an item, and the reply due within 10 days
    (domain.objections). Who raised it is kept here only: public outputs say 村民."""

    __tablename__ = "objection"
    __table_args__ = (UniqueConstraint("village_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)  # within its village: what its seal names
    item_id: Mapped[int] = mapped_column(ForeignKey("disclosure_item.id", ondelete="RESTRICT"))
    row: Mapped[int | None] = mapped_column(Integer)  # as the editor numbers rows, from 1
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str | None] = mapped_column(String(40))
    handler: Mapped[str | None] = mapped_column(String(40))
    reply: Mapped[str | None] = mapped_column(Text)
    replied_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(4))
    # The 更正公告 (a correction item) the reply names; the correction shows it by this link.
    correction_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure_item.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    village: Mapped[Village] = relationship()
    item: Mapped[DisclosureItem] = relationship(foreign_keys=[item_id])
    correction: Mapped[DisclosureItem | None] = relationship(foreign_keys=[correction_id])


class SealedObjection(Base):
    """An objection as a seal froze it (seal format 5): with its quarter, or its reply sealed later
    as the next link. An objection may be sealed twice: open, then replied."""

    __tablename__ = "sealed_objection"
    __table_args__ = (UniqueConstraint("seal_id", "objection_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seal_id: Mapped[int] = mapped_column(ForeignKey("seal.id", ondelete="RESTRICT"))
    objection_id: Mapped[int] = mapped_column(ForeignKey("objection.id", ondelete="RESTRICT"))
    canonical_json: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))

    seal: Mapped[Seal] = relationship()
    objection: Mapped[Objection] = relationship()


__all__ = ["Attachment", "Base", "DisclosureItem", "FirstPublic", "ItemNumber", "ItemRow", "Objection", "Seal",
           "SealArrival", "SealSource", "SealedItem", "SealedObjection", "Township", "Village", "VillageKey",
           "public_number"]
