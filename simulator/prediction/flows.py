"""One request's way through the modelled site: ASGI or WSGI, the view's body, the client.

Each step is a building block of :class:`simulator.prediction.site.Site`; the segments they
draw follow :func:`simulator.trace.build_lane`, so a predicted lane reads like a measured
one. :func:`simulate` plays a whole in-process scenario.
"""

from __future__ import annotations

from embedded_site.lesson_views import CPU_CHUNK_MS, IoStyle
from simulator.prediction.costs import Costs
from simulator.prediction.lane_log import RequestLog
from simulator.prediction.site import Site, Steps, ns
from simulator.scenario import Scenario
from simulator.trace import LOOP_THREAD as LOOP
from simulator.trace import QUEUE_THREAD as QUEUE
from simulator.trace import Kind, Trace

__all__ = ["IO_KINDS", "Flows", "simulate"]

#: The segment a view's own wait is drawn as, by how the view waits (the site declares how:
#: :mod:`embedded_site.lesson_views`). A view handing its I/O to a thread (``sync_to_async``)
#: is drawn as hand-offs around a blocking wait there.
IO_KINDS: dict[IoStyle, Kind] = {IoStyle.AWAIT: Kind.IO_WAIT, IoStyle.BLOCKING: Kind.IO_BLOCKING}

#: The ``startproject`` stack's hooks Django runs through ``sync_to_async`` under ASGI (its
#: middleware are ``MiddlewareMixin`` classes): six ``process_request`` and CSRF's
#: ``process_view`` on the way in, six ``process_response`` on the way out. Each is a round
#: trip to the request's thread and back.
DJANGO_STACK_HOOKS = {"in": 7, "out": 6}


