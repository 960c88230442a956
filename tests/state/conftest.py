from tests.state.fixtures import clock, store, store_factory  # noqa: F401 - fixtures
