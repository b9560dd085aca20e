"""Checkpoints: the Merkle tree, inclusion proofs, signing keys, rotation, the sweep's."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import CLERK, START, STORES, receive_notice, url_for
from secretarial import (
    AccessDenied,
    Actor,
    Checkpoint,
    CheckpointLeaf,
    Ed25519Key,
    Ed25519VerifyKey,
    HmacKey,
    InclusionProof,
    Office,
    Role,
    SigningKey,
    UsageError,
    ValidationError,
    VerifyKey,
    load_key,
)
from secretarial.kernel._checkpoint import leaf_hash, merkle_root
from secretarial.testing import FrozenClock, SequentialIds

OUTSIDER = Actor(id="wang", name="王某", roles=frozenset({Role.CLERK}))


# ------------------------------------------------------------------------- the Merkle tree
def _rfc6962(hashes: list[bytes]) -> bytes:
    """The Merkle tree hash as RFC 6962 section 2.1 defines it, recursively."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    split = 1
    while split * 2 < len(hashes):
        split *= 2
    return hashlib.sha256(b"\x01" + _rfc6962(hashes[:split]) + _rfc6962(hashes[split:])).digest()


leaves_strategy = st.lists(
    st.builds(
        CheckpointLeaf,
        st.text(min_size=1, max_size=8),
        st.sampled_from(["incoming_document", "meeting"]),
        st.integers(1, 50),
        st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    ),
    max_size=40,
)


@given(leaves_strategy)
def test_the_root_is_rfc_6962s_tree_hash(leaves: list[CheckpointLeaf]) -> None:
    hashes = [leaf_hash(leaf) for leaf in leaves]
    assert merkle_root(hashes) == _rfc6962(hashes).hex()


@given(leaves_strategy.filter(bool), st.data())
def test_every_leaf_has_a_proof_and_a_changed_leaf_has_none(
    leaves: list[CheckpointLeaf], data: st.DataObject
) -> None:
    leaves = sorted({leaf.entity_id: leaf for leaf in leaves}.values())
    root = merkle_root([leaf_hash(leaf) for leaf in leaves])
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = InclusionProof.build(1, leaves, leaves[index].entity_id)
    assert proof.root() == root
    assert len(proof.path) <= max(1, len(leaves)).bit_length()
    cut = proof.leaf._replace(events=proof.leaf.events - 1)
    assert proof.model_copy(update={"leaf": cut}).root() != root


# ------------------------------------------------------------------------------- offices
@pytest.fixture(params=STORES)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return url_for(request.param, tmp_path)


def _receive(office: Office, title: str) -> Any:
    return office.fire(receive_notice(office, title), "register", by=CLERK)


@pytest.fixture
def office(url: str) -> Iterator[Office]:
    with Office.open(
        url, clock=FrozenClock(START), ids=SequentialIds(), checkpoint_key=HmacKey.generate()
    ) as o:
        for n in range(3):
            _receive(o, f"通知{n}")
        yield o


def test_a_checkpoint_seals_the_store_as_it_stands(office: Office) -> None:
    made = office.checkpoint()
    assert (made.sequence, made.entities, made.events, made.denials) == (1, 3, 6, 0)
    assert made.counter("incoming", "2025") == 3
    assert made.hash == made.expected_hash()
    assert office.checkpoints() == [made]
    assert Checkpoint.from_json(made.to_json()) == made
    assert office.verify_audit(against=made).ok
    second = office.checkpoint()
    assert second.previous_hash == made.hash
    assert office.verify_audit(against=[made, second]).ok


def test_new_work_after_a_checkpoint_verifies(office: Office) -> None:
    made = office.checkpoint()
    _receive(office, "新的通知")
    office.fire(office.list()[0], "screen", by=CLERK)
    with pytest.raises(AccessDenied):
        _deny(office)
    report = office.verify_audit(against=made)
    assert report.ok, str(report)


def _deny(office: Office) -> None:
    """Receive a 秘密 notice and have an uncleared clerk try to read it (refused)."""
    office.get(receive_notice(office, "秘密通知", secret=True).id, by=OUTSIDER)


def test_an_entitys_inclusion_is_proved_by_the_checkpoint_alone(office: Office) -> None:
    made = office.checkpoint()
    doc = office.list()[1]
    proof = office.prove(doc)
    assert proof.proves(made)
    assert proof.leaf == CheckpointLeaf(doc.id, "incoming_document", 2, doc.audit_head or "")
    assert InclusionProof.model_validate_json(proof.model_dump_json()).proves(made)
    assert not proof.proves(made.model_copy(update={"root": "0" * 64}))
    later = office.fire(doc, "screen", by=CLERK)
    assert office.prove(later, made.sequence).proves(made)  # as it stood then
    with pytest.raises(UsageError, match="holds no entity"):
        office.prove("nothing-such", made)
    with pytest.raises(UsageError, match="no leaves"):
        office.prove(doc, 9)


def test_checkpoints_need_a_key_and_a_refusal_keeps_nothing(url: str) -> None:
    with Office.open(url, clock=FrozenClock(START), ids=SequentialIds()) as office:
        _receive(office, "通知")
        with pytest.raises(UsageError, match="checkpoint_key"):
            office.checkpoint()
        with pytest.raises(UsageError, match="checkpoint_key"):
            office.sweep(checkpoint=True)
        assert office.checkpoints() == []
        assert len(office.audit(office.list()[0])) == 2


def test_a_sweep_can_take_the_checkpoint(office: Office) -> None:
    report = office.sweep(checkpoint=True)
    assert report.checkpoint is not None
    assert office.checkpoints() == [report.checkpoint]


