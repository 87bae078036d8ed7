"""The one `MetaData` every table lives on, with the constraint naming convention.

Slices declare their tables on `metadata` in their `infrastructure` module and map their
domain classes imperatively on `mapper_registry`, so there is one class per concept.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
mapper_registry = registry(metadata=metadata)
