#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Holdfast benchmarks: the real binary on a free loopback port with a temp data dir,
measured against references run on the same machine in the same run, so that the ratios
mean something where absolute numbers do not:

  disk   the same bytes written by Python to files on the same filesystem with the
         durability Holdfast promises (fsync, rename, directory fsync) and read back;
  nginx  nginx WebDAV PUT/GET of files from a temp dir: HTTP to file, no auth, no fsync
         (skipped, and said so, when nginx is not installed).

Workloads: one large PUT+GET, a multipart upload+GET, many small PUTs and GETs on
concurrent keep-alive connections, LIST of those keys. Every body is generated, streamed
and checked byte for byte on the way back. A text table goes to stdout, progress to
stderr, every number plus machine facts and the server's peak RSS per workload to a JSON
file. A benchmark never fails on a time: it exits non-zero only when something answered
wrongly or did not start.

Run: meson compile -C <build> bench (extra flags in HOLDFAST_BENCH_ARGS), or
     python3 tests/bench/bench.py --holdfast <build>/gateway/holdfast [--help]
"""
import argparse
import datetime
import hashlib
import http.client
import json
import os
import platform
import random
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # the helpers below are imported from the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402
from s3client import NS, key_path, sign  # noqa: E402

MiB = 1 << 20
CHUNK = MiB               # unit of generation, sending and checking
TIMEOUT_S = 120           # any one socket operation
PHASE_LIMIT_S = 900       # a whole phase of concurrent small operations
PROGRESS_EVERY_S = 2.0
BUCKET = "bench"
START = time.monotonic()


class BenchError(Exception):
    pass


def log(msg):
    print(f"bench [{time.monotonic() - START:6.1f}s] {msg}", file=sys.stderr, flush=True)


class Progress:
    """At most one stderr line every PROGRESS_EVERY_S for a long task; thread-safe."""

    def __init__(self, label, total, unit, scale=1):
        self.label, self.total, self.unit, self.scale = label, total, unit, scale
        self.done, self.last = 0, time.monotonic()
        self.lock = threading.Lock()

    def add(self, n):
        with self.lock:
            self.done += n
            now = time.monotonic()
            if now - self.last >= PROGRESS_EVERY_S and self.done < self.total:
                self.last = now
                log(f"  {self.label}: {self.done // self.scale}/{self.total // self.scale} "
                    f"{self.unit}")


# ---- bodies ------------------------------------------------------------------------------

class Body:
    """@size deterministic bytes of object @seed, never held whole: piece i is a window of a
    doubled 1 MiB random block at an offset derived from (seed, i). Windows are memoryviews,
    so generating costs no copy and the client is not what is measured; the bytes are
    random-looking, so nothing downstream gets them cheaper by compressing."""

    _block = None

    def __init__(self, size, seed):
        self.size, self.seed = size, seed
        if Body._block is None:
            b = random.Random(20250101).randbytes(CHUNK)
            Body._block = memoryview(b + b)

    def pieces(self, start=0, end=None):
        """Views covering [start, end), none crossing a CHUNK boundary (so a reader can
        check each against what it received)."""
        end = self.size if end is None else end
        p = start
        while p < end:  # p grows by at least one each turn
            ci, co = divmod(p, CHUNK)
            k = (self.seed * 1000003 + ci * 7919) % CHUNK
            m = min(CHUNK - co, end - p)
            yield Body._block[k + co:k + co + m]
            p += m

    def bytes(self):
        return b"".join(self.pieces())


def counted(pieces, prog):
    """@pieces unchanged, with progress reported as they are sent."""
    for piece in pieces:
        yield piece
        prog.add(len(piece))


def check_stream(readinto, body, start=0, end=None, prog=None):
    """Read body[start:end] through @readinto and compare it piece by piece (a bytearray
    compared with a memoryview is a memcmp, not a Python loop)."""
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    for want in body.pieces(start, end):
        m, got = len(want), 0
        while got < m:  # each turn reads at least one byte or raises
            n = readinto(view[got:m])
            if not n:
                raise BenchError("body ended early")
            got += n
        if (buf if m == CHUNK else buf[:m]) != want:
            raise BenchError("body differs from what was written")
        if prog:
            prog.add(m)


# ---- HTTP --------------------------------------------------------------------------------

class Conn:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:@port. With @creds (access, secret)
    each request is SigV4-signed by s3client.sign (a hex payload hash for small bodies,
    UNSIGNED-PAYLOAD for streamed ones, as SDKs do over TLS); without, plain HTTP."""

    live = set()  # closed before the servers stop, so no half-sent body holds them up

    def __init__(self, port, creds=None):
        self.host, self.creds = f"127.0.0.1:{port}", creds
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
        Conn.live.add(self)

    def send(self, method, path, query=(), body=b"", size=None):
        """@body: bytes, or an iterable of pieces totalling @size (streamed). Returns the
        response; the caller reads it to the end so that the connection is reused."""
        streamed = size is not None
        size = size if streamed else len(body)
        h = {"Content-Length": str(size)} if method in ("PUT", "POST") else {}
        if self.creds:
            ph = "UNSIGNED-PAYLOAD" if streamed else hashlib.sha256(body).hexdigest()
            s = sign(method, self.host, path, *self.creds, query=query, headers=h,
                     payload_hash=ph)
            target, h = s.target, s.headers
        else:
            target, h["Host"] = path, self.host
        self.c.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for k, v in h.items():
            self.c.putheader(k, v)
        self.c.endheaders()
        for piece in (body if streamed else [body] if body else []):
            self.c.send(piece)
        return self.c.getresponse()

    def call(self, method, path, ok=(200,), **kw):
        """A request whose whole answer is read; a status outside @ok is an error."""
        r = self.send(method, path, **kw)
        data = r.read()
        if r.status not in ok:
            raise BenchError(f"{method} {path}: HTTP {r.status} {data[:300]!r}")
        return r, data

    def get_check(self, path, body, prog=None, start=0, end=None):
        r = self.send("GET", path)
        want = (body.size if end is None else end) - start
        if r.status != 200 or r.getheader("Content-Length") != str(want):
            raise BenchError(f"GET {path}: HTTP {r.status} length "
                             f"{r.getheader('Content-Length')} {r.read(300)!r}")
        check_stream(r.readinto, body, start, end, prog)
        r.read()

    def close(self):
        self.c.close()
        Conn.live.discard(self)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the disk reference ------------------------------------------------------------------

