"""The read memo: bounded, and each key computed once however many callers ask at once."""

from __future__ import annotations

import threading
import time

import pytest

from projections.memo import Memo


def test_concurrent_callers_of_one_key_share_one_computation() -> None:
    memo = Memo(size=8)
    calls: list[int] = []
    start = threading.Barrier(6)
    results: list[str] = []

    def compute() -> str:
        calls.append(1)
        time.sleep(0.1)  # long enough for every other caller to arrive while it runs
        return "board"

    def caller() -> None:
        start.wait()
        results.append(memo.get("dashboard", compute))

    threads = [threading.Thread(target=caller) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["board"] * 6
    assert len(calls) == 1


def test_a_failed_computation_is_not_remembered_and_waiters_try_again() -> None:
    memo = Memo(size=8)
    attempts: list[int] = []

    def compute() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("views not ready")
        return "return"

    with pytest.raises(ValueError, match="views not ready"):
        memo.get("return", compute)
    assert memo.get("return", compute) == "return"
    assert memo.get("return", compute) == "return"
    assert len(attempts) == 2


def test_least_recently_used_keys_are_dropped_beyond_the_size() -> None:
    memo = Memo(size=2)
    computed: list[str] = []

    def value(key: str) -> str:
        computed.append(key)
        return key.upper()

    memo.get("a", lambda: value("a"))
    memo.get("b", lambda: value("b"))
    memo.get("a", lambda: value("a"))  # a is now the most recently used
    memo.get("c", lambda: value("c"))  # drops b
    memo.get("a", lambda: value("a"))
    memo.get("b", lambda: value("b"))
    assert computed == ["a", "b", "c", "b"]
