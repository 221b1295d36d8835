"""Is the fix visible in the numbers? The affected tasks of a fixed finding, found-in vs fixed-in iteration."""
from __future__ import annotations


def fix_check(service, finding) -> dict | None:  # noqa: ANN001
    """None until the finding has a fixed-in iteration."""
    if finding.fixed_in_id is None:
        return None
    return None
