# SPDX-License-Identifier: Apache-2.0
"""holdfast serve: listening line, S3 XML errors for anonymous requests, keep-alive,
100-continue, TLS, config refusal with JSON paths, root credentials, clean SIGTERM stop."""
import http.client
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, ServerError, run_holdfast  # noqa: E402


def parse_error(body):
    root = ET.fromstring(body)
    assert root.tag == "Error", root.tag
    return {child.tag: (child.text or "") for child in root}


class ServeTest(unittest.TestCase):
    def test_anonymous_requests_get_an_s3_xml_error(self):
        with Server() as s:
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            for method, path in [("GET", "/"), ("PUT", "/bucket"), ("GET", "/b/k?acl"),
                                 ("DELETE", "/b/k%20x"), ("POST", "/b?delete")]:
                conn.request(method, path)
                r = conn.getresponse()
                body = r.read()
                self.assertEqual(r.status, 403, (method, path))
                self.assertEqual(r.getheader("Content-Type"), "application/xml")
                rid = r.getheader("x-amz-request-id")
                self.assertRegex(rid, r"^[0-9A-F]{16}$")
                self.assertTrue(r.getheader("x-amz-id-2"))
                self.assertTrue(r.getheader("Date"))
                err = parse_error(body)
                self.assertEqual(err["Code"], "AccessDenied")
                self.assertEqual(err["RequestId"], rid)
                self.assertEqual(err["Resource"], path.split("?")[0])
            # request ids differ per request; HEAD has no body
            conn.request("HEAD", "/b/k")
            r = conn.getresponse()
            self.assertEqual(r.read(), b"")
            self.assertEqual(r.status, 403)
            conn.close()

    def test_keepalive_and_expect_continue_do_not_hang(self):
        with Server() as s:
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=10)
            req = (b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                   b"Expect: 100-continue\r\n\r\n")
            sock.sendall(req)
            data = b""
            deadline = time.monotonic() + 10
            while b"</Error>" not in data and time.monotonic() < deadline:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            # the error is final: no 100 Continue is owed for a body that will not be read
            self.assertIn(b"HTTP/1.1 403", data)
            self.assertNotIn(b"100 Continue", data)
            sock.close()
            # many requests on one keep-alive connection
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
            ids = set()
            for _ in range(50):
                conn.request("GET", "/")
                r = conn.getresponse()
                r.read()
                self.assertFalse(r.will_close, "body-less requests keep the connection")
                ids.add(r.getheader("x-amz-request-id"))
            self.assertEqual(len(ids), 50)
            # a chunked body is accepted and answered
            conn.putrequest("PUT", "/b/chunked")
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            conn.send(b"5\r\nhello\r\n0\r\n\r\n")
            r = conn.getresponse()
            self.assertEqual(parse_error(r.read())["Code"], "AccessDenied")
            conn.close()

    def test_sigterm_stops_cleanly(self):
        s = Server().start()
        try:
            t0 = time.monotonic()
            self.assertEqual(s.stop(signal.SIGTERM), 0)
            self.assertLess(time.monotonic() - t0, 10)
            self.assertTrue(any('"event":"stopped"' in l for l in s.stderr_lines))
            s2 = Server(data_dir=s.data_dir).start()  # the store reopens after a clean stop
            self.assertEqual(s2.stop(signal.SIGINT), 0)
        finally:
            s.cleanup()

    def test_generated_root_credentials_printed_once_and_sealed(self):
        s = Server(access_key=None)
        try:
            s.start()
            out = "\n".join(s.stdout_lines)
            ak = re.search(r"access key: (\S+)", out).group(1)
            sk = re.search(r"secret key: (\S+)", out).group(1)
            self.assertRegex(ak, r"^HF[A-Z0-9]{18}$")
            self.assertEqual(len(sk), 40)
            self.assertEqual(s.stop(), 0)
            self.assertFalse(any(sk in l for l in s.stderr_lines), "secret leaked to the log")
            # the secret is nowhere on disk in clear
            for root, _, files in os.walk(s.data_dir):
                for f in files:
                    with open(os.path.join(root, f), "rb") as fh:
                        self.assertNotIn(sk.encode(), fh.read(), f)
            mk = os.path.join(s.data_dir, "store", "keys", "master.key")
            self.assertEqual(os.stat(mk).st_mode & 0o777, 0o600)
            s2 = Server(access_key=None, data_dir=s.data_dir).start()
            self.assertFalse(any("secret key" in l for l in s2.stdout_lines))
            self.assertEqual(s2.stop(), 0)
        finally:
            s.cleanup()

    def test_half_set_root_env_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            r = run_holdfast("serve", "--data-dir", d + "/s", "--listen", "127.0.0.1:0",
                             env={"HOLDFAST_ROOT_ACCESS_KEY": "ONLYTHEKEY",
                                  "HOLDFAST_ROOT_SECRET_KEY": ""})
            self.assertEqual(r.returncode, 1)
            self.assertIn("HOLDFAST_ROOT_SECRET_KEY", r.stderr)

    def test_tls(self):
        with tempfile.TemporaryDirectory() as d:
            cert, key = os.path.join(d, "c.pem"), os.path.join(d, "k.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", key, "-out", cert, "-days", "1", "-subj",
                            "/CN=127.0.0.1"], check=True, capture_output=True, timeout=60)
            cfg = json.dumps({"tls": {"cert": cert, "key": key}})
            with Server(config=cfg) as s:
                self.assertTrue(s.url.startswith("https://"))
                ctx = ssl.create_default_context(cafile=cert)
                ctx.check_hostname = False
                conn = http.client.HTTPSConnection("127.0.0.1", s.port, context=ctx,
                                                   timeout=10)
                conn.request("GET", "/")
                r = conn.getresponse()
                self.assertEqual(parse_error(r.read())["Code"], "AccessDenied")
                conn.close()

    def test_port_in_use_is_a_clear_error(self):
        with Server() as s:
            with tempfile.TemporaryDirectory() as d:
                r = run_holdfast("serve", "--data-dir", d + "/s", "--listen",
                                 f"127.0.0.1:{s.port}",
                                 env={"HOLDFAST_ROOT_ACCESS_KEY": "AKIAEXAMPLE",
                                      "HOLDFAST_ROOT_SECRET_KEY": "secretsecret"})
                self.assertEqual(r.returncode, 1)
                self.assertIn("cannot listen", r.stderr)


