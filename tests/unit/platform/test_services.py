"""The node's component registry: one object per class, found by its class or a base class."""

from __future__ import annotations

import pytest

from edtech.platform.services import Components


class Provider:
    pass


class StripeLike(Provider):
    pass


def test_a_component_is_found_by_its_class_or_a_base_class() -> None:
    components = Components()
    stripe = StripeLike()
    components.add(stripe)
    assert components.get(StripeLike) is stripe
    assert components.get(Provider) is stripe


def test_asking_for_a_component_never_built_is_a_loud_wiring_error() -> None:
    components = Components()
    with pytest.raises(LookupError, match="no Provider is wired"):
        components.get(Provider)
    assert components.find(Provider) is None


def test_two_components_of_one_class_are_refused() -> None:
    components = Components()
    components.add(Provider())
    with pytest.raises(RuntimeError, match="two components"):
        components.add(Provider())
