"""An Answer set once stays as it was set: a late second setting is refused, and changes
nothing (the client reads the response first, then the error)."""

from __future__ import annotations

import pytest

from simulator.hosting.servers.base import Answer, SiteResponse


def test_an_answer_refused_a_second_setting_keeps_the_first():
    answer = Answer()
    answer.begin()
    response = SiteResponse(200, body=b"ok")
    answer.set_result(response)
    with pytest.raises(RuntimeError, match="set once"):
        answer.set_exception(ConnectionAbortedError("late"))
    assert (answer.response, answer.error) == (response, None)
    with pytest.raises(RuntimeError, match="set once"):
        answer.set_result(SiteResponse(500))
    assert answer.response is response


def test_a_cancelled_answer_takes_no_response():
    answer = Answer()
    assert answer.cancel()
    with pytest.raises(RuntimeError, match="set once"):
        answer.set_result(SiteResponse(200))
    assert (answer.response, answer.error) == (None, None) and answer.cancelled()