def durable_write(path, pieces, dir_fd):
    """What Holdfast promises before it answers: data fsynced, renamed into place, the
    directory fsynced."""
    tmp = path + ".tmp"
    with open(tmp, "wb", buffering=0) as f:
        for piece in pieces:
            while piece:  # a regular file takes at least one byte per write or raises
                piece = piece[f.write(piece):]
        os.fsync(f.fileno())
    os.rename(tmp, path)
    os.fsync(dir_fd)


def file_check(path, body, prog=None, start=0, end=None):
    with open(path, "rb", buffering=0) as f:
        check_stream(f.readinto, body, start, end, prog)
        if f.read(1):
            raise BenchError(f"{path} is longer than written")


# ---- the nginx reference -----------------------------------------------------------------

NGINX_CONF = """\
daemon off;
master_process on;
worker_processes auto;
{user}
pid {d}/nginx.pid;
error_log {d}/error.log error;
events {{ worker_connections 256; }}
http {{
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    client_body_temp_path {d}/tmp-body;
    proxy_temp_path {d}/tmp-proxy;
    fastcgi_temp_path {d}/tmp-fastcgi;
    uwsgi_temp_path {d}/tmp-uwsgi;
    scgi_temp_path {d}/tmp-scgi;
    server {{
        listen 127.0.0.1:{port};
        root {d}/www;
        client_max_body_size 0;
        location / {{
            dav_methods PUT DELETE;
            create_full_put_path on;
            autoindex on;            # GET of a directory = the LIST reference
            autoindex_format json;
        }}
    }}
}}
"""


