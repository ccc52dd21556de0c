"""A host is this machine when every address it resolves to is loopback, asked when the
call is made, never by its name (issue 25: where a resolver mapped ``localhost`` elsewhere,
the upstream call left the machine)."""

from __future__ import annotations

import asyncio
import socket

import pytest

from embedded_site.loopback import NotLoopback, is_loopback, pinned
from simulator.errors import ScenarioError
from simulator.hosting.http_client import ClientError, open_target
from simulator.upstream_address import refuse_unless_allowed, upstream_any_host

REAL_GETADDRINFO = socket.getaddrinfo


def resolver(table: dict[str, list[list[str]]]):
    """A ``getaddrinfo`` answering the names in ``table`` with its next list of addresses
    (the last one for ever after), and every other name as the system does."""
    asked: dict[str, int] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in table:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        answers = table[host]
        addresses = answers[min(asked.get(host, 0), len(answers) - 1)]
        asked[host] = asked.get(host, 0) + 1
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port or 0, 0, 0) if ":" in a else (a, port or 0),
            )
            for a in addresses
        ]

    return getaddrinfo


@pytest.mark.parametrize(
    ("addresses", "loopback"),
    [
        (["127.0.0.1"], True),
        (["127.0.0.1", "::1"], True),
        (["::ffff:127.0.0.1"], True),
        (["203.0.113.7"], False),
        (["127.0.0.1", "203.0.113.7"], False),  # one address elsewhere is enough to refuse
        ([], False),
    ],
)
def test_a_name_is_loopback_only_when_every_address_is(monkeypatch, addresses, loopback):
    monkeypatch.setattr(socket, "getaddrinfo", resolver({"localhost": [addresses]}))
    assert is_loopback("localhost") is loopback


def test_addresses_need_no_resolver():
    assert is_loopback("127.0.0.2") and is_loopback("[::1]")
    assert not is_loopback("10.0.0.1") and not is_loopback("")


def test_the_file_check_refuses_localhost_mapped_elsewhere(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", resolver({"localhost": [["203.0.113.7"]]}))
    with pytest.raises(ScenarioError, match="does not resolve to this machine.*--allow-host"):
        refuse_unless_allowed("http://localhost:8001/", ())
    refuse_unless_allowed("http://localhost:8001/", ["localhost"])  # named: the person's call


def test_a_call_goes_to_the_address_that_was_checked(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", resolver({"lanes-up.test": [["127.0.0.1"]]}))
    url, headers = pinned("http://lanes-up.test:8001/news?delay_ms=5")
    assert url == "http://127.0.0.1:8001/news?delay_ms=5"
    assert headers == {"Host": "lanes-up.test:8001"}
    assert pinned("http://127.0.0.1:9/") == ("http://127.0.0.1:9/", {})


def test_a_name_that_moves_off_the_machine_mid_run_is_refused_at_the_call(monkeypatch):
    # Loopback when the run starts, elsewhere at the call: the call is refused.
    monkeypatch.setattr(
        socket, "getaddrinfo", resolver({"lanes-up.test": [["127.0.0.1"], ["203.0.113.7"]]})
    )
    assert is_loopback("lanes-up.test")
    with pytest.raises(NotLoopback, match="203.0.113.7"):
        pinned("http://lanes-up.test:8001/")


@pytest.mark.slow
def test_a_run_whose_upstream_name_moves_off_the_machine_fails_those_calls(monkeypatch, run):
    monkeypatch.setattr(
        socket, "getaddrinfo", resolver({"lanes-up.test": [["127.0.0.1"], ["203.0.113.7"]]})
    )
    done = run(view="async_httpx", upstream_url="http://lanes-up.test:9/", requests=2, io_ms=5)
    errors = [lane.error or "" for lane in done.trace.lanes]
    assert errors and all("203.0.113.7" in error and "refused" in error for error in errors)


def test_the_url_client_connects_only_to_an_address_its_one_resolution_found_loopback(
    monkeypatch,
):
    # Loopback for the check before the run, elsewhere when the client resolves it: the
    # client refuses, rather than trusting the earlier answer or connecting anywhere.
    monkeypatch.setattr(
        socket, "getaddrinfo", resolver({"lanes-site.test": [["127.0.0.1"], ["203.0.113.7"]]})
    )
    refuse_unless_allowed("http://lanes-site.test:9/", (), key="url")
    with pytest.raises(ClientError, match="203.0.113.7, which is not this machine"):
        asyncio.run(open_target("http://lanes-site.test:9/"))
    monkeypatch.setattr(socket, "getaddrinfo", resolver({"lanes-site.test": [["::1"]]}))
    target = asyncio.run(open_target("http://lanes-site.test:9/page"))
    assert (target.address, target.family) == (("::1", 9), socket.AF_INET6)
    assert ("Host", "lanes-site.test:9") in [
        (name.decode().title(), value.decode()) for name, value in target.request.headers
    ]
    # A host the person named (--allow-host, a typed --url) is called wherever it resolves.
    monkeypatch.setattr(socket, "getaddrinfo", resolver({"lanes-site.test": [["203.0.113.7"]]}))
    target = asyncio.run(open_target("http://lanes-site.test:9/", any_host=True))
    assert target.address == ("203.0.113.7", 9)


def test_the_site_calls_an_upstream_anywhere_only_when_the_person_named_its_host():
    """Not because a second lookup found it elsewhere: a resolver that said loopback to the
    check before the run and something else later would otherwise be trusted."""
    assert not upstream_any_host("http://203.0.113.7:8000/slow/")
    assert not upstream_any_host("http://localhost:8000/slow/")
    assert upstream_any_host("http://Example.org/slow/", ("example.org",))
    assert not upstream_any_host("http://example.net/slow/", ("example.org",))
