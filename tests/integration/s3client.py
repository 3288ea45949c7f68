# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the client integration tests: a hand-built SigV4 signer (header,
presigned and aws-chunked chunk signatures) for raw http.client requests, S3 error XML
parsing, client environments scrubbed of the developer's AWS/proxy settings, bounded
subprocess runs and file-tree digests.

The signer is written from the AWS documentation, independently of the server's own
canonicalisation, so a test signed here is a second opinion on sigv4.c.
"""
import base64
import datetime
import hashlib
import hmac
import http.client
import os
import shutil
import socket
import subprocess
import unittest
import urllib.parse
import xml.etree.ElementTree as ET
import zlib

REGION = "us-east-1"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
CLIENT_TIMEOUT_S = 120


# ---- SigV4 ---------------------------------------------------------------------------------

def _hmac(key, msg):
    return hmac.new(key, msg.encode() if isinstance(msg, str) else msg, hashlib.sha256).digest()


def signing_key(secret, date8, region=REGION):
    k = _hmac(("AWS4" + secret).encode(), date8)
    k = _hmac(k, region)
    k = _hmac(k, "s3")
    return _hmac(k, "aws4_request")


def quote(s, safe="-_.~"):
    """AWS URI encoding: unreserved set kept, everything else %XX upper-case."""
    if isinstance(s, str):
        s = s.encode()
    return urllib.parse.quote(s, safe=safe)


def key_path(bucket, key=None):
    """The request path for @bucket/@key, encoded once as every SDK does."""
    if key is None:
        return "/" + bucket
    return "/" + bucket + "/" + quote(key, safe="-_.~/")


def canonical_query(params):
    enc = sorted((quote(k), quote(v)) for k, v in params)
    return "&".join(f"{k}={v}" for k, v in enc)


def amz_now(skew_s=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=skew_s)
    return t.strftime("%Y%m%dT%H%M%SZ")


class Signed:
    """One request signed with header auth. Fields: method, path, query (list of pairs),
    headers (dict, as sent), signature, amz_date, scope, key (signing key)."""

    def __init__(self, method, path, query, headers, signature, amz_date, scope, key):
        self.method, self.path, self.query, self.headers = method, path, query, headers
        self.signature, self.amz_date, self.scope, self.key = signature, amz_date, scope, key

    @property
    def target(self):
        q = canonical_query(self.query)
        return self.path + ("?" + q if q or self.query else "")


def sign(method, host, path, access_key, secret, query=(), headers=None,
         payload_hash=EMPTY_SHA256, amz_date=None, region=REGION, unsigned=()):
    """Header-auth SigV4 for @path (already encoded once). Every header in @headers is
    signed except the names in @unsigned; host, x-amz-date and x-amz-content-sha256 are
    added."""
    amz_date = amz_date or amz_now()
    date8 = amz_date[:8]
    h = {"Host": host, "x-amz-date": amz_date, "x-amz-content-sha256": payload_hash}
    h.update(headers or {})
    signed = sorted(k.lower() for k in h if k.lower() not in unsigned)
    lower = {k.lower(): " ".join(str(v).strip().split()) for k, v in h.items()}
    canon_headers = "".join(f"{k}:{lower[k]}\n" for k in signed)
    creq = "\n".join([method, path, canonical_query(query), canon_headers, ";".join(signed),
                      h["x-amz-content-sha256"]])
    scope = f"{date8}/{region}/s3/aws4_request"
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    key = signing_key(secret, date8, region)
    sig = hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()
    h["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
                          f"SignedHeaders={';'.join(signed)}, Signature={sig}")
    return Signed(method, path, list(query), h, sig, amz_date, scope, key)


def presign(method, host, path, access_key, secret, expires=300, amz_date=None,
            region=REGION, query=()):
    """A presigned URL target (path?query) for @path."""
    amz_date = amz_date or amz_now()
    scope = f"{amz_date[:8]}/{region}/s3/aws4_request"
    q = list(query) + [("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
                       ("X-Amz-Credential", f"{access_key}/{scope}"),
                       ("X-Amz-Date", amz_date), ("X-Amz-Expires", str(expires)),
                       ("X-Amz-SignedHeaders", "host")]
    creq = "\n".join([method, path, canonical_query(q), f"host:{host}\n", "host",
                      "UNSIGNED-PAYLOAD"])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    sig = hmac.new(signing_key(secret, amz_date[:8], region), sts.encode(),
                   hashlib.sha256).hexdigest()
    return path + "?" + canonical_query(q) + "&X-Amz-Signature=" + sig


def chunk_signature(key, amz_date, scope, prev_sig, data):
    sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, prev_sig, EMPTY_SHA256,
                     hashlib.sha256(data).hexdigest()])
    return hmac.new(key, sts.encode(), hashlib.sha256).hexdigest()


def signed_chunked_body(signed, data, chunk=65536, tamper_chunk=None):
    """STREAMING-AWS4-HMAC-SHA256-PAYLOAD framing of @data with the chunk-signature chain
    seeded by @signed; @tamper_chunk = index of a chunk whose signature is altered."""
    out, prev = [], signed.signature
    pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)] + [b""]
    for i, p in enumerate(pieces):
        sig = chunk_signature(signed.key, signed.amz_date, signed.scope, prev, p)
        prev = sig
        if i == tamper_chunk:
            sig = ("0" if sig[0] != "0" else "1") + sig[1:]
        out.append(b"%x;chunk-signature=%s\r\n" % (len(p), sig.encode()) + p + b"\r\n")
    return b"".join(out)


def signed_chunked_length(n, chunk=65536):
    """Encoded length of signed_chunked_body for @n payload bytes."""
    sizes = [min(chunk, n - i) for i in range(0, n, chunk)] + [0]
    return sum(len(b"%x" % s) + 17 + 64 + 2 + s + 2 for s in sizes)


def unsigned_trailer_body(data, trailer_name, trailer_value, chunk=65536):
    out = [b"%x\r\n" % len(data[i:i + chunk]) + data[i:i + chunk] + b"\r\n"
           for i in range(0, len(data), chunk)]
    out.append(b"0\r\n%s:%s\r\n\r\n" % (trailer_name.encode(), trailer_value.encode()))
    return b"".join(out)


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def md5_b64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


# ---- raw requests --------------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def error(self):
        """{tag: text} of an <Error> body."""
        root = ET.fromstring(self.body)
        assert root.tag == "Error", root.tag
        return {c.tag: (c.text or "") for c in root}


def raw_request(port, method, target, headers=None, body=b"", timeout=20):
    """One request on a fresh connection, headers sent exactly as given (no Host or
    Content-Length added unless present), body as bytes. Returns a Response."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        if body:
            conn.send(body)
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, r.getheaders(), data)
    finally:
        conn.close()


