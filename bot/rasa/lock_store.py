"""A Redis lock store that is safe when several Rasa servers share it.

Rasa 3.6's RedisLockStore reads a conversation's ticket list, changes it in Python
and writes it back (GET ... SET). Two servers that issue a ticket for the same
conversation at the same moment both read "no tickets", both take ticket 0 and both
process their message at once: the tracker gets both user messages before either
reply, or loses one. Its clean-up has the same gap (it deletes the lock another
server has just queued on, which then fails with LockError).

Here each step is one Lua script, which Redis runs atomically:

    issue    INCR a per-conversation counter -> ticket n; ZADD n to the queue
    holds?   drop expired tickets; is the lowest ticket in the queue n?
    release  ZREM n; when the queue is empty delete both keys

so tickets are unique, served in the order issued, and a queue is deleted only when
nobody is in it. Both keys expire with the last ticket, so a server killed while
holding a lock blocks its conversation for at most the lock's lifetime.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

KEY_PREFIX = "ticketlock:"
POLL_SECONDS = 0.02  # Rasa's store waits a whole second between looks

# KEYS: counter, queue. ARGV: expiry (ms since epoch), lifetime (ms).
# Members are "<ticket>:<expiry ms>" scored by the ticket number.
ISSUE = """
local ticket = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], ticket, ticket .. ':' .. ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return ticket
"""

# KEYS: queue. ARGV: now (ms), ticket. 1: held, 0: waiting, -1: the ticket expired.
HOLDS = """
local mine = false
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local number, expiry = string.match(member, '^(%d+):(%d+)$')
  if tonumber(expiry) <= tonumber(ARGV[1]) then
    redis.call('ZREM', KEYS[1], member)
  elseif number == ARGV[2] then
    mine = true
  end
end
if not mine then return -1 end
local first = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if string.match(first, '^(%d+):') == ARGV[2] then return 1 end
return 0
"""

# KEYS: counter, queue. ARGV: ticket.
RELEASE = """
redis.call('ZREMRANGEBYSCORE', KEYS[2], ARGV[1], ARGV[1])
if redis.call('ZCARD', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[1], KEYS[2])
end
return 1
"""


class RedisTicketLockStore(LockStore):
    """Ticket locks in Redis with atomic issue, check and release (see the module doc).

    endpoints.yml: `lock_store: {type: bot.rasa.lock_store.RedisTicketLockStore, url: host,
    port:, db:, password:}` (`python -m bot serve rasa` sets it when LOCK_STORE_URL is
    redis://)."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        *,
        host: str = "localhost",
        port: int = 6379,
        db: int = 1,
        password: str | None = None,
    ) -> None:
        if endpoint_config is not None:
            kwargs = endpoint_config.kwargs
            host = endpoint_config.url or host
            port = int(kwargs.get("port") or port)
            db = int(kwargs.get("db") or db)
            password = kwargs.get("password") or None
        self._connection = {"host": host, "port": port, "db": db, "password": password}
        self._redis: Any = None
        self._scripts: dict[str, Any] = {}
        super().__init__()

    def _client(self) -> Any:
        # created on first use, inside the server's event loop
        if self._redis is None:
            import redis.asyncio

            self._redis = redis.asyncio.Redis(**self._connection, socket_timeout=10)
            for name, source in (("issue", ISSUE), ("holds", HOLDS), ("release", RELEASE)):
                self._scripts[name] = self._redis.register_script(source)
        return self._redis

    @staticmethod
    def _keys(conversation_id: str) -> list[str]:
        return [f"{KEY_PREFIX}{conversation_id}:next", f"{KEY_PREFIX}{conversation_id}:queue"]

    async def _issue(self, conversation_id: str, lifetime: float) -> int:
        self._client()
        lifetime_ms = max(1, int(lifetime * 1000))
        expiry = int(time.time() * 1000) + lifetime_ms
        keys = self._keys(conversation_id)
        return int(await self._scripts["issue"](keys=keys, args=[expiry, lifetime_ms]))

    async def _holds(self, conversation_id: str, ticket: int) -> int:
        now = int(time.time() * 1000)
        keys = self._keys(conversation_id)[1:]
        return int(await self._scripts["holds"](keys=keys, args=[now, ticket]))

    async def _release(self, conversation_id: str, ticket: int) -> None:
        await self._scripts["release"](keys=self._keys(conversation_id), args=[ticket])

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = POLL_SECONDS,
    ) -> AsyncGenerator[TicketLock, None]:
        """Wait for this conversation's turn (first come, first served), hold it inside."""
        ticket = await self._issue(conversation_id, lock_lifetime)
        try:
            while True:
                state = await self._holds(conversation_id, ticket)
                if state == 1:
                    break
                if state == -1:
                    raise LockError(
                        f"Could not acquire lock for conversation_id '{conversation_id}'."
                    )
                await asyncio.sleep(min(wait_time_in_seconds, POLL_SECONDS))
            yield TicketLock(conversation_id)
        finally:
            await self._release(conversation_id, ticket)

    # Rasa's synchronous interface, used by nothing in Rasa 3.6 but `lock()`.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        raise NotImplementedError("use lock()")

    def delete_lock(self, conversation_id: str) -> None:
        raise NotImplementedError("use lock()")

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("use lock()")
