"""What every sink shares: it opens on entering a `with`, and closes on leaving it."""

from __future__ import annotations

from typing import Self


class Lifecycle:
    def open(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