class Flows(Site):
    """The site with its requests' steps."""

    # --- a view's body -----------------------------------------------------------------

    def run_view(
        self, r: RequestLog, place: str, *, sync_thread: str, held: str | None = None
    ) -> Steps:
        """The view's I/O, then its CPU, on ``place`` (the shared loop, or a thread or loop
        of its own); ``sync_to_async`` inside it goes to ``sync_thread``. ``held`` is a
        thread blocked in ``async_to_sync`` meanwhile (behind a sync-only middleware): an
        await there holds that thread, so it is drawn as ``io_blocking`` on it."""
        s, view = self.scenario, self.view
        if self.uses_upstream:  # the view's httpx client, once for all its calls
            yield from self.work(r, Kind.FRAMEWORK, place, self.costs.http_client_ms, django=False)
        in_a_row = view.uses_fanout and view.io is IoStyle.BLOCKING  # else one gather
        calls = s.fanout if view.uses_fanout and not in_a_row else 1
        for _ in range(s.fanout if in_a_row else 1):
            if view.io is not IoStyle.THREAD:
                how = IO_KINDS[view.io]
                yield from self.wait_for_io(
                    r, how, place, calls if self.uses_upstream else 0, held=held
                )
            else:
                shared = place == LOOP
                if shared:
                    self.leave_loop()
                yield from self.hand_off(r, Kind.THREAD_HOP, place)
                start = self.env.now
                yield from self.connect(r, sync_thread)
                yield self.env.timeout(ns(s.io_ms * self.held(sync_thread, Kind.IO_BLOCKING)))
                r.log(Kind.IO_BLOCKING, start, self.env.now, sync_thread)
                yield from self.hand_off(r, Kind.THREAD_HOP, sync_thread)
                if shared:
                    yield from self.take_loop(r, sync_thread)
        if view.cpu_in_slices:
            yield from self.compute_in_slices(r, place)
        else:
            yield from self.work(r, Kind.CPU, place, s.cpu_ms * self.costs.cpu_scale)

    def connect(self, r: RequestLog, thread: str) -> Steps:
        """The view's first query opens its thread's database connection; Django closes it
        at ``request_finished`` (``CONN_MAX_AGE = 0``): the lane's end. Opening and closing
        it is Python on ``thread`` (``Costs.db_connect_ms``), drawn as part of the query's
        wait, as the measurement draws it."""
        if self.view.uses_database and not r.db_events:
            r.db_events.append((self.env.now, 1))
            yield from self.compute(
                self.costs.db_connect_ms, kind=Kind.FRAMEWORK, thread=thread, django=False
            )

    def wait_for_io(
        self, r: RequestLog, how: Kind, place: str, calls: int, held: str | None = None
    ) -> Steps:
        """One wait of ``io_ms``; first the upstream calls' own Python work, drawn as part
        of the wait, as the measurement draws it. Awaiting gives the shared loop up."""
        start, shared = self.env.now, place == LOOP and how is Kind.IO_WAIT
        for call in range(calls):
            if call and shared:  # each gathered call is a task: a step of its own
                yield from self.next_step()
            yield from self.compute(
                self.costs.http_call_ms, kind=Kind.FRAMEWORK, thread=place, django=False
            )
        if shared:
            self.leave_loop()
        yield from self.connect(r, place)
        yield self.env.timeout(ns(self.scenario.io_ms * self.held(place, how)))
        if held is not None and how is Kind.IO_WAIT:
            # The thread blocked in async_to_sync stays held until the view runs on: its
            # wait for the loop too (a burst's threads are all held at once, as measured).
            if shared:
                yield from self.take_loop(r, place, draw=False, due=True)
            r.log(Kind.IO_BLOCKING, start, self.env.now, held)
            return
        r.log(how, start, self.env.now, place)
        if shared:
            yield from self.take_loop(r, place, due=True)

    def compute_in_slices(self, r: RequestLog, place: str) -> Steps:
        """CPU in 2 ms slices with ``await asyncio.sleep(0)`` after each: back of the line."""
        left = self.scenario.cpu_ms
        while left > 0:
            yield from self.work(r, Kind.CPU, place, min(CPU_CHUNK_MS, left) * self.costs.cpu_scale)
            left -= CPU_CHUNK_MS
            if place == LOOP:
                self.leave_loop()
                yield from self.take_loop(r, place)

    def django_stack(self, r: RequestLog, chain: str, way: str) -> Steps:
        """``startproject``'s middleware on the way ``in`` or ``out``: each hook a round
        trip to the request's thread (a ``hook_hop_ms`` hand-off each way) to run its share of
        ``Costs.django_stack_ms`` (the Python the stack adds per request) there. The lanes
        draw the hand-offs inside the middleware chain as ``thread_hop`` on that thread,
        getting the loop back included (``trace.lanes``). The hooks of one way are played
        as one trip of all their hand-offs and Python: the same times, fewer events."""
        hooks = DJANGO_STACK_HOOKS[way]
        share = self.costs.django_stack_ms * hooks / sum(DJANGO_STACK_HOOKS.values())
        if chain != LOOP:  # already on the request's thread: no hand-offs
            yield from self.work(r, Kind.FRAMEWORK, chain, share)
            return
        self.leave_loop()
        yield from self.hand_off(r, Kind.THREAD_HOP, r.thread, hooks * self.costs.hook_hop_ms)
        yield from self.work(r, Kind.FRAMEWORK, r.thread, share)
        yield from self.hand_off(r, Kind.THREAD_HOP, r.thread, hooks * self.costs.hook_hop_ms)
        back = self.env.now
        yield from self.take_loop(r, r.thread, draw=False)
        r.log(Kind.THREAD_HOP, back, self.env.now, r.thread)

    # --- one request, start to end -------------------------------------------------------

    def asgi_request(self, r: RequestLog) -> Steps:
        """One request under ASGI. Its way in is three loop steps, as the lanes show:
        Django's handler up to ``request_started`` (handed to the request's thread), the
        request built and its task made, then that task (the middleware, the view up to its
        first await): Django's Python before the view (``asgi_view_in_ms``) is shared among
        them. Each step is an iteration of the loop apart from the last
        (:mod:`~simulator.prediction.loop`): in a burst every request takes its first step,
        then every one its second, so the views all begin in the last third of the way in.
        After the answer, ``response.close()`` and ``request_finished`` run on the request's
        thread, then the handler's last step on the loop (``asgi_finished_ms``, half each).
        """
        c = self.costs
        django = self.scenario.middleware == "django"
        share = c.asgi_view_in_ms / 3
        yield from self.take_loop(r, QUEUE, since=r.sent)
        yield from self.work(r, Kind.FRAMEWORK, LOOP, share)
        self.leave_loop()
        # Hand-offs to a thread wait for it to wake up: they hold nothing, and the lanes
        # draw them as ``queued`` (Django's time is its running only).
        yield from self.hand_off(r, Kind.QUEUED, LOOP, c.asgi_before_ms)
        yield from self.work(r, Kind.FRAMEWORK, r.thread, c.asgi_started_ms)  # request_started
        yield from self.take_loop(r, r.thread)
        yield from self.work(r, Kind.FRAMEWORK, LOOP, share)
        if self.scenario.middleware == "sync":
            # The chain runs on the request's thread: one more hand-off to get there.
            chain = r.thread
            self.leave_loop()
            yield from self.hand_off(r, Kind.QUEUED, LOOP)
        else:
            chain = LOOP
            start = self.env.now
            yield from self.next_step()  # the request's own task
            r.log(Kind.QUEUED, start, self.env.now, LOOP)
        yield from self.work(r, Kind.FRAMEWORK, chain, share)
        if django:
            yield from self.django_stack(r, chain, "in")
        if self.error:
            yield from self.work(r, Kind.FRAMEWORK, chain, c.error_ms)
        else:
            place = LOOP if self.is_async else r.thread
            if place != chain:
                if chain == LOOP:
                    self.leave_loop()
                yield from self.hand_off(r, Kind.THREAD_HOP, chain)
                if place == LOOP:
                    yield from self.take_loop(r, chain)
            held = chain if chain != LOOP and place == LOOP else None
            yield from self.run_view(r, place, sync_thread=r.thread, held=held)
            if place != chain:
                if place == LOOP:
                    self.leave_loop()
                yield from self.hand_off(r, Kind.THREAD_HOP, place)
                if chain == LOOP:
                    yield from self.take_loop(r, place)
        if django:
            yield from self.django_stack(r, chain, "out")
        if chain != LOOP:
            yield from self.hand_off(r, Kind.QUEUED, chain)
            yield from self.take_loop(r, chain)
        yield from self.work(r, Kind.FRAMEWORK, LOOP, c.asgi_after_ms)
        r.done = self.env.now
        self.leave_loop()
        # response.close() and request_finished on the request's thread, then the
        # handler's last step on the loop (none where Django costs nothing: Costs.zero()).
        yield from self.hand_off(r, Kind.QUEUED, LOOP)
        yield from self.work(r, Kind.FRAMEWORK, r.thread, c.asgi_finished_ms / 2)
        if c.asgi_finished_ms > 0:
            yield from self.take_loop(r, r.thread)
            yield from self.work(r, Kind.FRAMEWORK, LOOP, c.asgi_finished_ms / 2)
            self.leave_loop()

    def wsgi_request(self, r: RequestLog) -> Steps:
        c = self.costs
        worker = yield self.workers.request()
        r.log(Kind.QUEUED, r.sent, self.env.now, QUEUE)
        yield from self.work(r, Kind.FRAMEWORK, worker, c.wsgi_before_ms)
        if self.scenario.middleware == "django":
            yield from self.work(r, Kind.FRAMEWORK, worker, c.django_stack_ms / 2)
        if self.error:
            yield from self.work(r, Kind.FRAMEWORK, worker, c.error_ms)
        elif self.is_async:  # async_to_sync: a loop of its own, while the worker waits
            own = f"async_to_sync-{r.rid}"
            yield from self.hand_off(r, Kind.THREAD_HOP, worker, c.wsgi_async_hop_ms)
            yield from self.run_view(r, own, sync_thread=worker)
            yield from self.hand_off(r, Kind.THREAD_HOP, own, c.wsgi_async_hop_ms)
        else:
            yield from self.run_view(r, worker, sync_thread=worker)
        if self.scenario.middleware == "django":
            yield from self.work(r, Kind.FRAMEWORK, worker, c.django_stack_ms / 2)
        yield from self.work(r, Kind.FRAMEWORK, worker, c.wsgi_after_ms)
        r.done = self.env.now
        yield from self.work(r, Kind.FRAMEWORK, worker, c.wsgi_finished_ms)
        self.workers.release(worker)

    def client(self, requests: list[RequestLog]) -> Steps:
        """Send every request at its time; each reaches the server ``send_ms`` later. With
        ``concurrency`` (a piece counting as ``weight`` requests), a request due while that
        many are in flight is sent when one is answered, as the real client holds it back
        (``simulator.hosting.burst``): its latency starts then."""
        concurrency = self.scenario.concurrency
        limit = max(1, round(concurrency / self.weight)) if concurrency else len(requests)
        for r in requests:
            if r.sent > self.env.now:
                yield self.env.timeout(r.sent - self.env.now)
            while self._in_flight >= limit:
                self._slot_freed = self.env.event()
                yield self._slot_freed
            r.sent = self.env.now
            self._in_flight += 1
            self.env.process(self.request(r))

    def request(self, r: RequestLog) -> Steps:
        """One request: up to half the unseen overhead while it is sent (the client building
        it), the server's steps, the rest once answered (the client reading it, the thread
        pool's and asyncio's bookkeeping)."""
        overhead = self.costs.overhead_ms(self.scenario.mode, self.threaded)
        # Within the send as measured alone: a lone request's latency is its drawn steps.
        before = min(overhead / 2, self.costs.send_ms)
        start = self.env.now
        yield from self.overhead(before)
        yield self.env.timeout(max(0, ns(self.costs.send_ms) - (self.env.now - start)))
        self.inside += self.weight
        if self.scenario.mode == "asgi":
            yield from self.asgi_request(r)
        else:
            yield from self.wsgi_request(r)
        if r.db_events:
            r.db_events.append((r.segments[-1].end_ns, -1))
        yield from self.overhead(overhead - before)
        self.inside -= self.weight
        self._in_flight -= 1
        freed, self._slot_freed = self._slot_freed, None
        if freed is not None:
            freed.succeed()


def simulate(scenario: Scenario, costs: Costs, pieces: int | None = None) -> Trace:
    """The predicted trace of one in-process scenario (``asgi`` or ``wsgi``).

    ``pieces`` fewer than the scenario's requests: each modelled request stands for
    ``requests / pieces`` of them, sent together (:mod:`simulator.prediction.scale`)."""
    count = scenario.requests if pieces is None else max(1, min(pieces, scenario.requests))
    weight = scenario.requests / count
    site = Flows(scenario, costs, weight)
    spacing = ns(scenario.arrival_ms * weight)
    requests = [RequestLog(rid, sent=rid * spacing, thread=f"thread-{rid}") for rid in range(count)]
    asgi = scenario.mode == "asgi"
    site.env.process(site.client(requests))
    site.env.run()
    lanes = tuple(r.lane(scenario.view, site.error) for r in requests)
    last = max(lane.end_ns for lane in lanes)
    return Trace(
        t0_ns=0,
        lanes=lanes,
        loop_thread=LOOP if asgi else None,
        # As the engine does: only blocks within the run.
        loop_blocked=tuple((s, min(e, last)) for s, e in site.blocked if s < last),
    )
