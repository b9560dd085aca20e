"""The key port: what signs an office's checkpoints, and what verifies them.

A host holds the key; the office only asks it to sign. Two kinds come with the library:

- :class:`Ed25519Key` (through the ``cryptography`` package, extra ``signing``): the
  office signs with the private key and anyone holding the public key
  (:class:`Ed25519VerifyKey`) can verify, without being able to sign;
- :class:`HmacKey` (the standard library): a shared secret, for hosts that prefer one;
  whoever verifies can also sign.

A host's own key service (a KMS, an HSM) plugs in by implementing :class:`SigningKey`
(and :class:`VerifyKey`); :func:`load_key` reads the two built-in kinds from a file or
an environment variable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

from secretarial.errors import MissingExtraError, UsageError
from secretarial.kernel._checkpoint import KeyRecord

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = [
    "Ed25519Key",
    "Ed25519VerifyKey",
    "HmacKey",
    "SigningKey",
    "VerifyKey",
    "load_key",
]

ED25519: Final = "ed25519"
HMAC_SHA256: Final = "hmac-sha256"
_HMAC_PREFIX: Final = "secretarial-hmac-sha256:"


@runtime_checkable
class VerifyKey(Protocol):
    """What checks a checkpoint's signature."""

    @property
    def record(self) -> KeyRecord:
        """The key as a checkpoint names it (id, algorithm, public part if any)."""
        ...

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's over ``message``."""
        ...


@runtime_checkable
class SigningKey(VerifyKey, Protocol):
    """What signs checkpoints: a verify key that can also sign."""

    def sign(self, message: bytes) -> bytes:
        """The signature over ``message``."""
        ...


def _cryptography() -> None:
    try:
        import cryptography  # noqa: F401, PLC0415 -- optional extra
    except ImportError as e:
        raise MissingExtraError("cryptography", "signing", "An Ed25519 checkpoint key") from e


def _ed25519_id(public: bytes) -> str:
    return "ed25519:" + hashlib.sha256(public).hexdigest()[:16]


class Ed25519VerifyKey:
    """An Ed25519 public key: verifies checkpoints, cannot sign them."""

    def __init__(self, public: bytes | Ed25519PublicKey) -> None:
        _cryptography()
        from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # noqa: PLC0415
            Ed25519PublicKey,
        )
        from cryptography.hazmat.primitives.serialization import (  # noqa: PLC0415
            Encoding,
            PublicFormat,
        )

        if isinstance(public, bytes):
            if len(public) != 32:  # noqa: PLR2004 -- the size of an Ed25519 public key
                raise UsageError(f"an Ed25519 public key is 32 bytes, not {len(public)}")
            public = Ed25519PublicKey.from_public_bytes(public)
        self._key = public
        self._raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._record = KeyRecord(
            key_id=_ed25519_id(self._raw), algorithm=ED25519, public=self._raw.hex()
        )

    @property
    def record(self) -> KeyRecord:
        """The key's id (from the public key), algorithm and public key."""
        return self._record

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's over ``message``."""
        from cryptography.exceptions import InvalidSignature  # noqa: PLC0415

        try:
            self._key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    def to_pem(self) -> bytes:
        """The public key in PEM (``SubjectPublicKeyInfo``), to give to verifiers."""
        from cryptography.hazmat.primitives.serialization import (  # noqa: PLC0415
            Encoding,
            PublicFormat,
        )

        return self._key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)

    def __repr__(self) -> str:
        return f"<Ed25519VerifyKey {self._record.key_id}>"


class Ed25519Key(Ed25519VerifyKey):
    """An Ed25519 private key: signs checkpoints (and verifies them)."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        super().__init__(private.public_key())
        self._private = private

    @classmethod
    def generate(cls) -> Ed25519Key:
        """A new random key."""
        _cryptography()
        from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # noqa: PLC0415
            Ed25519PrivateKey,
        )

        return cls(Ed25519PrivateKey.generate())

    def sign(self, message: bytes) -> bytes:
        """The Ed25519 signature over ``message``."""
        return self._private.sign(message)

    def public_key(self) -> Ed25519VerifyKey:
        """The public half, for those who verify."""
        return Ed25519VerifyKey(self._raw)

    def to_pem(self, *, private: bool = True) -> bytes:
        """The key in PEM: the private key (PKCS#8, unencrypted) unless ``private=False``."""
        if not private:
            return super().to_pem()
        from cryptography.hazmat.primitives.serialization import (  # noqa: PLC0415
            Encoding,
            NoEncryption,
            PrivateFormat,
        )

        return self._private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())

    def __repr__(self) -> str:
        return f"<Ed25519Key {self.record.key_id}>"


