"""Run async code from a sync test even when Playwright's session fixture keeps an event loop
running in the main thread (after the browser tests, asyncio.run there would refuse)."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def in_own_thread(function: Callable[..., T], *args: Any) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()
