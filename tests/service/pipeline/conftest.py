from __future__ import annotations

import pytest

from tests.service.registration.station import Station, station


@pytest.fixture(scope="session")
def synthetic_station(tmp_path_factory: pytest.TempPathFactory) -> Station:
    return station(tmp_path_factory)
