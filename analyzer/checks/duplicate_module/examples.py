"""duplicate-module's example projects: what it reports (INVALID, with the tree its fix leaves) and what it must not."""

from __future__ import annotations

from analyzer.checks import Example

_MANAGER = '''"""Keeps one queue per session."""
import asyncio


class {cls}:
    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue] = {{}}
        self._closed = False

    def queue(self, session_id: str) -> asyncio.Queue:
        if session_id not in self._queues:
            self._queues[session_id] = asyncio.Queue(maxsize=100)
        return self._queues[session_id]

    async def publish(self, session_id: str, event: dict) -> None:
        if self._closed:
            raise RuntimeError("manager is closed")
        await self.queue(session_id).put(event)

    async def drain(self, session_id: str) -> list[dict]:
        items = []
        queue = self.queue(session_id)
        while not queue.empty():
            items.append(queue.get_nowait())
        return items

    def close(self) -> None:
        self._closed = True
        self._queues.clear()

    def stats(self) -> dict[str, int]:
        return {{name: queue.qsize() for name, queue in self._queues.items()}}


_{var}: {cls} | None = None


def {getter}() -> {cls}:
    global _{var}
    if _{var} is None:
        _{var} = {cls}()
    return _{var}
'''

_PROVIDER = '''"""OAuth login with {name}."""
import httpx

AUTHORIZE_URL = "{url}/authorize"
TOKEN_URL = "{url}/token"
SCOPE = "{scope}"
TIMEOUT = 10


def authorize_url(client_id: str, state: str) -> str:
    return f"{{AUTHORIZE_URL}}?client_id={{client_id}}&state={{state}}&scope={{SCOPE}}"


async def exchange(client_id: str, secret: str, code: str) -> dict:
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        response = await client.post(
            TOKEN_URL,
            data={{"client_id": client_id, "client_secret": secret, "code": code}},
            headers={{"Accept": "application/json"}},
        )
        response.raise_for_status()
        return response.json()


def profile_name(payload: dict) -> str:
    return payload.get("login") or payload.get("username") or "{name}-user"


def display(payload: dict) -> str:
    return "{name}: " + profile_name(payload)


def is_expired(payload: dict) -> bool:
    return payload.get("expires_in", 0) <= 0


def avatar(payload: dict) -> str | None:
    return payload.get("avatar_url")


def email(payload: dict) -> str | None:
    return payload.get("email")
'''

INVALID = (
    Example(
        files={
            "app/__init__.py": "",
            "app/stream.py": _MANAGER.format(cls="StreamManager", var="stream", getter="get_stream"),
            "app/sse.py": _MANAGER.format(cls="SSEManager", var="sse", getter="get_sse"),
            "app/main.py": "from app.stream import get_stream\n\nmanager = get_stream()\n",
        },
        expected=(("app/sse.py", 1, None),),
        note="a renamed copy that nothing imports",
        fixed={"app/sse.py": None},
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/stream.py": _MANAGER.format(cls="StreamManager", var="stream", getter="get_stream"),
            "app/sse.py": _MANAGER.format(cls="SSEManager", var="sse", getter="get_sse"),
            "app/main.py": "from app.stream import get_stream\n\nmanager = get_stream()\n",
            "tests/__init__.py": "",
            "tests/test_sse.py": (
                "from app.sse import SSEManager\n\n\ndef test_queue():\n    assert SSEManager().queue('a').empty()\n"
            ),
        },
        expected=(("app/sse.py", 1, None),),
        note="a dead copy that a test still imports: the survivor keeps the old names, the test imports it",
        fixed={
            "app/sse.py": None,
            "app/stream.py": _MANAGER.format(cls="StreamManager", var="stream", getter="get_stream")
            + "\n\n# Old names kept for code that imported the removed app.sse\n"
            "SSEManager = StreamManager\nget_sse = get_stream\n",
            "tests/test_sse.py": (
                "from app.stream import SSEManager\n\n\ndef test_queue():\n    assert SSEManager().queue('a').empty()\n"
            ),
        },
    ),
)

VALID = (
    Example(
        files={
            "app/__init__.py": "",
            "app/github.py": _PROVIDER.format(
                name="github", url="https://github.com/login/oauth", scope="read:user"
            ),
            "app/gitlab.py": _PROVIDER.format(name="gitlab", url="https://gitlab.com/oauth", scope="read_user"),
            "app/main.py": "from app import github, gitlab\n\nPROVIDERS = [github, gitlab]\n",
        },
        uncertain=(("app/github.py", 1, None),),
        note="live per-provider look-alikes that differ in their literals: uncertain",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/a.py": "from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    x: int\n    y: str\n",
            "app/b.py": "from pydantic import BaseModel\n\n\nclass B(BaseModel):\n    x: int\n    y: str\n",
        },
        note="short schema modules look alike by nature",
    ),
    Example(
        files={
            "app/__init__.py": "",
            "app/api/__init__.py": "",
            "app/api/v1/__init__.py": "",
            "app/api/v2/__init__.py": "",
            "app/api/v1/stream.py": _MANAGER.format(cls="StreamManager", var="stream", getter="get_stream"),
            "app/api/v2/stream.py": _MANAGER.format(cls="StreamManager", var="stream", getter="get_stream"),
            "app/main.py": "from app.api.v1 import stream as v1\nfrom app.api.v2 import stream as v2\n",
        },
        uncertain=(("app/api/v1/stream.py", 1, None),),
        note="the same module in two live versions of an API: uncertain",
    ),
)
