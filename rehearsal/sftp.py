"""A real SFTP server on loopback serving one folder, and the client the emulated connector uses.

asyncssh provides both ends (one well-kept library, pure Python, no system sshd needed). The folder
appears to clients as the partner's home directory, `/home/sftpuser`, as in the seed.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import asyncssh

REMOTE_HOME = "/home/sftpuser"
USER = "sftpuser"
T = TypeVar("T")


class _HomeDirectory(asyncssh.SFTPServer):
    """Serves `root` as /home/sftpuser; nothing outside it is reachable."""

    def __init__(self, chan: asyncssh.SSHServerChannel, root: Path) -> None:
        super().__init__(chan, chroot=str(root).encode())

    def map_path(self, path: bytes) -> bytes:
        home = REMOTE_HOME.encode()
        if path == home or path.startswith(home + b"/"):
            path = path[len(home):] or b"/"
        return super().map_path(path)


class _PasswordServer(asyncssh.SSHServer):
    def __init__(self, password: str) -> None:
        self._password = password

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == USER and secrets.compare_digest(password, self._password)


class SftpServer:
    """Runs on its own event loop thread; `run(coro)` executes client work on that loop."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.password = secrets.token_urlsafe(16)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sftp", daemon=True)
        self._server: asyncssh.SSHAcceptor | None = None
        self.port = 0

    def __enter__(self) -> SftpServer:
        self._thread.start()
        self._server = self.run(self._listen())
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.close()
            self.run(self._server.wait_closed())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    async def _listen(self) -> asyncssh.SSHAcceptor:
        key = asyncssh.generate_private_key("ssh-ed25519")
        return await asyncssh.create_server(
            lambda: _PasswordServer(self.password), "127.0.0.1", 0,
            server_host_keys=[key],
            sftp_factory=lambda chan: _HomeDirectory(chan, self.root),
        )

    def submit(self, coro: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return self.submit(coro).result(timeout)

    async def download(self, remote_path: str) -> bytes:
        """Fetch one file as an SFTP client would (a fresh connection, like a connector's session)."""
        async with asyncssh.connect("127.0.0.1", self.port, username=USER, password=self.password,
                                    known_hosts=None) as connection, connection.start_sftp_client() as sftp, \
                await sftp.open(remote_path, "rb") as remote:
            return await remote.read()
