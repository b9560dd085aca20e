"""The directory (人员、委托): people, the units they act for, and delegations of their roles."""

from ._area import (
    DELEGATION_AREA,
    PERSON_AREA,
)
from ._desk import (
    DirectoryDesk,
)
from ._enums import (
    DelegationState,
    PersonState,
)
from ._model import (
    ADMIN_ROLES,
    DELEGATION_REFUSALS,
    DELEGATION_TABLE,
    PERSON_TABLE,
    Delegation,
    DelegationScope,
    Person,
    UpdatePerson,
)
from ._service import (
    StoredDirectory,
    enrol_person,
)

__all__ = [
    "ADMIN_ROLES",
    "DELEGATION_AREA",
    "DELEGATION_REFUSALS",
    "DELEGATION_TABLE",
    "PERSON_AREA",
    "PERSON_TABLE",
    "Delegation",
    "DelegationScope",
    "DelegationState",
    "DirectoryDesk",
    "Person",
    "PersonState",
    "StoredDirectory",
    "UpdatePerson",
    "enrol_person",
]