def raw_socket(port, data, timeout=20, shut_write=False):
    """Send @data on a socket and read until the server closes or a whole response with
    Content-Length arrived. Returns (status, raw bytes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        if shut_write:
            s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            try:
                c = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not c:
                break
            got += c
            head, sep, rest = got.partition(b"\r\n\r\n")
            if sep and not head.startswith(b"HTTP/1.1 100"):
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        if len(rest) >= int(line.split(b":")[1]):
                            return int(head.split()[1]), got
        status = int(got.split()[1]) if got.startswith(b"HTTP/") else 0
        return status, got
    finally:
        s.close()


class Raw:
    """Signed raw requests against one server."""

    def __init__(self, server):
        self.s = server
        self.host = f"127.0.0.1:{server.port}"

    def sign(self, method, path, **kw):
        kw.setdefault("access_key", self.s.access_key)
        kw.setdefault("secret", self.s.secret_key)
        ak, sk = kw.pop("access_key"), kw.pop("secret")
        return sign(method, self.host, path, ak, sk, **kw)

    def send(self, signed, body=b"", extra_headers=None, timeout=20):
        h = dict(signed.headers)
        if body and not any(k.lower() in ("content-length", "transfer-encoding") for k in h):
            h["Content-Length"] = str(len(body))
        h.update(extra_headers or {})
        return raw_request(self.s.port, signed.method, signed.target, h, body, timeout)

    def request(self, method, path, query=(), headers=None, body=b"", payload_hash=None):
        if payload_hash is None:
            payload_hash = hashlib.sha256(body).hexdigest()
        h = dict(headers or {})
        if body or method in ("PUT", "POST"):
            h.setdefault("Content-Length", str(len(body)))
        return self.send(self.sign(method, path, query=query, headers=h,
                                   payload_hash=payload_hash), body)

    def put(self, bucket, key, body, headers=None):
        return self.request("PUT", key_path(bucket, key), headers=headers, body=body)

    def get(self, bucket, key, query=(), headers=None):
        return self.request("GET", key_path(bucket, key), query=query, headers=headers)

    def head(self, bucket, key):
        return self.request("HEAD", key_path(bucket, key))

    def create_bucket(self, bucket):
        r = self.request("PUT", key_path(bucket))
        assert r.status == 200, (r.status, r.body)

    def list_keys(self, bucket, prefix=""):
        """Every key of @bucket under @prefix (ListObjectsV2, paged)."""
        keys, token = [], None
        for _ in range(1000):
            q = [("list-type", "2"), ("prefix", prefix)]
            if token:
                q.append(("continuation-token", token))
            r = self.request("GET", key_path(bucket), query=q)
            assert r.status == 200, (r.status, r.body)
            root = ET.fromstring(r.body)
            keys += [c.find(NS + "Key").text for c in root.findall(NS + "Contents")]
            if root.find(NS + "IsTruncated").text != "true":
                return keys
            token = root.find(NS + "NextContinuationToken").text
        raise AssertionError("listing did not end")


# ---- external clients ----------------------------------------------------------------------

def client_env(**extra):
    """The environment for an external client: no AWS_*, RCLONE_*, RESTIC_*, proxy or CA
    settings of the developer's shell (AWS_CA_BUNDLE alone breaks rclone 1.60 with
    LoadCustomCABundleError), plus @extra."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AWS_", "RCLONE_", "RESTIC_", "S3CMD"))
           and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
           and k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra)
    return env


