"""Time budgets nest: a file's budget inside the whole index's keeps the outer one."""

from __future__ import annotations

import signal
import time

import pytest

from bot.process import TimeUp, alarm_after


def test_an_inner_budget_fires_and_the_outer_one_is_put_back() -> None:
    with alarm_after(30):
        with pytest.raises(TimeUp), alarm_after(0.05):
            time.sleep(5)
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 20 < left < 30  # the outer budget still runs
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_an_outer_budget_that_ends_first_stays_in_charge() -> None:
    with pytest.raises(TimeUp), alarm_after(0.05), alarm_after(30):  # would end later: not set
        time.sleep(5)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_an_alarm_swallowed_by_a_finalizer_still_ends_the_block() -> None:
    """A finalizer (or a garbage-collection callback) that is running when the alarm goes
    off swallows its exception ("Exception ignored in ..."): the budget still ran out, so
    the block ends with TimeUp as it finishes (a full test run once read a whole export
    past its budget that way)."""

    class Slow:
        def __del__(self) -> None:
            end = time.monotonic() + 0.3
            while time.monotonic() < end:
                pass

    with pytest.raises(TimeUp), alarm_after(0.05):
        Slow()  # collected at once: the alarm goes off inside its __del__