class ConfigTest(unittest.TestCase):
    def check_refused(self, cfg, needle):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "c.json")
            with open(p, "w") as f:
                f.write(cfg)
            r = run_holdfast("serve", "--config", p, "--data-dir", d + "/s")
            self.assertNotEqual(r.returncode, 0, cfg)
            self.assertIn(needle, r.stderr, cfg)
            self.assertEqual(r.stderr.count("\n"), 1, "one clear line: " + r.stderr)
            self.assertFalse(os.path.exists(d + "/s"), "nothing created for a bad config")
            r = run_holdfast("config", "check", p)
            self.assertEqual(r.returncode, 1)
            self.assertIn(needle, r.stderr)

    def test_unknown_and_bad_values_name_the_json_path(self):
        self.check_refused('{"listen": "127.0.0.1:9000", "colour": 1}', "$.colour: unknown key")
        self.check_refused('{"tls": {"cert": "a", "kee": "b"}}', "$.tls.kee: unknown key")
        self.check_refused('{"tls": 5}', "$.tls: want an object")
        self.check_refused('{"threads": "four"}', "$.threads: want an integer")
        self.check_refused('{"threads": 100000}', "$.threads: 100000 is out of range")
        self.check_refused('{"listen": "localhost:9000"}', "$.listen: bad listen address")
        self.check_refused('{"listen": "127.0.0.1:70000"}', "$.listen:")
        self.check_refused('{"region": "US East"}', "$.region:")
        self.check_refused('{"log_level": "loud"}', "$.log_level:")
        self.check_refused('{"tls": {"cert": "/x.pem"}}', "$.tls: set both cert and key")
        self.check_refused('{"region": "a", "region": "b"}', "$: bad JSON")
        self.check_refused('[1, 2]', "$: want a JSON object")
        self.check_refused('{"listen": ', "$: bad JSON at line 1")

    def test_default_config_round_trips(self):
        r = run_holdfast("config", "default")
        self.assertEqual(r.returncode, 0)
        cfg = json.loads(r.stdout)
        self.assertEqual(cfg["listen"], "127.0.0.1:9000")
        self.assertEqual(cfg["data_dir"], "./holdfast-data")
        self.assertEqual(cfg["region"], "us-east-1")
        with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
            f.write(r.stdout)
            f.flush()
            self.assertEqual(run_holdfast("config", "check", f.name).returncode, 0)

    def test_flags_override_file(self):
        cfg = json.dumps({"listen": "127.0.0.1:1", "log_level": "debug"})
        with Server(config=cfg) as s:  # the harness passes --listen 127.0.0.1:0 after
            self.assertNotEqual(s.port, 1)

    def test_cli_basics(self):
        r = run_holdfast("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^holdfast \d+\.\d+\.\d+")
        r = run_holdfast("help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("serve", r.stdout)
        r = run_holdfast("frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown command", r.stderr)
        r = run_holdfast("serve", "--bogus")
        self.assertEqual(r.returncode, 2)
        r = run_holdfast("serve", "--listen", "nonsense")
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
