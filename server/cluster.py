"""One worker among several sharing one Redis (``backprop-lab --redis``; the design is in docs/scaling.md).

Each session is trained by exactly one worker: the one whose id its lease (``backprop-lab:lease:<id>``) holds.
The owner renews its leases every ``renew_every_seconds`` (1.5 s) with a compare-and-extend script; a lease
lapses ``lease_seconds`` (5 s) after its last renewal, and the next page to open the session, on any worker,
takes it and rebuilds it from Redis at its last stored step (saved every second, so at most a second old).

A page on a worker that does not own its session is served from a ``Mirror`` of the owner's channel, and its
controls are forwarded to the owner's worker channel. New sessions go to the live worker with the fewest
sessions (heartbeats: ``backprop-lab:alive`` and ``backprop-lab:load``, timed by Redis's own clock).

Only this module and server/redisstore.py import redis (an optional extra: ``pip install backprop-lab[redis]``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from . import recurrent
from .mirror import Mirror, close_moved
from .protocol import FieldError
from .redisstore import RENEW, Keys
from .remote import Fanout, RemotePage
from .session import Session
from .ws import welcome

if TYPE_CHECKING:
    from .registry import Registry
    from .settings import Settings

log = logging.getLogger("backprop_lab.cluster")
# Longer than any page's own id (at most 64 characters, server/protocol.py), so no page can take its place.
FANOUT_KEY = "~fan-out to the pages on other workers~" * 2
REDIS_LOST = ("This server process has lost contact with Redis, the shared store: it goes on training the sessions "
              "it holds, but cannot save them or reach the others until Redis is back.")
UNREACHABLE = FieldError("session", "session: the server cannot reach Redis, where sessions are kept; trying again")
MOVED_AWAY = "the session moved to another server process"
FORGET_WORKER_SECONDS = 60.0  # a worker silent this long is removed from the heartbeats
IDLE_MIRROR_SECONDS = 10.0  # a mirror no page has used this long stops listening


class Cluster:
    def __init__(self, registry: Registry, settings: Settings) -> None:
        assert settings.redis is not None
        self.registry = registry
        self.settings = settings
        self.id = registry.instance
        self.keys = Keys()
        self.redis = aioredis.Redis.from_url(settings.redis, socket_timeout=3, socket_connect_timeout=3)
        self._renew = self.redis.register_script(RENEW)
        self.lease_ms = int(settings.lease_seconds * 1000)
        self.mirrors: dict[str, Mirror] = {}
        self._readers: dict[str, asyncio.Task[None]] = {}
        self._outbox: asyncio.Queue[tuple[str, bytes, asyncio.Future[None] | None]] = \
            asyncio.Queue(settings.redis_outbox)
        self._tasks: list[asyncio.Task[None]] = []
        self.healthy = True
        self.published = self.published_bytes = 0  # for measurement (bench/server.py)

    async def start(self) -> None:
        with contextlib.suppress(RedisError):  # no Redis yet: said on the pages once the loops notice
            await self._heartbeat()
        self._tasks = [asyncio.create_task(t) for t in (self._publish_forever(), self._listen_forever(),
                                                        self._renew_forever(), self._keep_forever())]

    async def stop(self) -> None:
        for task in [*self._tasks, *self._readers.values()]:
            task.cancel()
        with contextlib.suppress(RedisError):
            await self.redis.hdel(self.keys.alive, self.id)
            await self.redis.hdel(self.keys.load, self.id)
        await self.redis.aclose()

    # -- leases and placement -------------------------------------------------------------------------

    async def claim(self, session_id: str) -> str:
        """Take the session's lease if nobody holds it; returns the worker that holds it now."""
        lease = self.keys.lease(session_id)
        try:
            for _ in range(3):  # a lease that lapses between SET NX and GET: try again
                if await self.redis.set(lease, self.id, nx=True, px=self.lease_ms):
                    return self.id
                holder = await self.redis.get(lease)
                if holder is not None:
                    return holder.decode()
        except RedisError as exc:
            self._lost(exc)
            raise UNREACHABLE from None
        raise UNREACHABLE

    async def release(self, session_id: str) -> None:
        with contextlib.suppress(RedisError):
            if await self.redis.get(self.keys.lease(session_id)) == self.id.encode():
                await self.redis.delete(self.keys.lease(session_id))

    async def least_loaded(self) -> str:
        """The live worker with the fewest sessions (this one on a tie)."""
        now, _ = await self.redis.time()
        alive = await self.redis.hgetall(self.keys.alive)
        loads = await self.redis.hgetall(self.keys.load)
        live = [w.decode() for w, at in alive.items() if now - float(at) <= self.settings.lease_seconds]
        if not live:
            return self.id
        return min(live, key=lambda w: (int(loads.get(w.encode(), 0)), w != self.id))

    async def place(self, session: Session) -> None:
        """A new session: kept in Redis at once, and trained by the least-loaded live worker."""
        keeper = self.registry.keeper
        assert keeper is not None
        try:
            await self.redis.set(self.keys.lease(session.id), self.id, px=self.lease_ms)
            target = self.id if recurrent.is_rnn(session.trainer) else await self.least_loaded()  # the RNN is not kept
            await self.redis.hincrby(self.keys.load, target, 1)  # counted at once: its heartbeat says it only later
            await keeper.save([session])
            if target == self.id:
                return
            # Hand over: the lease goes to the target (which renews it, or it lapses and anyone may take it).
            await self.redis.set(self.keys.lease(session.id), target, px=self.lease_ms)
        except RedisError as exc:  # it stays here, and is kept once Redis is back
            self._lost(exc)
            return
        self.registry.sessions.pop(session.id, None)
        keeper.forget(session.id)
        session.close()
        await self.to_worker(target, {"op": "adopt", "session": session.id})

    async def mirror(self, session_id: str, owner: str) -> Mirror:
        """This worker's view of a session another worker trains, listening to the owner's channel."""
        mirror = self.mirrors.get(session_id)
        if mirror is not None and mirror.owner == owner:
            return mirror
        if mirror is not None:
            self._drop_mirror(mirror, MOVED_AWAY)
        async def to_owner(worker: str, message: dict[str, Any]) -> None:
            await self.to_worker(worker, {**message, "worker": self.id})

        mirror = Mirror(session_id, owner, self.id, self.settings, self.registry.load, to_owner)
        pubsub = self.redis.pubsub()
        try:
            await pubsub.subscribe(self.keys.out(session_id))
            while (await pubsub.get_message(timeout=3.0) or {}).get("type") != "subscribe":
                pass  # subscribed before the page joins: the owner's answer cannot be missed
        except RedisError as exc:
            await pubsub.aclose()
            self._lost(exc)
            raise UNREACHABLE from None
        self.mirrors[session_id] = mirror
        self._readers[session_id] = asyncio.create_task(self._read(mirror, pubsub))
        return mirror

    async def _read(self, mirror: Mirror, pubsub: Any) -> None:
        try:
            async for message in pubsub.listen():
                if message["type"] == "message":
                    mirror.receive(message["data"])
        except RedisError as exc:
            self._lost(exc)
            self._drop_mirror(mirror, "lost contact with Redis")
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()

    def _drop_mirror(self, mirror: Mirror, reason: str) -> None:
        if self.mirrors.get(mirror.id) is mirror:
            del self.mirrors[mirror.id]
            reader = self._readers.pop(mirror.id, None)
            if reader is not None and reader is not asyncio.current_task():
                reader.cancel()
        mirror.moved(reason)

    # -- messages between workers ---------------------------------------------------------------------

    async def publish(self, channel: str, data: bytes) -> asyncio.Future[None] | None:
        """In order, through one connection (a reply is never overtaken by the frame after it). Returns a future
        done once it is out, so that a fan-out keeps one frame in flight and never queues stale ones."""
        if not self.healthy:
            return None
        done = asyncio.get_running_loop().create_future()
        await self._outbox.put((channel, data, done))
        return done

    def publish_soon(self, channel: str, data: bytes) -> None:
        """Without waiting (a reply, from code that cannot wait); in order with the rest."""
        if self.healthy and not self._outbox.full():
            self._outbox.put_nowait((channel, data, None))

    async def to_worker(self, worker: str, message: dict[str, Any]) -> None:
        await self.publish(self.keys.worker(worker), json.dumps(message, separators=(",", ":")).encode())

    async def _publish_forever(self) -> None:
        while True:
            batch = [await self._outbox.get()]
            while not self._outbox.empty() and len(batch) < 256:
                batch.append(self._outbox.get_nowait())
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    for channel, data, _ in batch:
                        pipe.publish(channel, data)
                    await pipe.execute()
                self.published += len(batch)
                self.published_bytes += sum(len(d) for _, d, _ in batch)
            except RedisError as exc:  # dropped: a frame is superseded by the next; a page reconnects for the rest
                self._lost(exc)
            for _, _, done in batch:
                if done is not None and not done.done():
                    done.set_result(None)

    async def _listen_forever(self) -> None:
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(self.keys.worker(self.id))
                async for message in pubsub.listen():
                    if message["type"] != "message":
                        continue
                    try:
                        await self._on_message(json.loads(message["data"]))
                    except FieldError:
                        pass  # Redis unreachable while opening the session: its page tries again
                    except Exception:
                        log.exception("could not handle a forwarded message")
            except RedisError as exc:
                self._lost(exc)
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    async def _on_message(self, m: dict[str, Any]) -> None:
        session = await self.owned(m["session"])
        if session is None:  # not ours (any more): the page's worker sees the lease move and reconnects it
            return
        op = m["op"]
        if op == "join":
            page = self._page(session, m)
            session.last_used = time.time()
            session.watchers_changed()
            session.changed(grid=False)  # frames carry the viewer count
            page.send_json({**welcome(session, page, m["hello"], self.id), "client": m["client"]})
            session.poll.greet(page)
            session.lesson.greet(page)
            self._fanout(session).start_over()
        elif op == "control":
            await session.handle(self._page(session, m), m["text"])
        elif op == "leave":
            self._leave(session, f"{m['worker']}/{m['client']}")
        elif op == "resync":
            self._fanout(session).start_over()
        elif op == "here":  # the pages a worker still has on this session (a worker that died stops saying so)
            now = time.monotonic()
            for client in m["clients"]:
                page = session.clients.get(f"{m['worker']}/{client}")
                if isinstance(page, RemotePage):
                    page.seen = now

    async def owned(self, session_id: str) -> Session | None:
        """The session if this worker trains it (rebuilt from Redis if its lease was just handed to us)."""
        session = self.registry.sessions.get(session_id)
        if session is not None:
            return session
        if await self.claim(session_id) != self.id:
            return None
        return await self.registry.load_kept(session_id)

    def _page(self, session: Session, m: dict[str, Any]) -> RemotePage:
        """The page as the owner knows it; its role checked on every message, against the proof it sent (the
        SHA-256 of its secret, which its worker computed: the secret itself never leaves that worker)."""
        key = f"{m['worker']}/{m['client']}"
        proof = m.get("proof")
        role = "controller" if proof and secrets.compare_digest(proof, session.token_hash) else "viewer"
        page = session.clients.get(key)
        if not isinstance(page, RemotePage):
            channel = self.keys.out(session.id)
            page = RemotePage(key, role, lambda data: self.publish_soon(channel, data))
            session.clients[key] = page
            self._fanout(session)
        page.role = role
        page.seen = time.monotonic()
        return page

    def _fanout(self, session: Session) -> Fanout:
        fanout = session.clients.get(FANOUT_KEY)
        if isinstance(fanout, Fanout):
            return fanout
        channel = self.keys.out(session.id)

        async def publish(data: bytes) -> asyncio.Future[None] | None:
            return await self.publish(channel, data)

        fanout = Fanout(publish, self.settings.max_outbox)
        session.clients[FANOUT_KEY] = fanout
        fanout.task = fanout.start_sender(session)
        return fanout

    def _leave(self, session: Session, key: str) -> None:
        page = session.clients.get(key)
        if not isinstance(page, RemotePage):
            return
        del session.clients[key]
        page.closed = True
        for job in page.jobs.values():
            job.cancel()
        if not any(isinstance(c, RemotePage) for c in session.clients.values()):
            fanout = session.clients.pop(FANOUT_KEY, None)
            if isinstance(fanout, Fanout):
                fanout.closed = True
                if fanout.task is not None:
                    fanout.task.cancel()
        session.last_seen = time.monotonic()
        session.watchers_changed()
        session.changed(grid=False)

    # -- staying alive --------------------------------------------------------------------------------

    async def _heartbeat(self) -> None:
        now, _ = await self.redis.time()
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.hset(self.keys.alive, self.id, now)
            pipe.hset(self.keys.load, self.id, len(self.registry.sessions))
            await pipe.execute()
        alive = await self.redis.hgetall(self.keys.alive)
        for worker, at in alive.items():
            if now - float(at) > FORGET_WORKER_SECONDS:
                await self.redis.hdel(self.keys.alive, worker)
                await self.redis.hdel(self.keys.load, worker)

    async def _renew_all(self) -> None:
        ids = list(self.registry.sessions)
        if not ids:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for session_id in ids:
                await self._renew(keys=[self.keys.lease(session_id)], args=[self.id, self.lease_ms], client=pipe)
            held = await pipe.execute()
        for session_id, ours in zip(ids, held, strict=True):
            if not ours:
                self._give_up(session_id)

    def _give_up(self, session_id: str) -> None:
        """Another worker holds the lease now (we were cut off longer than the lease): its pages reconnect to
        find the session where it is trained now; nothing of ours is written over its state (redisstore.py)."""
        session = self.registry.sessions.pop(session_id, None)
        if session is None:
            return
        log.warning("session %s is trained by another worker now; its pages here reconnect", session_id)
        assert self.registry.keeper is not None
        self.registry.keeper.forget(session_id)
        pages = [c.websocket for c in session.clients.values() if not isinstance(c, RemotePage | Fanout)]
        session.close()
        for websocket in pages:
            asyncio.get_running_loop().create_task(close_moved(websocket, MOVED_AWAY))

    async def _check_mirrors(self) -> None:
        mirrors = list(self.mirrors.values())
        if not mirrors:
            return
        holders = await self.redis.mget([self.keys.lease(m.id) for m in mirrors])
        now = time.monotonic()
        for mirror, holder in zip(mirrors, holders, strict=True):
            if holder is None or holder.decode() != mirror.owner:
                self._drop_mirror(mirror, MOVED_AWAY)
            elif not mirror.pages and now - mirror.unused_since > IDLE_MIRROR_SECONDS:
                self._drop_mirror(mirror, "unused")

    def _still_here(self) -> None:
        """Tell each owner which of its pages this worker still has; forget remote pages whose worker has not
        said so for a lease's time (it died, or lost Redis: its pages reconnect elsewhere)."""
        for mirror in self.mirrors.values():
            if mirror.pages:
                message = {"op": "here", "session": mirror.id, "worker": self.id, "clients": list(mirror.pages)}
                self.publish_soon(self.keys.worker(mirror.owner), json.dumps(message).encode())
        too_old = time.monotonic() - self.settings.lease_seconds
        for session in list(self.registry.sessions.values()):
            for key, page in list(session.clients.items()):
                if isinstance(page, RemotePage) and page.seen < too_old:
                    self._leave(session, key)

    async def _renew_forever(self) -> None:
        """Alone in its loop: nothing else this worker waits for may delay a renewal."""
        last = time.monotonic()
        while True:
            await asyncio.sleep(self.settings.renew_every_seconds)
            try:
                await self._renew_all()
            except RedisError as exc:
                self._lost(exc)
                continue
            now, last = time.monotonic(), time.monotonic() - last
            if last > 0.6 * self.settings.lease_seconds:  # an overloaded worker: say so before leases lapse
                log.warning("leases renewed %.1f s apart (they lapse after %g s): this worker is overloaded",
                            last, self.settings.lease_seconds)
            last = now

    async def _keep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.settings.renew_every_seconds)
            try:
                await self._heartbeat()
                await self._check_mirrors()
                self._still_here()
            except RedisError as exc:
                self._lost(exc)
            else:
                self._found()

    def _lost(self, exc: Exception) -> None:
        if not self.healthy:
            return
        self.healthy = False
        log.error("lost contact with Redis (%s); the sessions here go on", exc)
        for session in self.registry.sessions.values():
            session.announce(REDIS_LOST)
        for mirror in self.mirrors.values():
            mirror.say(REDIS_LOST)

    def _found(self) -> None:
        if self.healthy:
            return
        self.healthy = True
        log.warning("Redis is back")
        for session in self.registry.sessions.values():
            if session.status == REDIS_LOST:
                session.announce(None)
        for mirror in self.mirrors.values():
            mirror.say(None)