class HmacKey:
    """A shared secret: HMAC-SHA256 signs and verifies checkpoints.

    The key's id is derived from the secret by HMAC, so naming the key in a checkpoint
    reveals nothing about it.
    """

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:  # noqa: PLR2004 -- RFC 2104 advises at least the hash's output
            raise UsageError(
                f"an HMAC checkpoint key needs a secret of at least 16 bytes (32 advised), "
                f"not {len(secret)}"
            )
        self._secret = secret
        key_id = hmac.new(secret, b"secretarial checkpoint key id", "sha256").hexdigest()[:16]
        self._record = KeyRecord(key_id="hmac:" + key_id, algorithm=HMAC_SHA256)

    @classmethod
    def generate(cls) -> HmacKey:
        """A new random 32-byte secret."""
        return cls(os.urandom(32))

    @property
    def record(self) -> KeyRecord:
        """The key's id and algorithm (never the secret)."""
        return self._record

    def sign(self, message: bytes) -> bytes:
        """HMAC-SHA256 over ``message``."""
        return hmac.new(self._secret, message, "sha256").digest()

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is the HMAC over ``message`` (compared in constant time)."""
        return hmac.compare_digest(self.sign(message), signature)

    def to_text(self) -> str:
        """The secret as :func:`load_key` reads it back (keep it as secret as the key)."""
        return _HMAC_PREFIX + base64.b64encode(self._secret).decode("ascii")

    def __repr__(self) -> str:
        return f"<HmacKey {self._record.key_id}>"


def _parse_key(text: bytes, where: str) -> Ed25519VerifyKey | HmacKey:
    stripped = text.strip()
    if stripped.startswith(_HMAC_PREFIX.encode()):
        try:
            secret = base64.b64decode(stripped[len(_HMAC_PREFIX) :], validate=True)
        except ValueError:
            raise UsageError(f"{where}: the HMAC secret is not valid base64") from None
        return HmacKey(secret)
    if stripped.startswith(b"-----BEGIN"):
        _cryptography()
        from cryptography.hazmat.primitives.asymmetric.ed25519 import (  # noqa: PLC0415
            Ed25519PrivateKey,
            Ed25519PublicKey,
        )
        from cryptography.hazmat.primitives.serialization import (  # noqa: PLC0415
            load_pem_private_key,
            load_pem_public_key,
        )

        try:
            if b"PRIVATE KEY" in stripped.split(b"\n", 1)[0]:
                private = load_pem_private_key(stripped, password=None)
                if isinstance(private, Ed25519PrivateKey):
                    return Ed25519Key(private)
            else:
                public = load_pem_public_key(stripped)
                if isinstance(public, Ed25519PublicKey):
                    return Ed25519VerifyKey(public)
        except (ValueError, TypeError) as e:
            raise UsageError(f"{where}: not a readable PEM key ({e})") from None
        raise UsageError(f"{where}: the PEM key is not an Ed25519 key")
    raise UsageError(
        f"{where}: not a checkpoint key; expected an Ed25519 PEM key (private or public) "
        f"or an HMAC secret written as {_HMAC_PREFIX}<base64>"
    )


def load_key(source: str) -> Ed25519VerifyKey | HmacKey:
    """Read a key from ``file:PATH`` or ``env:NAME`` (a bare path is a file).

    The content is an Ed25519 key in PEM (a private key signs; a public key only
    verifies) or an HMAC secret as :meth:`HmacKey.to_text` writes it.

    Raises:
        UsageError: The file or variable is missing or holds no key.
        MissingExtraError: The key is Ed25519 and ``cryptography`` is not installed.
    """
    if source.startswith("env:"):
        name = source[4:]
        value = os.environ.get(name)
        if not value:
            raise UsageError(f"the environment variable {name!r} holds no checkpoint key")
        return _parse_key(value.encode(), f"environment variable {name}")
    path = Path(source.removeprefix("file:"))
    if "\0" in source:  # no file has such a name; the system refuses it with a ValueError
        raise UsageError(f"cannot read the checkpoint key {str(path)!r}: a path holds no NUL")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UsageError(f"cannot read the checkpoint key {str(path)!r}: {e.strerror}") from None
    return _parse_key(data, str(path))
