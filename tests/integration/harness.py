# SPDX-License-Identifier: Apache-2.0
"""Start the real holdfast binary on a free 127.0.0.1 port with a temp data dir.

Used by every integration test: `with Server() as s: ...` gives s.url, s.port, s.data_dir,
s.access_key, s.secret_key. The server is stopped with SIGTERM (and must exit 0 within the
bound) when the block ends. Loops are bounded; nothing leaves loopback.
"""
import fcntl
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time

BIN = os.environ.get("HOLDFAST_BIN", "holdfast")
START_TIMEOUT_S = 20
STOP_TIMEOUT_S = 20


# linux/fs.h (the same numbers on x86_64 and aarch64)
FS_IOC_GETFLAGS = 0x80086601
FS_IOC_SETFLAGS = 0x40086602
FS_IMMUTABLE_FL = 0x10


def clear_immutable(root):
    """Drop the immutable inode flag the store puts on blobs of locked versions (when it
    runs with the privilege to), so that a temp data dir can be removed: a test cleanup,
    not a way around a lock."""
    for d, _, files in os.walk(root):
        for f in files:
            try:
                fd = os.open(os.path.join(d, f), os.O_RDONLY | os.O_NOFOLLOW)
            except OSError:
                continue
            try:
                buf = bytearray(8)
                fcntl.ioctl(fd, FS_IOC_GETFLAGS, buf)
                fl = struct.unpack_from("i", buf)[0]
                if fl & FS_IMMUTABLE_FL:
                    struct.pack_into("i", buf, 0, fl & ~FS_IMMUTABLE_FL)
                    fcntl.ioctl(fd, FS_IOC_SETFLAGS, buf)
            except OSError:
                pass
            finally:
                os.close(fd)


class ServerError(Exception):
    pass


class Server:
    def __init__(self, config=None, env=None, data_dir=None, args=(), access_key="HFTESTROOTKEY",
                 secret_key="hf-test-root-secret-0123456789", listen="127.0.0.1:0"):
        self.config = config
        self.extra_env = env
        self.args = list(args)
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="hf-it-")
        self.access_key = access_key
        self.secret_key = secret_key
        self.listen = listen
        self.proc = None
        self.stdout_lines = []
        self.stderr_lines = []
        self.url = None
        self.port = None

    def _reader(self, stream, sink):
        for line in iter(stream.readline, ""):
            sink.append(line.rstrip("\n"))
        stream.close()

    def start(self):
        cmd = [BIN, "serve", "--data-dir", os.path.join(self.data_dir, "store"),
               "--listen", self.listen]
        if self.config is not None:
            path = os.path.join(self.data_dir, "holdfast.json")
            with open(path, "w") as f:
                f.write(self.config)
            cmd += ["--config", path]
        cmd += self.args
        env = dict(os.environ)
        env.pop("HOLDFAST_ROOT_ACCESS_KEY", None)
        env.pop("HOLDFAST_ROOT_SECRET_KEY", None)
        if self.access_key:
            env["HOLDFAST_ROOT_ACCESS_KEY"] = self.access_key
            env["HOLDFAST_ROOT_SECRET_KEY"] = self.secret_key
        if self.extra_env:
            env.update(self.extra_env)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        self._threads = [
            threading.Thread(target=self._reader, args=(self.proc.stdout, self.stdout_lines),
                             daemon=True),
            threading.Thread(target=self._reader, args=(self.proc.stderr, self.stderr_lines),
                             daemon=True),
        ]
        for t in self._threads:
            t.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            for line in list(self.stdout_lines):
                m = re.match(r"listening on (https?)://([^ ]+):(\d+)$", line)
                if m:
                    self.port = int(m.group(3))
                    self.url = f"{m.group(1)}://{m.group(2)}:{self.port}"
                    return self
            if self.proc.poll() is not None:
                time.sleep(0.1)  # let the readers drain
                raise ServerError(f"holdfast exited {self.proc.returncode} before listening: "
                                  + "\n".join(self.stderr_lines[-20:]))
            time.sleep(0.02)
        self.proc.kill()
        raise ServerError("holdfast did not print 'listening on' in time")

    def stop(self, sig=signal.SIGTERM):
        """Stop with @sig and return the exit status (bounded wait)."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise ServerError("holdfast did not stop within the bound after SIGTERM")
        for t in self._threads:
            t.join(5)
        return rc

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def cleanup(self):
        if self.own_dir:
            clear_immutable(self.data_dir)
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            self.cleanup()


def run_holdfast(*args, env=None, timeout=60):
    """Run a holdfast CLI command; returns CompletedProcess with text output."""
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=e,
                          timeout=timeout)


def boto3_client(server, https_verify=None):
    """A boto3 S3 client for @server with its root keys (no retries: a test sees the first
    answer)."""
    import boto3
    from botocore.config import Config
    return boto3.client("s3", endpoint_url=server.url, aws_access_key_id=server.access_key,
                        aws_secret_access_key=server.secret_key, region_name="us-east-1",
                        verify=https_verify, config=Config(retries={"max_attempts": 1}))