class Nginx:
    """nginx WebDAV on a free loopback port, its config, pid, logs, temp files and document
    root all inside @d. start() raises BenchError with the reason when it cannot run."""

    def __init__(self, d):
        self.d, self.proc, self.port, self.version = d, None, None, None

    def start(self):
        exe = shutil.which("nginx") or next(
            (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
        if not exe:
            raise BenchError("nginx not installed (apt-get install nginx-full)")
        v = subprocess.run([exe, "-v"], capture_output=True, text=True, timeout=10)
        self.version = (v.stderr or v.stdout).strip().rpartition("/")[2]
        os.makedirs(os.path.join(self.d, "www"))
        self.port = free_port()
        conf = os.path.join(self.d, "nginx.conf")
        with open(conf, "w") as f:
            # as root, workers would otherwise run as nobody and not write our 0700 dir
            f.write(NGINX_CONF.format(d=self.d, port=self.port,
                                      user="user root;" if os.geteuid() == 0 else ""))
        err = os.path.join(self.d, "error.log")
        self.proc = subprocess.Popen([exe, "-p", self.d, "-c", conf, "-e", err],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                with open(err, errors="replace") as f:
                    raise BenchError(f"nginx exited {self.proc.returncode}: {f.read()[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise BenchError("nginx did not listen within 10 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


# ---- measuring ---------------------------------------------------------------------------

def rss_reset(pid):
    """Reset VmHWM (Linux >= 4.0) so each workload reports its own peak; False if refused."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def rss_kib(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS"):
                out[k] = int(v.split()[0])
    return out


def timed(fn):
    os.sync()  # no earlier phase's dirty pages are written back on this one's clock
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def parallel(label, n, threads, setup, op):
    """op(state, i) for i in range(n), split round robin over @threads threads, each with
    its own setup() state (a connection). Returns (seconds, per-op latencies)."""
    lat, errors, prog = [], [], Progress(label, n, "ops")

    def worker(t):
        st = None
        try:
            st = setup()
            for i in range(t, n, threads):
                t0 = time.perf_counter()
                op(st, i)
                lat.append(time.perf_counter() - t0)
                prog.add(1)
        except Exception as e:  # noqa: BLE001 - re-raised in the main thread
            errors.append(e)
        finally:
            if st is not None:
                st.close()

    ths = [threading.Thread(target=worker, args=(t,), daemon=True) for t in range(threads)]
    os.sync()
    t0 = time.perf_counter()
    for th in ths:
        th.start()
    deadline = time.monotonic() + PHASE_LIMIT_S
    for th in ths:
        th.join(max(0.0, deadline - time.monotonic()))
    dt = time.perf_counter() - t0
    if errors:
        raise errors[0]
    if any(th.is_alive() for th in ths):
        raise BenchError(f"{label}: not done within {PHASE_LIMIT_S} s")
    return dt, lat


def pct(lat, q):
    """Nearest-rank percentile, in ms."""
    s = sorted(lat)
    return 1000 * s[max(0, min(len(s) - 1, int(q * len(s) + 0.999999) - 1))]


class NullState:
    def close(self):
        pass


class Bench:
    def __init__(self, args, root, server, nginx):
        self.a, self.root, self.server, self.nginx = args, root, server, nginx
        self.samples, self.rss = {}, {}
        self.creds = (server.access_key, server.secret_key)
        self.disk = os.path.join(root, "disk")
        os.makedirs(os.path.join(self.disk, "small"))
        self.disk_fd = os.open(self.disk, os.O_RDONLY | os.O_DIRECTORY)
        self.small_fd = os.open(os.path.join(self.disk, "small"), os.O_RDONLY | os.O_DIRECTORY)

    def close(self):
        os.close(self.disk_fd)
        os.close(self.small_fd)

    def hf(self):
        return Conn(self.server.port, self.creds)

    def ng(self):
        return Conn(self.nginx.port)

    def row(self, workload, metric, better, **vals):
        """One sample per target and round; rows() reports the median of the rounds."""
        per = self.samples.setdefault((workload, metric, better), {})
        for target, v in vals.items():
            per.setdefault(target, []).append(v)

    def rows(self):
        out = []
        for (workload, metric, better), per in self.samples.items():
            r = {"workload": workload, "metric": metric, "better": better}
            r.update({t: statistics.median(v) for t, v in per.items()})
            for ref in ("disk", "nginx"):
                h, x = r.get("holdfast"), r.get(ref)
                r["ratio_" + ref] = h / x if h is not None and x else None
            # how far apart the rounds were: a ratio that moves less than this says nothing
            r["spread"] = max((max(v) - min(v)) / statistics.median(v)
                              for v in per.values() if statistics.median(v))
            r["samples"] = per
            out.append(r)
        return out

    def rss_begin(self):
        self.rss_ok = rss_reset(self.server.proc.pid)
        self.rss_start = rss_kib(self.server.proc.pid)["VmRSS"]

    def rss_end(self, workload, object_bytes):
        """The server's peak during the workload and its growth over the RSS it started
        with: the growth is what the object size could drive (the start creeps up over
        the rounds as the index caches more, whatever the object size)."""
        peak = rss_kib(self.server.proc.pid)["VmHWM"]
        w = self.rss.setdefault(workload, {"object_bytes": object_bytes,
                                           "hwm_reset": self.rss_ok, "rounds": []})
        w["rounds"].append({"start_kib": self.rss_start, "peak_kib": peak,
                            "growth_kib": max(0, peak - self.rss_start)})

    def rate(self, label, nbytes, fn):
        dt = timed(fn)
        log(f"{label}: {nbytes / MiB / dt:.1f} MiB/s ({dt:.2f} s)")
        return nbytes / MiB / dt

    def large(self):
        n = self.a.large_mib * MiB
        body, w = Body(n, 1), f"large {self.a.large_mib} MiB"
        put, get = {}, {}
        mib = lambda what: Progress(what, n, "MiB", MiB)  # noqa: E731

        self.rss_begin()
        c = self.hf()
        path = key_path(BUCKET, "large")
        put["holdfast"] = self.rate("holdfast large PUT", n, lambda: c.call(
            "PUT", path, body=counted(body.pieces(), mib("holdfast large PUT")), size=n))
        get["holdfast"] = self.rate("holdfast large GET", n, lambda: c.get_check(
            path, body, mib("holdfast large GET")))
        c.close()
        self.rss_end("large", n)

        p = os.path.join(self.disk, "large")
        put["disk"] = self.rate("disk large write", n, lambda: durable_write(
            p, body.pieces(), self.disk_fd))
        get["disk"] = self.rate("disk large read", n, lambda: file_check(p, body))

        if self.nginx:
            c = self.ng()
            put["nginx"] = self.rate("nginx large PUT", n, lambda: c.call(
                "PUT", "/large", ok=(201, 204), body=counted(body.pieces(), mib("nginx large PUT")),
                size=n))
            get["nginx"] = self.rate("nginx large GET", n, lambda: c.get_check(
                "/large", body, mib("nginx large GET")))
            c.close()
        self.row(w, "PUT MiB/s", "higher", **put)
        self.row(w, "GET MiB/s", "higher", **get)

    def multipart(self):
        n, ps = self.a.mp_mib * MiB, self.a.part_mib * MiB
        body, w = Body(n, 2), f"multipart {self.a.mp_mib} MiB / {self.a.part_mib} MiB parts"
        parts = [(i + 1, off, min(off + ps, n)) for i, off in enumerate(range(0, n, ps))]
        put, get = {}, {}

        self.rss_begin()
        c = self.hf()
        path = key_path(BUCKET, "multipart")

        def hf_upload():
            prog = Progress("holdfast multipart upload", len(parts), "parts")
            _, data = c.call("POST", path, query=[("uploads", "")])
            uid = ET.fromstring(data).find(NS + "UploadId").text
            done = []
            for num, a, b in parts:
                r, _ = c.call("PUT", path, query=[("partNumber", str(num)), ("uploadId", uid)],
                              body=body.pieces(a, b), size=b - a)
                done.append(f"<Part><PartNumber>{num}</PartNumber>"
                            f"<ETag>{r.getheader('ETag')}</ETag></Part>")
                prog.add(1)
            xml = ("<CompleteMultipartUpload>" + "".join(done)
                   + "</CompleteMultipartUpload>").encode()
            t0 = time.perf_counter()
            _, data = c.call("POST", path, query=[("uploadId", uid)], body=xml)
            log(f"  holdfast CompleteMultipartUpload: {time.perf_counter() - t0:.2f} s")
            if b"<Error>" in data:  # Complete may report a failure inside a 200
                raise BenchError(f"CompleteMultipartUpload: {data[:300]!r}")

        put["holdfast"] = self.rate("holdfast multipart upload", n, hf_upload)
        get["holdfast"] = self.rate("holdfast multipart GET", n, lambda: c.get_check(
            path, body, Progress("holdfast multipart GET", n, "MiB", MiB)))
        c.close()
        self.rss_end("multipart", n)

        # the reference makes each part durable on its own, as an acknowledged part must be
        def disk_write():
            for num, a, b in parts:
                durable_write(os.path.join(self.disk, f"part-{num}"), body.pieces(a, b),
                              self.disk_fd)

        def disk_read():
            for num, a, b in parts:
                file_check(os.path.join(self.disk, f"part-{num}"), body, None, a, b)

        put["disk"] = self.rate("disk multipart write", n, disk_write)
        get["disk"] = self.rate("disk multipart read", n, disk_read)
        self.row(w, "upload MiB/s", "higher", **put)
        self.row(w, "GET MiB/s", "higher", **get)

    def small(self):
        n, size, t = self.a.small_count, self.a.small_kib * 1024, self.a.threads
        w = f"small {n} x {self.a.small_kib} KiB, {t} threads"
        bodies = [Body(size, 1000 + i).bytes() for i in range(n)]  # n * size: small
        keys = [f"small/{i:06d}" for i in range(n)]
        res = {}

        def hf_put(c, i):
            c.call("PUT", key_path(BUCKET, keys[i]), body=bodies[i])

        def hf_get(c, i):
            if c.call("GET", key_path(BUCKET, keys[i]))[1] != bodies[i]:
                raise BenchError(f"GET {keys[i]}: body differs")

        def disk_put(_, i):
            durable_write(os.path.join(self.disk, keys[i]), [bodies[i]], self.small_fd)

        def disk_get(_, i):
            with open(os.path.join(self.disk, keys[i]), "rb") as f:
                if f.read() != bodies[i]:
                    raise BenchError(f"{keys[i]}: body differs")

        def ng_put(c, i):
            c.call("PUT", "/" + keys[i], ok=(201, 204), body=bodies[i])

        def ng_get(c, i):
            if c.call("GET", "/" + keys[i])[1] != bodies[i]:
                raise BenchError(f"GET /{keys[i]}: body differs")

        targets = [("holdfast", self.hf, hf_put, hf_get), ("disk", NullState, disk_put, disk_get)]
        if self.nginx:
            targets.append(("nginx", self.ng, ng_put, ng_get))
        for name, setup, put, get in targets:
            if name == "holdfast":
                self.rss_begin()
            for op, fn in (("PUT", put), ("GET", get)):
                dt, lat = parallel(f"{name} small {op}", n, t, setup, fn)
                res[(op, name)] = (n / dt, pct(lat, 0.50), pct(lat, 0.99))
                log(f"{name} small {op}: {n / dt:.0f} ops/s, p50 {pct(lat, 0.5):.2f} ms, "
                    f"p99 {pct(lat, 0.99):.2f} ms")
            if name == "holdfast":
                self.rss_end("small", size)
        for op in ("PUT", "GET"):
            for k, (metric, better) in enumerate(((f"{op} ops/s", "higher"),
                                                  (f"{op} p50 ms", "lower"),
                                                  (f"{op} p99 ms", "lower"))):
                self.row(w, metric, better, **{name: res[(op, name)][k]
                                               for name, *_ in targets})

    def listing(self):
        n, rounds = self.a.small_count, self.a.list_rounds
        w = f"LIST {n} keys x {rounds}"
        res = {}

        def hf_list():
            c = self.hf()
            for _ in range(rounds):
                got, token = 0, None
                for _ in range(n // 1000 + 2):  # pages of 1000, bounded
                    q = [("list-type", "2"), ("max-keys", "1000"), ("prefix", "small/")]
                    if token:
                        q.append(("continuation-token", token))
                    root = ET.fromstring(c.call("GET", key_path(BUCKET), query=q)[1])
                    got += len(root.findall(NS + "Contents"))
                    if root.find(NS + "IsTruncated").text != "true":
                        break
                    token = root.find(NS + "NextContinuationToken").text
                if got != n:
                    raise BenchError(f"holdfast LIST: {got} keys, want {n}")
            c.close()

        def disk_list():
            for _ in range(rounds):
                if len(sorted(os.listdir(os.path.join(self.disk, "small")))) != n:
                    raise BenchError("disk LIST: wrong count")

        def ng_list():
            c = self.ng()
            for _ in range(rounds):
                if len(json.loads(c.call("GET", "/small/")[1])) != n:
                    raise BenchError("nginx LIST: wrong count")
            c.close()

        self.rss_begin()
        targets = [("holdfast", hf_list), ("disk", disk_list)]
        if self.nginx:
            targets.append(("nginx", ng_list))
        for name, fn in targets:
            dt = timed(fn)
            res[name] = n * rounds / dt
            log(f"{name} LIST: {res[name]:.0f} keys/s ({dt:.2f} s)")
            if name == "holdfast":
                self.rss_end("list", 0)
        self.row(w, "keys/s", "higher", **res)


# ---- report ------------------------------------------------------------------------------

def fs_of(path):
    """(fstype, device, mount point) of the mount holding @path."""
    path, best = os.path.realpath(path), ("?", "?", "")
    with open("/proc/mounts") as f:
        for line in f:
            dev, mnt, typ = line.split()[:3]
            mnt = mnt.replace("\\040", " ")
            if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) > len(best[2]):
                best = (typ, dev, mnt)
    return {"type": best[0], "device": best[1], "mount": best[2]}


def machine(root, holdfast_bin):
    def first(path, key, sep=":"):
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(key):
                        return line.partition(sep)[2].strip().strip('"')
        except OSError:
            pass
        return None

    v = subprocess.run([holdfast_bin, "--version"], capture_output=True, text=True, timeout=10)
    return {"nproc": len(os.sched_getaffinity(0)), "cpu_count": os.cpu_count(),
            "cpu": first("/proc/cpuinfo", "model name"),
            "mem_total": first("/proc/meminfo", "MemTotal"),
            "kernel": platform.release(), "os": first("/etc/os-release", "PRETTY_NAME", "="),
            "python": platform.python_version(), "holdfast": v.stdout.strip(),
            "filesystem": fs_of(root)}


def fmt(v):
    if v is None:
        return "-"
    return f"{v:.0f}" if v >= 1000 else f"{v:.1f}" if v >= 10 else f"{v:.2f}"


def table(head, rows):
    """Text columns: the first two left-aligned (names), the rest right-aligned (numbers)."""
    w = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]

    def line(r):
        return "  ".join(str(c).ljust(w[i]) if i < 2 else str(c).rjust(w[i])
                         for i, c in enumerate(r)).rstrip()

    return "\n".join([line(head), "  ".join("-" * x for x in w)] + [line(r) for r in rows])


def ratio(v):
    return "-" if v is None else fmt(v) + "x"


def report(results, rss, facts, refs, rounds):
    rows = [[r["workload"], r["metric"] + (" (lower better)" if r["better"] == "lower" else ""),
             fmt(r.get("holdfast")), fmt(r.get("disk")), fmt(r.get("nginx")),
             ratio(r["ratio_disk"]), ratio(r["ratio_nginx"]), f"{100 * r['spread']:.0f}%"]
            for r in results]
    fs = facts["filesystem"]
    out = [f"Holdfast benchmark - {facts['holdfast']}, {facts['nproc']} CPUs, "
           f"kernel {facts['kernel']}, {fs['type']} on {fs['device']}",
           f"median of {rounds} rounds; spread = the widest (max-min)/median in the row",
           "ratio = holdfast / reference: above 1 is faster for rates, slower for latencies",
           "disk = fsync + rename + dir fsync; nginx = WebDAV, no auth, no fsync"
           + ("" if refs["nginx"]["available"] else
              f" (nginx skipped: {refs['nginx']['reason']})"), "",
           table(["workload", "metric", "holdfast", "disk", "nginx", "hf/disk", "hf/nginx",
                  "spread"], rows), "",
           table(["server memory", "object size", "peak RSS", "growth in workload"],
                 [[w, fmt_size(v["object_bytes"]),
                   f"{max(x['peak_kib'] for x in v['rounds']) / 1024:.1f} MiB",
                   f"{max(x['growth_kib'] for x in v['rounds']) / 1024:.1f} MiB"]
                  for w, v in rss.items()])]
    return "\n".join(out)


def fmt_size(n):
    return "-" if not n else f"{n // MiB} MiB" if n >= MiB else f"{n // 1024} KiB"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--holdfast", default=os.environ.get("HOLDFAST_BIN", "holdfast"),
                   help="the holdfast binary (default $HOLDFAST_BIN)")
    p.add_argument("--json", default="bench.json", help="JSON report path (default %(default)s)")
    p.add_argument("--tmp-dir", default=None,
                   help="where the temp data dirs go (default $TMPDIR or /tmp); its "
                        "filesystem is the one measured")
    p.add_argument("--build-type", default=None, help="recorded in the JSON")
    p.add_argument("--large-mib", type=int, default=256, help="large object (%(default)s)")
    p.add_argument("--mp-mib", type=int, default=1024, help="multipart total (%(default)s)")
    p.add_argument("--part-mib", type=int, default=64, help="multipart part (%(default)s)")
    p.add_argument("--small-count", type=int, default=2000, help="small objects (%(default)s)")
    p.add_argument("--small-kib", type=int, default=4, help="small object size (%(default)s)")
    p.add_argument("--threads", type=int, default=8, help="client threads (%(default)s)")
    p.add_argument("--list-rounds", type=int, default=50,
                   help="LISTs of all keys per round (%(default)s)")
    p.add_argument("--repeat", type=int, default=5,
                   help="rounds of every workload; the median is reported (%(default)s)")
    p.add_argument("--no-nginx", action="store_true", help="skip the nginx reference")
    a = p.parse_args(argv)
    if min(a.large_mib, a.mp_mib, a.small_count, a.small_kib, a.threads, a.list_rounds,
           a.repeat) < 1:
        p.error("sizes and counts must be positive")
    if not 5 <= a.part_mib <= 5 * 1024:
        p.error("--part-mib must be 5..5120 (the S3 part size limits)")
    if a.small_kib * 1024 > 64 * MiB:
        p.error("--small-kib: small objects are held in memory; keep them small")
    return a


def remove_tree(root):
    """Temp dirs go even when the store set the immutable flag on a blob."""
    harness.clear_immutable(root)
    shutil.rmtree(root, ignore_errors=True)
    if os.path.exists(root):
        subprocess.run(["chattr", "-R", "-i", root], capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)
    if os.path.exists(root):
        log(f"warning: could not remove {root}")


def main():
    a = parse_args(sys.argv[1:] + shlex.split(os.environ.get("HOLDFAST_BENCH_ARGS", "")))
    harness.BIN = a.holdfast
    # a CI timeout's SIGTERM unwinds through the finally below like Ctrl-C does, so
    # the servers are stopped and the temp dir removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    root = tempfile.mkdtemp(prefix="hf-bench-", dir=a.tmp_dir)
    server = nginx = bench = None
    refs = {"disk": {"available": True}, "nginx": {"available": False, "reason": "--no-nginx"}}
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    try:
        facts = machine(root, a.holdfast)
        log(f"temp dir {root} ({facts['filesystem']['type']}), holdfast {a.holdfast}")
        os.makedirs(os.path.join(root, "holdfast"))
        server = harness.Server(data_dir=os.path.join(root, "holdfast")).start()
        if not a.no_nginx:
            try:
                nginx = Nginx(os.path.join(root, "nginx")).start()
                refs["nginx"] = {"available": True, "version": nginx.version}
            except BenchError as e:
                nginx, refs["nginx"] = None, {"available": False, "reason": str(e)}
                log(f"nginx reference skipped: {e}")
        c = Conn(server.port, (server.access_key, server.secret_key))
        c.call("PUT", key_path(BUCKET))
        c.close()
        idle = rss_kib(server.proc.pid)
        bench = Bench(a, root, server, nginx)
        # whole rounds rather than one workload repeated: drift (writeback, thermal) is
        # spread over every workload instead of landing on one
        for rnd in range(a.repeat):
            log(f"round {rnd + 1}/{a.repeat}")
            for phase in (bench.large, bench.multipart, bench.small, bench.listing):
                phase()
        bench.rss = {"idle": {"object_bytes": 0, "hwm_reset": False, "rounds": [
            {"start_kib": idle["VmRSS"], "peak_kib": idle["VmHWM"], "growth_kib": 0}]},
            **bench.rss}
        if nginx:
            nginx.stop()
        rc = server.stop()
        if rc != 0:
            raise BenchError(f"holdfast exited {rc} at SIGTERM: "
                             + "\n".join(server.stderr_lines[-20:]))
        rows = bench.rows()
        text = report(rows, bench.rss, facts, refs, a.repeat)
        print(text, flush=True)
        doc = {"schema": "holdfast-bench/1", "started": started,
               "duration_s": round(time.monotonic() - START, 1),
               "build_type": a.build_type, "machine": facts, "references": refs,
               "config": {k: v for k, v in vars(a).items() if k not in ("json",)},
               "results": rows, "server_rss": bench.rss,
               "client_peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
        os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
        with open(a.json + ".tmp", "w") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        os.replace(a.json + ".tmp", a.json)
        log(f"JSON report: {a.json}")
        return 0
    except (BenchError, harness.ServerError, OSError, http.client.HTTPException) as e:
        log(f"failed: {type(e).__name__}: {e}")
        return 1
    finally:
        for c in list(Conn.live):
            c.close()
        if bench:
            bench.close()
        if nginx:
            nginx.stop()
        if server:
            try:
                server.stop()
            except harness.ServerError as e:
                log(f"warning: {e}")
        remove_tree(root)


if __name__ == "__main__":
    sys.exit(main())