def run(cmd, env=None, timeout=CLIENT_TIMEOUT_S, check=True, input=None, cwd=None):
    """Run an external client, bounded; on failure the assertion shows its output."""
    r = subprocess.run(cmd, env=env, capture_output=True, timeout=timeout, input=input,
                       cwd=cwd)
    if check and r.returncode != 0:
        raise AssertionError(f"{cmd[0]} exited {r.returncode}\nstdout: "
                             f"{r.stdout.decode(errors='replace')[-3000:]}\nstderr: "
                             f"{r.stderr.decode(errors='replace')[-3000:]}")
    return r


def require_tool(name):
    """Skip the whole test file (exit 77 through unittest's skip) when @name is missing:
    container/deps.sh installs it on a fresh machine."""
    if shutil.which(name) is None:
        raise unittest.SkipTest(f"{name} not installed (container/deps.sh lists it)")


def make_tree(root, files):
    """Write {relative path: bytes}; returns {relative path: sha256 hex}."""
    digests = {}
    for rel, data in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        digests[rel] = hashlib.sha256(data).hexdigest()
    return digests


def tree_digests(root):
    """{relative path: sha256 hex} of every regular file under @root."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def sample_files(seed=1):
    """A small tree below every client's multipart threshold: sizes around the 64 KiB
    inline threshold, an empty file, a few MiB, odd names."""
    rnd = __import__("random").Random(seed)

    def blob(n):
        return rnd.randbytes(n)

    return {
        "empty.bin": b"",
        "one.txt": b"x",
        "inline-1.bin": blob(65535),
        "inline.bin": blob(65536),
        "inline+1.bin": blob(65537),
        "big/three-mib.bin": blob(3 * 1024 * 1024 + 7),
        "dir with space/a+b.txt": b"plus and space\n",
        "dir with space/100%.csv": b"a,b\n1,2\n",
        "deep/er/still/deeper.txt": blob(1000),
        "unicode/\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9.txt": "caf\u00e9\n".encode(),
    }


def run_tests():
    """unittest.main, mapping 'everything skipped' to exit 77 for meson."""
    import sys
    prog = unittest.main(exit=False, verbosity=2)
    res = prog.result
    if not res.wasSuccessful():
        sys.exit(1)
    if res.skipped and len(res.skipped) >= res.testsRun:
        sys.exit(77)
    sys.exit(0)


# ---- a server per test class ---------------------------------------------------------------

class ServerCase(unittest.TestCase):
    """Starts one holdfast per test class (config from server_config()) and, at the end,
    requires a clean exit 0 after SIGTERM: ASan/UBSan reports make the server exit
    non-zero, and their lines are then shown."""

    server = None

    @classmethod
    def server_config(cls):
        return None

    @classmethod
    def setUpClass(cls):
        from harness import Server
        cls.server = Server(config=cls.server_config()).start()
        cls.raw = Raw(cls.server)

    @classmethod
    def tearDownClass(cls):
        s = cls.server
        try:
            rc = s.stop()
        finally:
            s.cleanup()
        if rc != 0:
            raise AssertionError(f"holdfast exited {rc} at SIGTERM; stderr tail:\n"
                                 + "\n".join(s.stderr_lines[-60:]))


def self_signed_cert(directory):
    """(cert, key) paths of a fresh self-signed certificate for 127.0.0.1."""
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
         "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"], timeout=60)
    return cert, key


class RecordingProxy:
    """A loopback TCP relay in front of the server that keeps what clients send, so a test
    can assert the wire form a client really used (payload mode, framing headers). The
    client signs for the proxy's host:port and the Host header passes through unchanged,
    so signatures verify. Use as a context manager; .port, .requests()."""

    MAX_RECORD = 64 << 20

    def __init__(self, target_port):
        import threading
        self.target = target_port
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(64)
        self.lsock.settimeout(0.2)
        self.port = self.lsock.getsockname()[1]
        self.streams = []
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping = True
        self.thread.join(5)
        self.lsock.close()

    def _accept(self):
        import threading
        while not self.stopping:
            try:
                c, _ = self.lsock.accept()
            except (socket.timeout, OSError):
                continue
            try:
                u = socket.create_connection(("127.0.0.1", self.target), timeout=60)
            except OSError:
                c.close()
                continue
            c.settimeout(60)
            rec = bytearray()
            with self.lock:
                self.streams.append(rec)
            pair = [c, u, 2]  # both sockets, pumps still running
            threading.Thread(target=self._pump, args=(c, u, rec, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(u, c, None, pair), daemon=True).start()

    def _pump(self, src, dst, rec, pair):
        self._relay(src, dst, rec)
        with self.lock:
            pair[2] -= 1
            last = pair[2] == 0
        if last:
            pair[0].close()
            pair[1].close()

    def _relay(self, src, dst, rec):
        how = socket.SHUT_WR  # a clean end is passed on as a half close
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if rec is not None and len(rec) < self.MAX_RECORD:
                    rec += data
                dst.sendall(data)
        except OSError:
            how = socket.SHUT_RDWR
        try:
            dst.shutdown(how)
        except OSError:
            pass

    def requests(self):
        """[(method, target, {lower-case header: value})] parsed from the recorded client
        streams (request lines found by pattern: bodies are skipped by their framing
        only approximately, which is enough for assertions on headers)."""
        import re
        out = []
        with self.lock:
            streams = [bytes(s) for s in self.streams]
        pat = re.compile(rb"(GET|PUT|POST|HEAD|DELETE) (\S+) HTTP/1\.1\r\n(.*?)\r\n\r\n", re.S)
        for data in streams:
            for m in pat.finditer(data):
                hdrs = {}
                for line in m.group(3).split(b"\r\n"):
                    k, _, v = line.partition(b":")
                    hdrs[k.strip().lower().decode(errors="replace")] = \
                        v.strip().decode(errors="replace")
                out.append((m.group(1).decode(), m.group(2).decode(errors="replace"), hdrs))
        return out