# ---------------------------------------------------------------------------------- keys
def test_ed25519_signs_and_its_public_half_only_verifies() -> None:
    key = Ed25519Key.generate()
    public = key.public_key()
    assert isinstance(key, SigningKey)
    assert isinstance(public, VerifyKey)
    assert not isinstance(public, SigningKey)
    signature = key.sign(b"message")
    assert public.verify(b"message", signature)
    assert not public.verify(b"messagE", signature)
    assert public.record == key.record
    assert key.record.key_id.startswith("ed25519:")
    assert key.record.public is not None


def test_hmac_keys_name_themselves_without_the_secret() -> None:
    key = HmacKey(b"0123456789abcdef0123456789abcdef")
    assert key.record.key_id.startswith("hmac:")
    assert "0123456789abcdef" not in key.record.key_id
    assert key.record.public is None
    assert key.verify(b"m", key.sign(b"m"))
    assert not HmacKey.generate().verify(b"m", key.sign(b"m"))
    with pytest.raises(UsageError, match="at least 16 bytes"):
        HmacKey(b"short")


def test_keys_load_from_files_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ed = Ed25519Key.generate()
    (tmp_path / "k.pem").write_bytes(ed.to_pem())
    (tmp_path / "k.pub").write_bytes(ed.to_pem(private=False))
    loaded = load_key(f"file:{tmp_path / 'k.pem'}")
    assert isinstance(loaded, Ed25519Key)
    assert loaded.record == ed.record
    public = load_key(str(tmp_path / "k.pub"))
    assert type(public) is Ed25519VerifyKey
    assert public.record == ed.record
    hmac_key = HmacKey.generate()
    monkeypatch.setenv("OFFICE_KEY", hmac_key.to_text())
    assert load_key("env:OFFICE_KEY").record == hmac_key.record
    monkeypatch.setenv("BAD_KEY", "not a key")
    with pytest.raises(UsageError, match="not a checkpoint key"):
        load_key("env:BAD_KEY")
    with pytest.raises(UsageError, match="holds no checkpoint key"):
        load_key("env:NO_SUCH_VARIABLE_SET")
    with pytest.raises(UsageError, match="cannot read"):
        load_key(str(tmp_path / "missing.pem"))
    with pytest.raises(UsageError, match="holds no NUL"):  # the system's ValueError, ours
        load_key("file:key\x00.pem")


def test_a_checkpoint_file_that_is_not_one_is_our_error() -> None:
    with pytest.raises(ValidationError, match="Checkpoint"):
        Checkpoint.from_json('{"sequence": 0}')
    with pytest.raises(ValidationError):
        Checkpoint.from_json("not json")


# ------------------------------------------------------------------------------ rotation
def test_keys_rotate_and_old_checkpoints_still_verify(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    first, second = Ed25519Key.generate(), Ed25519Key.generate()
    clock = FrozenClock(START)
    with Office.open(url, clock=clock, ids=SequentialIds(), checkpoint_key=first) as office:
        _receive(office, "通知一")
        one = office.checkpoint()
        rotation = office.checkpoint(rotate_to=second)
        assert rotation.key == first.record
        assert rotation.next_key == second.record
        clock.advance(timedelta(hours=1))
        _receive(office, "通知二")
        three = office.checkpoint()
        assert three.key == second.record
        assert office.verify_audit(against=[one, rotation, three]).ok
    # A verifier holding only the first public key learns the next from the signed rotation.
    with Office.open(url, verify_keys=[first.public_key()]) as office:
        report = office.verify_audit(against=[one, three])
        assert report.ok, str(report)
        assert not report.warnings
    # Signing with the old key after the rotation is refused, and keeps nothing.
    with Office.open(url, checkpoint_key=first) as office:
        with pytest.raises(UsageError, match="rotate_to"):
            office.checkpoint()
        assert len(office.checkpoints()) == 3
        forged = office.verify_audit()
        assert {p.kind for p in forged.problems} == {"checkpoint_forged"}  # leads to second


def test_losing_a_key_loses_the_signature_not_the_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'office.db'}"
    with Office.open(url, checkpoint_key=HmacKey.generate()) as office:
        _receive(office, "通知")
        made = office.checkpoint()
    with Office.open(url) as office:
        report = office.verify_audit(against=made)
    assert report.ok
    assert report.warnings
    assert "not at hand" in report.warnings[0]


# ------------------------------------------------------------------------------- denials
def test_the_denials_log_is_a_chain(office: Office) -> None:
    for _ in range(3):
        with pytest.raises(AccessDenied):
            _deny(office)
    denials = office.denials()
    assert len(denials) == 3
    assert denials[0].previous_hash is None
    assert [d.previous_hash for d in denials[1:]] == [d.hash for d in denials[:-1]]
    assert all(d.hash == d.expected_hash() for d in denials)
    made = office.checkpoint()
    assert (made.denials, made.denials_head) == (3, denials[-1].hash)
    assert office.verify_audit(against=made).ok


def test_older_checkpoints_keep_what_changed_and_still_verify(office: Office) -> None:
    """Only the newest keeps every leaf; the older ones are rebuilt from the deltas."""
    made = [office.checkpoint()]
    first = office.list()[0]
    for n in range(3):
        _receive(office, f"又一件{n}")
        office.fire(office.list()[n], "screen", by=CLERK)
        made.append(office.checkpoint())
    report = office.verify_audit(against=made)
    assert report.ok, str(report)
    assert report.checkpoints == len(made)
    assert office.prove(first, 1).proves(made[0])
    assert office.prove(first, 1).leaf.events == 2
    newest = office.store.checkpoint_leaves(made[-1].sequence)  # type: ignore[attr-defined]
    oldest = office.store.checkpoint_leaves(1)  # type: ignore[attr-defined]
    assert len(oldest) < len(newest)
