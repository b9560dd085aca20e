"""The records desk: the verbs of the records area, on the office that wires it."""

from __future__ import annotations

from datetime import datetime

from secretarial.documents._model import Document
from secretarial.engine._desk import Desk
from secretarial.errors import (
    UsageError,
)
from secretarial.kernel._entity import Entity
from secretarial.kernel._enums import EntityKind, Retention
from secretarial.kernel._register import Register
from secretarial.kernel._values import Actor, checked_moment

from ._model import ArchiveSettings, Record
from ._service import (
    FiledItem,
    destroy_record,
    due_for_review,
    file_item,
    filing_catalogue,
)

__all__ = ["RecordsDesk"]


class RecordsDesk(Desk):
    """Records: file items, the catalogue, review and destruction."""

    __slots__ = ()

    def file(
        self,
        *documents: Entity | str,
        by: Actor,
        record_class: str,
        retention: Retention | str | None = None,
        unit: str | None = None,
        original: bool | None = None,
        reply: Entity | str | None = None,
        remark: str | None = None,
    ) -> Record:
        """File documents as one item 件 under one archival code 档号 (归档, docs/rules.md A1-A6).

        Every document fires ``file`` with the same retention and code, and the item's
        :class:`~secretarial.Record` is created, in one unit of work. The item number
        is drawn in the item's class (year × retention × unit, or year × retention in
        an archive that does not classify by unit), so a refused filing uses no number
        and concurrent filings never share one.

        Args:
            *documents: The item's documents (or ids), the lead first: a reply before
                its request, a forwarding document before the forwarded one (A4).
            by: Who files (an archivist).
            record_class: The class of the retention schedule (``"general"`` ...).
            retention: Keep the item longer than its class (never shorter, A1).
            unit: The unit (or subject) code; the archive's default unit if omitted.
                An archive that does not classify by unit takes none.
            original: File the lead as the original or a copy; by default a co-issuer
                of a joint document files a copy, everyone else the original (A6).
            reply: For a request filed on its own, the reply that answered it (A5).
            remark: The catalogue's remark 备注.

        Raises:
            UsageError: The office has no archive settings.
            NotFound: A document does not exist.
            AccessDenied: ``by`` may not see a document (the refusal is recorded).
            TransitionNotAllowed: A document is not finished, or rule A1, A4, A5 or A6
                refuses.
            ValidationError: A malformed unit code, a unit named in an archive that
                does not classify by unit (A2), or an unknown record class.
        """
        archive = self._office.environment().policies.get(ArchiveSettings)
        if not isinstance(archive, ArchiveSettings):
            raise UsageError(
                "the office has no archive: pass archive=ArchiveSettings(fonds=...) to Office"
            )
        ids = [d.id if isinstance(d, Entity) else d for d in documents]
        with self._office.denials_recorded(by, "fire:file"):
            filed: FiledItem = file_item(
                self._office.change_store,
                self._office.context(by),
                archive,
                ids,
                record_class=record_class,
                timezone=self._office.timezone,
                retention=retention,
                unit=unit,
                original=original,
                reply=reply.id if isinstance(reply, Entity) else reply,
                remark=remark,
            )
        return filed.record

    def catalogue(
        self,
        *,
        year: int | None = None,
        retention: Retention | str | None = None,
        unit: str | None = None,
        by: Actor | None = None,
    ) -> Register:
        """The filing catalogue 归档文件目录 (A7; see :func:`secretarial.filing_catalogue`).

        Args:
            year: Only items of this year 年度.
            retention: Only items of this retention period.
            unit: Only items of this unit (or subject) code.
            by: Who exports it; what they may not see is left out.
        """
        self._office.require_reader(by, "records.catalogue")
        records = [
            r for r in self._office.list(kind=EntityKind.RECORD, by=by) if isinstance(r, Record)
        ]
        revoked = {
            document.id: document.revocation.text
            for document in self._office.list(
                kind=(EntityKind.INCOMING_DOCUMENT, EntityKind.OUTGOING_DOCUMENT), by=by
            )
            if isinstance(document, Document) and document.revocation is not None
        }
        notes = {
            record.id: "；".join(
                dict.fromkeys(revoked[d] for d in record.documents if d in revoked)
            )
            for record in records
            if any(d in revoked for d in record.documents)
        }
        return filing_catalogue(records, year=year, retention=retention, unit=unit, notes=notes)

    def due_for_review(
        self, now: datetime | None = None, *, by: Actor | None = None
    ) -> list[Record]:
        """The records whose retention ended before the day of ``now`` (A8), earliest first.

        Args:
            now: The moment to judge on, timezone-aware; the office clock if omitted.
            by: Who asks; what they may not see is left out. Without it, the host's own
                read.
        """
        self._office.require_reader(by, "records.due_for_review")
        moment = self._office.now() if now is None else checked_moment(now, "now")
        due = due_for_review(
            self._office.change_store, today=moment.astimezone(self._office.timezone).date()
        )
        if by is None:
            return due
        return [r for r in due if self._office.access.may_see(by, r) is None]

    def destroy(self, record: Record | str, *, by: Actor, reason: str | None = None) -> Record:
        """Destroy a record an appraisal approved for destruction, leaving its tombstone (A8).

        Raises:
            NotFound: No such record.
            AccessDenied: ``by`` may not see it (the refusal is recorded).
            TransitionNotAllowed: Not approved for destruction, on hold, or not an archivist.
        """
        record_id = record.id if isinstance(record, Record) else record
        with self._office.denials_recorded(by, "fire:destroy"):
            return destroy_record(
                self._office.change_store, self._office.context(by), record_id, reason=reason
            )
