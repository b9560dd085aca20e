"""The documents desk: the verbs of the documents area, on the office that wires it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from secretarial.engine._desk import Desk
from secretarial.errors import (
    UsageError,
)
from secretarial.kernel._enums import EntityKind
from secretarial.kernel._register import Register
from secretarial.kernel._values import Actor

from ._bulk import ImportReport, gc_paused, import_incoming
from ._model import Document, Holding, IncomingDocument, OutgoingDocument

if TYPE_CHECKING:
    from typing import Unpack

    from ._fields import IncomingDocumentFields, OutgoingDocumentFields

__all__ = ["DocumentsDesk"]


class DocumentsDesk(Desk):
    """Official documents: receive, draft, import, the two registers."""

    __slots__ = ()

    def receive(
        self,
        *,
        by: Actor,
        idempotency_key: str | None = None,
        **fields: Unpack[IncomingDocumentFields],
    ) -> IncomingDocument:
        """Receive an incoming document (签收): the ``receive`` trigger of the incoming workflow.

        ``fields`` are the document's fields: ``kind``, ``title``, ``sender``, ``channel``,
        ``received_at`` and any element of D2 (typed as ``IncomingDocumentFields``, so a
        type checker catches a misspelt field or value). ``idempotency_key``: see
        :meth:`~secretarial.Office.create`.
        """
        entity = self._office.create(
            EntityKind.INCOMING_DOCUMENT, by=by, idempotency_key=idempotency_key, **fields
        )
        assert isinstance(entity, IncomingDocument)  # noqa: S101 -- the workflow's entity type
        return entity

    def draft(
        self,
        *,
        by: Actor,
        idempotency_key: str | None = None,
        **fields: Unpack[OutgoingDocumentFields],
    ) -> OutgoingDocument:
        """Draft an outgoing document (起草): ``kind``, ``title``, ``issuer_code`` and elements."""
        entity = self._office.create(
            EntityKind.OUTGOING_DOCUMENT, by=by, idempotency_key=idempotency_key, **fields
        )
        assert isinstance(entity, OutgoingDocument)  # noqa: S101
        return entity

    def import_jsonl(
        self,
        source: Iterable[str | bytes] | str | os.PathLike[str],
        *,
        by: Actor,
        batch_size: int = 1000,
        register: bool = True,
        on_batch: Callable[[ImportReport], None] | None = None,
    ) -> ImportReport:
        """Receive (and register) incoming documents from JSON Lines, batch by batch.

        Each line holds the fields :meth:`receive` takes. A bad line is reported with its
        line number and reason and left out; the rest go in. Each batch is one
        transaction (documents, registration numbers and audit events together), so an
        interrupted import leaves whole batches. The cycle collector is paused while a
        batch is built, which keeps large imports linear.

        Args:
            source: A path to a ``.jsonl`` file, or lines (an open file, a list of str).
            by: Who receives and registers (a clerk).
            batch_size: Lines per transaction.
            register: Also register each document, allocating its registration number.
            on_batch: Called after each committed batch with the report so far.

        Returns:
            The ids imported and the lines rejected, with reasons.
        """
        if isinstance(source, str | os.PathLike):
            with open(source, "rb") as lines:  # noqa: PTH123 -- a path or a file-like object
                return self.import_jsonl(
                    lines, by=by, batch_size=batch_size, register=register, on_batch=on_batch
                )
        if batch_size < 1:
            raise UsageError(f"batch_size must be at least 1, got {batch_size}")
        with gc_paused():
            return import_incoming(
                self._office.change_store,
                self._office.context(by),
                source,
                batch_size=batch_size,
                register=register,
                on_batch=on_batch,
            )

    def incoming_register(self, *, year: int | None = None, by: Actor | None = None) -> Register:
        """The incoming register 收文登记簿 (see :func:`secretarial.incoming_register`).

        Args:
            year: Only documents received in this year (in the office's time zone).
            by: Who exports it; what they may not see is left out.
        """
        self._office.require_reader(by, "documents.incoming_register")
        return self._office.register("incoming", year=year, by=by)

    def outgoing_register(self, *, year: int | None = None, by: Actor | None = None) -> Register:
        """The outgoing register 发文登记簿 (see :func:`secretarial.outgoing_register`).

        Args:
            year: Only documents of this year: the year of the document number for a
                registered document, otherwise the year it was drafted (in the office's
                time zone).
            by: Who exports it; what they may not see is left out.
        """
        self._office.require_reader(by, "documents.outgoing_register")
        return self._office.register("outgoing", year=year, by=by)

    def revoked_by(self, decision: str | Document, *, by: Actor | None = None) -> list[Document]:
        """The documents a decision or notice revoked or abolished (D18), oldest first.

        ``decision`` is the deciding document (one of this office's, or one received), or
        its entity id or document number: the documents whose ``revocation.decision``
        names it by either are listed. The other way, a document's own ``revocation``
        names its decision.

        Args:
            decision: The deciding document, or its id or number.
            by: Who asks; what they may not see is left out.
        """
        self._office.require_reader(by, "documents.revoked_by")
        if isinstance(decision, Document):
            names = {decision.id} | (set() if decision.number is None else {str(decision.number)})
        else:
            names = {decision.strip()}
        return [
            document
            for document in self._office.list(
                kind=(EntityKind.INCOMING_DOCUMENT, EntityKind.OUTGOING_DOCUMENT), by=by
            )
            if isinstance(document, Document)
            and document.revocation is not None
            and document.revocation.decision in names
        ]

    def holders(
        self, document: IncomingDocument | str, *, by: Actor | None = None
    ) -> list[Holding]:
        """Who holds a circulating document now, and since when (传阅).

        In order, the next reader, since the reader before read it (or since it was
        circulated); in a parallel circulation, every reader who has not read it, since
        it was circulated. Empty when no circulation is waiting on anyone.

        Args:
            document: The document, or its id.
            by: Who asks; a document they may not see is refused (recorded).
        """
        self._office.require_reader(by, "documents.holders")
        entity_id = document if isinstance(document, str) else document.id
        doc = self._office.get(entity_id, IncomingDocument, by=by)
        holders = doc.current_holders
        if not holders:
            return []
        circulated = next(
            e.at for e in reversed(self._office.audit(doc, by=by)) if e.trigger == "circulate"
        )
        if doc.parallel_circulation:
            return [Holding(reader=reader, since=circulated) for reader in holders]
        read = [r.read_at for r in doc.readers if r.read_at is not None]
        return [Holding(reader=holders[0], since=read[-1] if read else circulated)]
