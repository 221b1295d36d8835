"""`python -m benchmarks NAME [ARGS]` runs benchmarks/NAME.py's main(ARGS), e.g. `python -m benchmarks web`."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    """Modules of this package that define main()."""
    names = []
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not module.name.startswith("_") and "def main(" in (Path(__file__).parent / f"{module.name}.py").read_text():
            names.append(module.name)
    return sorted(names)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in available():
        print(f"usage: python -m benchmarks {{{','.join(available())}}} [ARGS]", file=sys.stderr)
        return 2
    return importlib.import_module(f"benchmarks.{argv[0]}").main(argv[1:]) or 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
