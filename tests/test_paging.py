"""Paged and counted reads: every page from the store, hidden entities neither shown nor counted."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CLERK, STORES, actor, receive_notice
from secretarial import Classification, Entity, Office, Role, ValidationError

OFFICE_STORES = STORES
UNCLEARED = actor("zhou", Role.CLERK, clearance=Classification.UNCLASSIFIED)
OUTSIDE = actor("zhao", Role.CLERK, clearance=Classification.TOP_SECRET)


def fill(office: Office, pattern: str) -> list[Entity]:
    """One entity per letter: ``o`` open, ``s`` secret, ``n`` need-to-know scoped."""
    made = []
    for n, letter in enumerate(pattern):
        title = f"关于第{n}项工作的通知"
        if letter == "o":
            made.append(receive_notice(office, title))
        elif letter == "s":
            made.append(receive_notice(office, title, secret=True))
        else:  # only the clerk may know of it (need-to-know)
            made.append(receive_notice(office, title, secret=True, need_to_know=["clerk"]))
    return made


def every_page(office: Office, limit: int, **criteria: Any) -> list[list[Entity]]:
    pages, cursor = [], None
    while True:
        page = office.page(limit=limit, cursor=cursor, **criteria)
        pages.append(list(page.items))
        assert len(page.cursors) == len(page.items)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def test_pages_give_the_list_in_order(office: Office) -> None:
    fill(office, "o" * 23)
    pages = every_page(office, 5)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert [e for p in pages for e in p] == office.list()
    assert office.count() == 23


def test_an_entity_created_meanwhile_does_not_shift_a_page(office: Office) -> None:
    fill(office, "o" * 6)
    first = office.page(limit=3)
    fill(office, "o")
    second = office.page(limit=3, cursor=first.next_cursor)
    assert [e.id for e in second.items] == [e.id for e in office.list()[3:6]]


def test_an_actor_pages_through_what_they_may_see_only(office: Office) -> None:
    fill(office, "osnossnooonsnno")
    for reader in (UNCLEARED, OUTSIDE, CLERK):
        seen = office.list(by=reader)
        pages = every_page(office, 2, by=reader)
        assert [e for p in pages for e in p] == seen
        assert all(len(p) == 2 for p in pages[:-1])
        assert office.count(by=reader) == len(seen)
    assert office.count(by=UNCLEARED) == 6  # the open ones only
    assert office.count(by=OUTSIDE) == 10  # cleared to all, outside every scope


def test_the_filters_are_checked_like_the_list(office: Office) -> None:
    with pytest.raises(ValidationError, match="registred"):
        office.page(state="registred")
    with pytest.raises(ValidationError, match="registred"):
        office.count(state="registred")
    with pytest.raises(ValidationError):
        office.page(limit=0)
    with pytest.raises(ValidationError, match="cursor"):
        office.page(cursor="nonsense")


@settings(max_examples=40, deadline=None)
@given(pattern=st.text("osn", max_size=14), limit=st.integers(1, 5))
def test_any_mix_pages_like_the_list(pattern: str, limit: int) -> None:
    """On memory: for any mix of open, secret and scoped entities and any page size."""
    office = Office.in_memory()
    fill(office, pattern)
    for reader in (None, UNCLEARED, OUTSIDE, CLERK):
        pages = every_page(office, limit, by=reader)
        assert [e for p in pages for e in p] == office.list(by=reader)
        assert office.count(by=reader) == len(office.list(by=reader))
