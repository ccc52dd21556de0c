"""A request's Answer: begun or cancelled, never both; set once; its callback called once."""

from __future__ import annotations

import sys
import threading

import pytest

from simulator.hosting.servers.base import Answer, SiteResponse


def test_a_cancelled_request_is_never_begun_and_its_callback_hears_of_it():
    seen: list[Answer] = []
    answer = Answer()
    answer.add_done_callback(seen.append)
    assert answer.cancel()
    assert not answer.begin()
    assert answer.cancelled() and answer.done()
    assert seen == [answer]
    assert (answer.response, answer.error) == (None, None)


def test_a_begun_request_cannot_be_cancelled_and_answers_once():
    seen: list[Answer] = []
    answer = Answer()
    answer.add_done_callback(seen.append)
    assert answer.begin()
    assert not answer.cancel()
    assert not answer.done()
    response = SiteResponse(200, body=b"ok")
    answer.set_result(response)
    assert answer.done() and not answer.cancelled()
    assert seen == [answer] and answer.response is response
    with pytest.raises(RuntimeError, match="set once"):
        answer.set_exception(ConnectionAbortedError("late"))
    assert seen == [answer]


def test_a_callback_added_after_the_answer_is_called_at_once():
    answer = Answer()
    answer.begin()
    answer.set_exception(ConnectionAbortedError("the site sent no response"))
    seen: list[Answer] = []
    answer.add_done_callback(seen.append)
    assert seen == [answer] and isinstance(answer.error, ConnectionAbortedError)


def test_an_answer_takes_one_callback():
    answer = Answer()
    answer.add_done_callback(print)
    with pytest.raises(RuntimeError, match="one callback"):
        answer.add_done_callback(print)


def test_begin_and_cancel_racing_on_two_threads_never_both_win():
    answers = [Answer() for _ in range(20_000)]
    begun: list[bool] = []
    go = threading.Barrier(2)

    def server() -> None:
        go.wait()
        begun.extend(answer.begin() for answer in answers)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # the GIL changes hands as often as it can
    try:
        thread = threading.Thread(target=server)
        thread.start()
        go.wait()
        cancelled = [answer.cancel() for answer in answers]
        thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert all(b != c for b, c in zip(begun, cancelled, strict=True))
    assert [a.cancelled() for a in answers] == cancelled
