# SPDX-License-Identifier: Apache-2.0
"""The compliance clock through the whole gateway (spec §8.1 "WORM hardening"): a COMPLIANCE
version locked for one day and a legal-hold version are written under the real clock; the
server is then restarted on the same data dir with libfaketime moving its wall clock ten
years ahead, and again one year back. Neither run may delete the versions (DeleteObject and
DeleteObjects with VersionId, with and without the bypass header) or shorten, downgrade or
remove the retention. "Now" for new retain-until dates is the compliance time as well: ten
years ahead a one-day extension still succeeds, one year back a date in the real past is
refused. `holdfast clock status --json` reports the disagreement (read-only, beside the
running server, and persisted for after it stopped). A last run under the real clock finds
everything unchanged.

Skipped when libfaketime is not installed (or its shim does not take effect)."""
import datetime
import email.utils
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, boto3_client, clear_immutable, run_holdfast  # noqa: E402
from s3client import NS, Raw, key_path, md5_b64, raw_request, run_tests  # noqa: E402

UTC = datetime.timezone.utc
DAY_S = 86400
YEAR_NS = 365 * DAY_S * 10**9
B = "clock-lock"

def find_libfaketime():
    """Same search as tests/unit/objectlock/test_clock.c find_libfaketime()."""
    for p in ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
              "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
              "/usr/lib/faketime/libfaketime.so.1",
              "/usr/local/lib/faketime/libfaketime.so.1"):
        if os.access(p, os.R_OK):
            return p
    return None


def faketime_env(lib, spec):
    asan = os.environ.get("ASAN_OPTIONS", "")
    return {
        "LD_PRELOAD": lib,
        "FAKETIME": spec,
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        "FAKETIME_DONT_RESET": "1",
        # an ASan build: libfaketime comes before the ASan runtime (as the unit test does)
        "ASAN_OPTIONS": ((asan + ":") if asan else "")
        + "verify_asan_link_order=0:detect_leaks=0",
    }




