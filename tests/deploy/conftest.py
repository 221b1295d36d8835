"""The deployment tests print their measured figures in the run's summary, as the load tests do."""
from load.conftest import figures, pytest_terminal_summary  # noqa: F401
