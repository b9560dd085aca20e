"""Records show themselves in Jupyter: escaped HTML tables, pandas frames where installed."""

from __future__ import annotations

from conftest import CLERK, SUPERIOR
from secretarial import AuditTrail, EntityKind, EntityList, Office, workflow_for


def receive(office: Office, title: str) -> object:
    return office.documents.receive(
        by=CLERK,
        kind="notice",
        title=title,
        sender=SUPERIOR,
        channel="paper",
        received_at=office.now(),
    )


def test_lists_and_trails_are_html_tables_with_escaped_cells(office: Office) -> None:
    doc = receive(office, "<script>alert(1)</script> 通知")
    office.fire(doc, "register", by=CLERK)
    listing = office.list()
    assert isinstance(listing, EntityList)
    table = listing._repr_html_()
    assert "<script>" not in table
    assert "&lt;script&gt;" in table
    assert "1 records" in table
    trail = office.audit(doc)
    assert isinstance(trail, AuditTrail)
    html = trail._repr_html_()
    assert html.count("<tr>") == 3  # header and two events
    assert "register" in html


def test_entities_show_their_state_and_title(office: Office) -> None:
    doc = receive(office, "关于<开展>检查的通知")
    html = doc._repr_html_()
    assert "received (签收)" in html
    assert "关于&lt;开展&gt;检查的通知" in html
    assert "**收文" in doc._repr_markdown_()


def test_dataframes(office: Office) -> None:
    doc = receive(office, "通知")
    office.fire(doc, "register", by=CLERK)
    frame = office.list().to_dataframe()
    assert list(frame.columns)[:3] == ["id", "kind", "state"]
    assert frame.loc[0, "state"] == "registered"
    events = office.audit(doc).to_dataframe()
    assert list(events["trigger"]) == ["receive", "register"]


def test_workflows_show_as_diagrams() -> None:
    markdown = workflow_for(EntityKind.SUPERVISION_ITEM)._repr_markdown_()
    assert markdown.startswith("**supervision_item**")
    assert "```mermaid" in markdown
