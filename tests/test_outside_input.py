"""Outside input becomes an error of our tree that names what would be accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import STORES
from secretarial import Office, Query, StoreError, UsageError, ValidationError

OFFICE_STORES = STORES


class TestPages:
    @pytest.mark.parametrize("limit", [0, -1, 10_001, True, 2.5])
    def test_a_page_size_out_of_range_is_refused(self, office: Office, limit: object) -> None:
        with pytest.raises(ValidationError) as info:
            office.store.page(Query(), limit=limit)  # type: ignore[arg-type, attr-defined]
        problem = info.value.problems[0]
        assert (problem.field, problem.rule) == ("limit", "page_limit")
        assert problem.accepted == "an integer from 1 to 10,000"

    @pytest.mark.parametrize("cursor", ["9" * 400, "abc", "-1", "１２", ""])
    def test_a_cursor_no_store_gave_out_is_refused(self, office: Office, cursor: str) -> None:
        with pytest.raises(UsageError, match="cursor"):
            office.store.page(Query(), limit=5, cursor=cursor)  # type: ignore[attr-defined]


class TestQueries:
    def test_an_unknown_state_is_refused_with_the_known_ones(self, office: Office) -> None:
        with pytest.raises(UsageError, match="registred") as info:
            office.list(state="registred")
        assert "registered" in str(info.value)
        with pytest.raises(UsageError, match="the kinds asked for"):
            office.list(kind="meeting", state="registered")
        assert office.list(kind="incoming_document", state="registered") == []


@pytest.mark.parametrize(
    "url", ["sqlite://office.db", "mysql:/", "nonsense", "postgresql+nodriver://x/y"]
)
def test_a_url_that_is_not_a_database_is_a_store_error(url: str, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is not a database URL") as info:
        Office.open(url)
    assert "sqlite:///" in str(info.value)
