"""D18: revocation (撤销) and abolition (废止) of documents, ours and received.

The Regulation, 第三十三条: a document is revoked or abolished by its issuing organ, a
superior organ or an organ of state power; a revoked document is void from the start, an
abolished one has no effect from the abolition date on.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from conftest import ARCHIVIST, CLERK, LEADER, PEER, SUPERIOR
from secretarial import (
    ArchiveSettings,
    IncomingDocument,
    Office,
    OutgoingDocument,
    Revocation,
    RevocationKind,
    TransitionNotAllowed,
)
from test_rules import TODAY, receive, registered, screened

ARTS = {"code": "SWH", "name": "市文化局", "relation": "peer"}
CONGRESS = {"code": "RDCWH", "name": "区人大常委会", "relation": "unrelated"}


def dispatched(office: Office, **fields: Any) -> OutgoingDocument:
    doc = office.fire(registered(office, **fields), "print", by=CLERK)
    doc = office.fire(doc, "dispatch", by=CLERK, channel="paper")
    assert isinstance(doc, OutgoingDocument)
    return doc


def refuse(office: Office, doc: Any, trigger: str, *, by: Any, **data: Any) -> str:
    before = (office.get(doc.id), len(office.audit(doc.id)))
    with pytest.raises(TransitionNotAllowed) as info:
        office.fire(doc, trigger, by=by, **data)
    assert info.value.rule_code == "D18"
    assert (office.get(doc.id), len(office.audit(doc.id))) == before
    return info.value.reason


class TestOurOwnDocuments:
    """Our leader revokes or abolishes; a clerk records a superior's or authority's decision."""

    def test_a_revoked_document_is_void_from_the_start(self, office):
        doc = dispatched(office)
        decision = dispatched(office, title="关于撤销有关文件的决定", kind="decision")
        revoked = office.fire(doc, "revoke", by=LEADER, decision=decision.id, note="与上位法抵触")
        revocation = revoked.revocation
        assert isinstance(revocation, Revocation)
        assert (revocation.kind, revocation.by, revocation.at) == (
            RevocationKind.REVOKED,
            "leader",
            office.now(),
        )
        assert revocation.decided_by is None
        assert revocation.ceases_from is None
        assert not revoked.in_effect(TODAY)
        assert not revoked.in_effect(date(2000, 1, 1))
        assert revoked.state is doc.state
        assert revocation.text == f"已撤销（自始无效），依{decision.id}"
        assert office.documents.revoked_by(decision) == [revoked]
        assert office.replay(revoked) == revoked

    def test_an_abolished_document_ceases_from_its_date(self, office):
        doc = dispatched(office)
        until = TODAY + timedelta(days=30)
        abolished = office.fire(
            doc, "abolish", by=LEADER, ceases_from=until, decision="某办发〔2025〕9号"
        )
        assert abolished.in_effect(until - timedelta(days=1))
        assert not abolished.in_effect(until)
        assert abolished.revocation.text == "已废止（自2025年10月26日起失效），依某办发〔2025〕9号"
        assert office.documents.revoked_by("某办发〔2025〕9号") == [abolished]

    def test_an_abolition_needs_its_date_not_before_the_document(self, office):
        doc = dispatched(office)
        assert "ceases_from" in refuse(office, doc, "abolish", by=LEADER)
        early = doc.date_of_issue - timedelta(days=1)
        assert "before the date of issue" in refuse(
            office, doc, "abolish", by=LEADER, ceases_from=early
        )

    def test_a_revocation_takes_no_date(self, office):
        doc = dispatched(office)
        reason = refuse(office, doc, "revoke", by=LEADER, ceases_from=TODAY)
        assert "void from the start" in reason

    def test_revoked_once_abolished_then_perhaps_revoked(self, office):
        doc = dispatched(office)
        abolished = office.fire(doc, "abolish", by=LEADER, ceases_from=TODAY)
        assert "already 废止" in refuse(office, abolished, "abolish", by=LEADER, ceases_from=TODAY)
        revoked = office.fire(abolished, "revoke", by=LEADER)
        assert revoked.revocation.kind is RevocationKind.REVOKED
        assert "already 撤销" in refuse(office, revoked, "revoke", by=LEADER)

    def test_a_superior_or_an_organ_of_state_power_decides_and_a_clerk_records(self, office):
        first = office.fire(dispatched(office), "revoke", by=CLERK, decided_by=SUPERIOR)
        assert first.revocation.decided_by.code == "SZF"
        second = office.fire(
            dispatched(office), "revoke", by=CLERK, decided_by=CONGRESS, by_authority=True
        )
        assert second.revocation.by_authority

    def test_a_peer_may_not_revoke_and_a_clerk_does_not_decide_alone(self, office):
        doc = dispatched(office)
        assert "市文化局 may not" in refuse(office, doc, "revoke", by=CLERK, decided_by=ARTS)
        assert "decided by a leader" in refuse(office, doc, "revoke", by=CLERK)

    def test_only_a_document_in_effect_is_revoked(self, office):
        with pytest.raises(TransitionNotAllowed) as info:
            office.fire(registered(office), "revoke", by=LEADER)
        assert info.value.rule_code == "STATE"

    def test_a_filed_document_is_revoked_and_its_catalogue_entry_says_so(self, office):
        office.archive = ArchiveSettings(fonds="0194", organ_name="区政府办公室")
        doc = dispatched(office)
        office.records.file(doc, by=ARCHIVIST, record_class="general")
        filed = office.get(doc.id)
        revoked = office.fire(filed, "revoke", by=LEADER, decision="某办发〔2025〕12号")
        assert revoked.state is filed.state
        (row,) = office.records.catalogue().rows
        assert "已撤销（自始无效），依某办发〔2025〕12号" in row[-1]
        (line,) = [r for r in office.documents.outgoing_register().rows if r[0] == str(doc.number)]
        assert line[-1] == "已撤销（自始无效），依某办发〔2025〕12号"


class TestReceivedDocuments:
    """A received document revoked or abolished by its issuer is recorded from the notice."""

    def test_the_issuers_notice_is_recorded(self, office):
        doc = screened(office)
        notice = "市政办发〔2025〕40号"
        revoked = office.fire(
            doc, "record_revocation", by=CLERK, kind="abolished", decision=notice,
            ceases_from=TODAY,
        )  # fmt: skip
        assert isinstance(revoked, IncomingDocument)
        assert revoked.revocation.decided_by == doc.sender
        assert revoked.revocation.kind is RevocationKind.ABOLISHED
        (line,) = office.documents.incoming_register().rows
        assert "已废止（自2025年9月26日起失效），依市政办发〔2025〕40号" in line[-1]
        assert office.documents.revoked_by(notice) == [revoked]

    def test_a_document_not_yet_registered_or_sent_back_is_not_marked(self, office):
        doc = receive(office)
        with pytest.raises(TransitionNotAllowed) as info:
            office.fire(doc, "record_revocation", by=CLERK, kind="revoked")
        assert info.value.rule_code == "STATE"

    def test_a_revocation_is_recorded_once(self, office):
        doc = office.fire(screened(office), "record_revocation", by=CLERK, kind="revoked")
        assert "already" in refuse(office, doc, "record_revocation", by=CLERK, kind="revoked")

    def test_the_leader_of_a_peer_cannot_be_the_recorder(self, office):
        with pytest.raises(TransitionNotAllowed) as info:
            office.fire(
                screened(office, sender=PEER), "record_revocation", by=LEADER, kind="revoked"
            )
        assert info.value.rule_code == "ROLE"
