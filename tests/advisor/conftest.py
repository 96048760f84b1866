import pytest

from bot.bootstrap import open_advisor
from tests.conftest import TODAY, make_settings


@pytest.fixture(scope="session")
def bundled_advisor(tmp_path_factory):
    """An advisor over the bundled knowledge, indexed once for the whole test session."""
    settings = make_settings(tmp_path_factory.mktemp("bundled") / "data")
    return open_advisor(settings, today=TODAY)