def iso(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class SkewedRaw(Raw):
    """Raw requests signed with the server's idea of the time.

    SigV4 rejects a request whose x-amz-date is more than 15 minutes away from the server's
    wall clock (handler.c takes it from time(), which libfaketime moves). Instead of running
    the client under the same LD_PRELOAD (a Python interpreter under libfaketime, whose
    "+10y" may also disturb SSL/timeouts of the client), the test reads the server's wall
    clock from the Date header of an anonymous request and signs every request with
    x-amz-date = real now + that offset. The server then sees a perfectly current request,
    exactly as from a client whose clock agrees with its own, and the compliance decisions
    are exercised unchanged. Every request is hand-signed, so the lock headers and the
    integrity proof (Content-MD5) are explicit."""

    def __init__(self, server):
        super().__init__(server)
        r = raw_request(server.port, "GET", "/", {"Host": self.host})
        date = r.header("Date")
        self.offset = 0.0
        if date:
            srv = email.utils.parsedate_to_datetime(date)
            self.offset = (srv - datetime.datetime.now(UTC)).total_seconds()

    def amz_date(self):
        t = datetime.datetime.now(UTC) + datetime.timedelta(seconds=self.offset)
        return t.strftime("%Y%m%dT%H%M%SZ")

    def request(self, method, path, query=(), headers=None, body=b"", payload_hash=None):
        if payload_hash is None:
            payload_hash = hashlib.sha256(body).hexdigest()
        h = dict(headers or {})
        if body or method in ("PUT", "POST"):
            h.setdefault("Content-Length", str(len(body)))
        return self.send(self.sign(method, path, query=query, headers=h,
                                   payload_hash=payload_hash, amz_date=self.amz_date()), body)


class ComplianceClockTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = find_libfaketime()
        if not cls.lib:
            raise unittest.SkipTest("libfaketime not installed (libfaketime.so.1 not found in "
                                    "the usual faketime/ directories): compliance clock test "
                                    "skipped")

    # ---- helpers ----

    def clock_status(self, store, env=None):
        r = run_holdfast("clock", "status", "--json", "--data-dir", store, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def assert_err(self, r, want_status, want_code, what):
        self.assertEqual(r.status, want_status, (what, r.body[:400]))
        self.assertEqual(r.error()["Code"], want_code, (what, r.body[:400]))

    def retention_of(self, raw, key, vid):
        r = raw.request("GET", key_path(B, key), query=[("retention", ""), ("versionId", vid)])
        self.assertEqual(r.status, 200, r.body)
        root = ET.fromstring(r.body)

        def field(name):
            e = root.find(NS + name)
            if e is None:
                e = root.find(name)
            return e.text if e is not None else None
        return field("Mode"), field("RetainUntilDate")

    def put_retention(self, raw, key, vid, body, bypass=False):
        h = {"Content-MD5": md5_b64(body)}
        if bypass:
            h["x-amz-bypass-governance-retention"] = "true"
        return raw.request("PUT", key_path(B, key), query=[("retention", ""), ("versionId", vid)],
                           headers=h, body=body)

    def check_still_locked(self, s, label):
        """Everything a moved wall clock must not allow, against server @s."""
        raw = SkewedRaw(s)
        comp_vid, hold_vid = self.comp_vid, self.hold_vid
        for key, vid in (("comp", comp_vid), ("hold", hold_vid)):
            for bypass in (False, True):
                h = {"x-amz-bypass-governance-retention": "true"} if bypass else {}
                r = raw.request("DELETE", key_path(B, key), query=[("versionId", vid)],
                                headers=h)
                self.assert_err(r, 403, "AccessDenied", f"{label}: delete {key} bypass={bypass}")
            # DeleteObjects entry
            body = (f"<Delete><Object><Key>{key}</Key><VersionId>{vid}</VersionId></Object>"
                    "</Delete>").encode()
            r = raw.request("POST", key_path(B), query=[("delete", "")], body=body,
                            headers={"Content-MD5": md5_b64(body),
                                     "x-amz-bypass-governance-retention": "true"})
            self.assertEqual(r.status, 200, (label, r.body))
            root = ET.fromstring(r.body)
            errs = [(e.findtext(NS + "Key"), e.findtext(NS + "Code"))
                    for e in root.findall(NS + "Error")]
            self.assertEqual(errs, [(key, "AccessDenied")], (label, r.body))
            self.assertEqual(root.findall(NS + "Deleted"), [], (label, r.body))
        # shortening (to a date still in the real future), downgrading, removing: refused
        shorter = self.until - datetime.timedelta(hours=12)
        for mode, until in (("COMPLIANCE", shorter), ("GOVERNANCE", self.until),
                            ("GOVERNANCE", shorter)):
            body = (f"<Retention><Mode>{mode}</Mode><RetainUntilDate>{iso(until)}"
                    "</RetainUntilDate></Retention>").encode()
            for bypass in (False, True):
                r = self.put_retention(raw, "comp", comp_vid, body, bypass)
                self.assert_err(r, 403, "AccessDenied",
                                f"{label}: retention {mode} {iso(until)} bypass={bypass}")
        r = self.put_retention(raw, "comp", comp_vid, b"<Retention/>", True)
        self.assert_err(r, 403, "AccessDenied", f"{label}: remove retention")
        # unchanged, byte-exact
        mode, until = self.retention_of(raw, "comp", comp_vid)
        self.assertEqual(mode, "COMPLIANCE")
        self.assertEqual(datetime.datetime.fromisoformat(until.replace("Z", "+00:00")),
                         self.until, label)
        for key, vid, data in (("comp", comp_vid, self.comp_data),
                               ("hold", hold_vid, self.hold_data)):
            r = raw.request("GET", key_path(B, key), query=[("versionId", vid)])
            self.assertEqual((r.status, r.body), (200, data), f"{label}: {key} changed")
        r = raw.request("GET", key_path(B, "hold"), query=[("legal-hold", ""),
                                                          ("versionId", hold_vid)])
        self.assertEqual(r.status, 200, r.body)
        self.assertIn(b"<Status>ON</Status>", r.body)
        return raw

    def run_faked(self, data_dir, spec, expect_ahead):
        s = Server(data_dir=data_dir, env=faketime_env(self.lib, spec)).start()
        try:
            raw = SkewedRaw(s)
            if abs(raw.offset) < 300 * DAY_S:
                self.skipTest(f"FAKETIME={spec} not in effect in the server (its Date header "
                              f"is {raw.offset:.0f} s from ours)")
            self.assertEqual(raw.offset > 0, expect_ahead, raw.offset)
            self.check_still_locked(s, f"FAKETIME={spec}")
            real = datetime.datetime.now(UTC).replace(microsecond=0)
            if expect_ahead:
                # "now" for a new retain-until date is the compliance time too: extending by
                # a day (a date ten years in the past for the moved wall clock) still works,
                # as Veeam's periodic extension must
                later = self.until + datetime.timedelta(days=1)
                body = ("<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>"
                        f"{iso(later)}</RetainUntilDate></Retention>").encode()
                r = self.put_retention(raw, "comp", self.comp_vid, body)
                self.assertEqual(r.status, 200, (spec, r.body))
                self.until = later
            else:
                # a date in the real past (a year ahead for the moved wall clock) is refused
                past = real - datetime.timedelta(hours=1)
                body = ("<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>"
                        f"{iso(past)}</RetainUntilDate></Retention>").encode()
                r = self.put_retention(raw, "hold", self.hold_vid, body)
                self.assert_err(r, 400, "InvalidArgument", f"{spec}: past retain-until date")
                r = raw.request("PUT", key_path(B, "new"), body=b"n", headers={
                    "Content-MD5": md5_b64(b"n"), "x-amz-object-lock-mode": "COMPLIANCE",
                    "x-amz-object-lock-retain-until-date": iso(past)})
                self.assert_err(r, 400, "InvalidArgument", f"{spec}: PUT with a past date")
            self.check_still_locked(s, f"FAKETIME={spec}, after")
            # beside the running server, read-only, under the same moved wall clock: the
            # compliance time stays with the real time and the offset shows
            st = self.clock_status(os.path.join(data_dir, "store"),
                                   env=faketime_env(self.lib, spec))["clock"]
            real_ns = int(datetime.datetime.now(UTC).timestamp() * 10**9)
            self.assertLess(abs(st["compliance_ns"] - real_ns), DAY_S * 10**9, st)
            if expect_ahead:
                self.assertGreater(st["offset_ns"], 9 * YEAR_NS, st)
            else:
                self.assertLess(st["offset_ns"], -300 * DAY_S * 10**9, st)
        finally:
            rc = s.stop()
        self.assertEqual(rc, 0, "\n".join(s.stderr_lines[-40:]))
        # the disagreement found at start is in the server's log as a warning, at once
        want = "wall-ahead" if expect_ahead else "wall-behind"
        logged = [json.loads(line) for line in s.stderr_lines if line.startswith("{")]
        warned = [e for e in logged if e["event"] == "clock" and e["level"] == "warn"
                  and e["msg"].startswith(want + ":")]
        self.assertTrue(warned, "\n".join(s.stderr_lines[-40:]))
        self.assertIn("retention is judged by the compliance clock", warned[0]["msg"])

    # ---- the test ----

    def test_moved_wall_clock_cannot_unlock(self):
        s = Server().start()
        data_dir = s.data_dir
        store = os.path.join(data_dir, "store")
        try:
            c = boto3_client(s)
            c.create_bucket(Bucket=B, ObjectLockEnabledForBucket=True)
            self.until = (datetime.datetime.now(UTC).replace(microsecond=0)
                          + datetime.timedelta(seconds=DAY_S))
            self.comp_data = os.urandom(5000)
            self.hold_data = os.urandom(300)
            self.comp_vid = c.put_object(Bucket=B, Key="comp", Body=self.comp_data,
                                         ObjectLockMode="COMPLIANCE",
                                         ObjectLockRetainUntilDate=self.until,
                                         ContentMD5=md5_b64(self.comp_data))["VersionId"]
            self.hold_vid = c.put_object(Bucket=B, Key="hold", Body=self.hold_data,
                                         ObjectLockLegalHoldStatus="ON",
                                         ContentMD5=md5_b64(self.hold_data))["VersionId"]
            self.check_still_locked(s, "real clock")
            self.assertEqual(s.stop(), 0, "\n".join(s.stderr_lines[-40:]))
            base = self.clock_status(store)["clock"]

            # ten years ahead
            self.run_faked(data_dir, "+10y", expect_ahead=True)
            st = self.clock_status(store)["clock"]
            self.assertGreater(st["disagreements"], base["disagreements"], st)
            self.assertGreater(st["max_ahead_ns"], 9 * YEAR_NS, st)

            # one year back
            self.run_faked(data_dir, "-1y", expect_ahead=False)
            st2 = self.clock_status(store)["clock"]
            self.assertGreater(st2["disagreements"], st["disagreements"], st2)
            self.assertGreater(st2["max_behind_ns"], 300 * DAY_S * 10**9, st2)
            # the compliance clock never ran ahead of the real time
            real_ns = int(datetime.datetime.now(UTC).timestamp() * 10**9)
            self.assertLess(st2["compliance_ns"], real_ns + 60 * 10**9, st2)

            # back under the real clock: all still there, still locked
            s3 = Server(data_dir=data_dir).start()
            try:
                self.check_still_locked(s3, "real clock again")
                c = boto3_client(s3)
                h = c.head_object(Bucket=B, Key="comp", VersionId=self.comp_vid)
                self.assertEqual((h["ObjectLockMode"], h["ObjectLockRetainUntilDate"]),
                                 ("COMPLIANCE", self.until))
            finally:
                self.assertEqual(s3.stop(), 0, "\n".join(s3.stderr_lines[-40:]))
        finally:
            s.stop()
            clear_immutable(data_dir)
            s.cleanup()

    def test_wall_clock_step_is_logged(self):
        """A wall clock stepped ten years ahead while the server runs is a warning in its
        log within the clock log's interval (5 s), with no request needed to notice it,
        and stepping back is logged as agreement again."""
        d = tempfile.mkdtemp(prefix="hf-clockstep-")
        stamp = os.path.join(d, "faketime")
        with open(stamp, "w") as f:
            f.write("+0\n")
        env = faketime_env(self.lib, "+0")
        del env["FAKETIME"]
        env.update(FAKETIME_TIMESTAMP_FILE=stamp, FAKETIME_NO_CACHE="1")
        s = Server(data_dir=d, env=env).start()
        try:
            def clock_events():
                out = []
                for line in list(s.stderr_lines):
                    if line.startswith("{"):
                        e = json.loads(line)
                        if e["event"] == "clock":
                            out.append(e)
                return out

            def wait_for(prefix, level):
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline:
                    got = [e for e in clock_events()
                           if e["msg"].startswith(prefix) and e["level"] == level]
                    if got:
                        return got[0]
                    time.sleep(0.2)
                self.fail(f"no {level} '{prefix}' clock event in the log:\n"
                          + "\n".join(s.stderr_lines[-20:]))

            self.assertFalse([e for e in clock_events() if e["level"] == "warn"])
            with open(stamp, "w") as f:
                f.write("+10y\n")
            e = wait_for("wall-ahead:", "warn")
            self.assertIn("retention is judged by the compliance clock", e["msg"])
            with open(stamp, "w") as f:
                f.write("+0\n")
            wait_for("agree:", "info")
            # one line per change, not a flood (the task looks every 5 s)
            ahead = [e for e in clock_events() if e["msg"].startswith("wall-ahead:")]
            self.assertLessEqual(len(ahead), 2, ahead)
        finally:
            rc = s.stop()
            clear_immutable(d)
            shutil.rmtree(d, ignore_errors=True)
        self.assertEqual(rc, 0, "\n".join(s.stderr_lines[-40:]))


if __name__ == "__main__":
    run_tests()
