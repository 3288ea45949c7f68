# SPDX-License-Identifier: Apache-2.0
"""Multipart uploads across the server's lifecycle, each case with a server of its own:
kill -9 with a part body in flight and during a Complete, then a restart on the same data
dir (the upload goes on or is aborted, nothing half-done is visible, `holdfast fsck` finds
no damage); the stale-upload janitor (multipart_max_age_s / multipart_cleanup_interval_s)
aborting an old upload and logging the count; and flat server memory (VmHWM) while a
2 GiB object goes up in 64 MiB parts and comes back, streamed on both sides."""
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import struct
import sys
import tempfile
import threading
import time
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, run_holdfast  # noqa: E402
from s3client import NS, Raw, key_path, run_tests  # noqa: E402
import test_multipart as tm  # noqa: E402

MiB = tm.MiB


def rnd(seed, n):
    return random.Random(seed).randbytes(n)


def fsck(store, *args):
    r = run_holdfast("fsck", "--data-dir", store, *args, timeout=120)
    return r.returncode, r.stdout + r.stderr


class CrashTest(unittest.TestCase):
    """kill -9, restart on the same data dir, go on."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="hf-mpcrash-")
        self.store = os.path.join(self.dir, "store")
        self.server = None

    def tearDown(self):
        if self.server and self.server.proc and self.server.proc.poll() is None:
            self.server.kill9()
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self):
        self.server = Server(data_dir=self.dir).start()
        self.raw = Raw(self.server)
        self.mp = tm.MP(self.raw)
        return self.server

    def stop_clean(self):
        rc = self.server.stop()
        self.assertEqual(rc, 0, "\n".join(self.server.stderr_lines[-40:]))

    def check_fsck(self):
        """No damage: exit 0, or 3 for orphans only (a temp file of the killed part);
        --repair then leaves a clean store."""
        rc, out = fsck(self.store)
        print(f"\nfsck after the crash test: exit {rc}", file=sys.stderr)
        self.assertIn(rc, (0, 3), out)
        if rc == 3:
            self.assertIn("orphan", out)
            rc, out = fsck(self.store, "--repair")
            self.assertEqual(rc, 0, out)
        rc, out = fsck(self.store, "--json")
        self.assertEqual(rc, 0, out)
        rep = json.loads(out.splitlines()[0])
        for k in ("bad_records", "missing_blobs", "bad_blob_sizes", "dangling", "orphan_blobs"):
            self.assertEqual(rep[k], 0, (k, out))
        return rep

    def test_kill9_with_a_part_in_flight(self):
        B = "crash"
        p1, p2, p3 = rnd(1, 5 * MiB), rnd(2, 5 * MiB), rnd(3, 2 * MiB + 17)
        self.start()
        self.raw.create_bucket(B)
        self.assertEqual(self.raw.put(B, "sentinel", b"still here").status, 200)
        uid = self.mp.create(B, "big")
        e1 = self.mp.part_ok(B, "big", uid, 1, p1).header("ETag")
        e2 = self.mp.part_ok(B, "big", uid, 2, p2).header("ETag")
        doomed = self.mp.create(B, "doomed")
        self.mp.part_ok(B, "doomed", doomed, 1, rnd(4, 300000))
        # part 3 is half sent when the server dies
        s = self.raw.sign("PUT", key_path(B, "big"),
                          query=[("partNumber", "3"), ("uploadId", uid)],
                          headers={"Content-Length": str(len(p3))},
                          payload_hash="UNSIGNED-PAYLOAD")
        with tm.PartialRequest(self.server.port, s) as pr:
            pr.send(p3[:MiB])
            time.sleep(0.3)
            self.server.kill9()

        self.start()
        # nothing half-done: the listing, the key, the uploads are as before the kill
        self.assertEqual(self.raw.list_keys(B), ["sentinel"])
        self.assertEqual(self.raw.head(B, "big").status, 404)
        self.assertEqual(self.mp.parts_of(B, "big", uid),
                         [(1, e1, len(p1)), (2, e2, len(p2))])
        r = self.mp.list_uploads(B)
        self.assertEqual(sorted(u.find(NS + "UploadId").text
                                for u in ET.fromstring(r.body).findall(NS + "Upload")),
                         sorted([uid, doomed]))
        # go on: the rest of the upload, then complete
        e3 = self.mp.part_ok(B, "big", uid, 3, p3).header("ETag")
        r = self.mp.complete(B, "big", uid, [(1, e1), (2, e2), (3, e3)])
        self.assertEqual(r.status, 200, r.body)
        g = self.raw.get(B, "big")
        self.assertEqual(tm.sha(g.body), tm.sha(p1 + p2 + p3))
        self.assertEqual(g.header("ETag"), tm.mp_etag([p1, p2, p3]))
        # or abort
        self.assertEqual(self.mp.abort(B, "doomed", doomed).status, 204)
        self.assertEqual(self.raw.head(B, "doomed").status, 404)
        self.assertEqual(sorted(self.raw.list_keys(B)), ["big", "sentinel"])
        self.stop_clean()
        rep = self.check_fsck()
        self.assertEqual(rep["uploads"], 0)
        # only the object's three part files remain (the sentinel is inline)
        self.assertEqual(len(tm.blob_files(self.server)), 3)

    def test_kill9_during_complete(self):
        B = "crash-complete"
        seen = set()
        self.start()
        self.raw.create_bucket(B)
        # the first Complete loses its last byte (it cannot have committed), the others
        # are whole and the kill comes sooner or later after them
        for i, delay in enumerate((None, 0, 0.002, 0.02)):
            key = f"k{i}"
            parts = [rnd(10 + i, 5 * MiB), rnd(20 + i, 4000)]
            uid = self.mp.create(B, key)
            listed = [(n + 1, self.mp.part_ok(B, key, uid, n + 1, p).header("ETag"))
                      for n, p in enumerate(parts)]
            xml = self.mp.complete_xml(listed)
            s = self.raw.sign("POST", key_path(B, key), query=[("uploadId", uid)],
                              headers={"Content-Length": str(len(xml))},
                              payload_hash=tm.sha(xml))
            with tm.PartialRequest(self.server.port, s) as pr:
                pr.send(xml if delay is not None else xml[:-1])
                time.sleep(delay if delay is not None else 0.2)
                self.server.kill9()
            self.start()
            h = self.raw.head(B, key)
            if h.status == 200:
                # committed: whole, and the upload is gone
                seen.add("completed")
                self.assertEqual(tm.sha(self.raw.get(B, key).body), tm.sha(b"".join(parts)))
                self.assertEqual(h.header("ETag"), tm.mp_etag(parts))
                self.assertEqual(self.mp.list_parts(B, key, uid).status, 404)
            else:
                # not committed: the upload is intact and completes now
                seen.add("not completed")
                self.assertEqual(h.status, 404)
                self.assertNotIn(key, self.raw.list_keys(B))
                self.assertEqual([p[:2] for p in self.mp.parts_of(B, key, uid)], listed)
                r = self.mp.complete(B, key, uid, listed)
                self.assertEqual(r.status, 200, r.body)
                self.assertEqual(tm.sha(self.raw.get(B, key).body), tm.sha(b"".join(parts)))
        print(f"\nkill -9 during Complete: outcomes seen {sorted(seen)}", file=sys.stderr)
        self.assertIn("not completed", seen)
        self.assertEqual(sorted(self.raw.list_keys(B)), ["k0", "k1", "k2", "k3"])
        self.stop_clean()
        rep = self.check_fsck()
        self.assertEqual(rep["uploads"], 0)
        self.assertEqual(len(tm.blob_files(self.server)), 8)


class JanitorTest(unittest.TestCase):
    def test_stale_upload_is_aborted_and_logged(self):
        cfg = json.dumps({"multipart_max_age_s": 2, "multipart_cleanup_interval_s": 1})
        with Server(config=cfg) as s:
            raw = Raw(s)
            mp = tm.MP(raw)
            raw.create_bucket("jan")
            before = tm.blob_files(s)
            uid = mp.create("jan", "old")
            mp.part_ok("jan", "old", uid, 1, rnd(5, 200000))
            mp.part_ok("jan", "old", uid, 2, b"tail")
            self.assertEqual(len(tm.blob_files(s) - before), 2)
            t0 = time.monotonic()
            # young: not touched within its age
            time.sleep(1.0)
            self.assertEqual(mp.list_parts("jan", "old", uid).status, 200)
            # old: gone within age + interval (+ slack for a slow build)
            deadline = t0 + 15
            while time.monotonic() < deadline:
                r = mp.list_parts("jan", "old", uid)
                if r.status == 404:
                    break
                time.sleep(0.2)
            gone_after = time.monotonic() - t0
            self.assertEqual((r.status, r.error()["Code"]), (404, "NoSuchUpload"))
            self.assertGreaterEqual(gone_after, 1.5)
            self.assertEqual(tm.blob_files(s), before)
            self.assertEqual(mp.abort("jan", "old", uid).status, 404)
            # the log says how many it aborted
            logged = []
            deadline = time.monotonic() + 5
            while not logged and time.monotonic() < deadline:
                for line in list(s.stderr_lines):
                    try:
                        ev = json.loads(line)
                    except ValueError:
                        continue
                    if ev.get("event") == "multipart_cleanup":
                        logged.append(ev)
                time.sleep(0.1)
            self.assertTrue(logged, "\n".join(s.stderr_lines[-20:]))
            m = re.search(r"aborted (\d+) ", logged[0]["msg"])
            self.assertIsNotNone(m, logged[0])
            self.assertEqual(int(m.group(1)), 1)
            self.assertEqual(logged[0]["level"], "info")
            # a completed upload is never touched: its object stays; its completion (which
            # answers a retried Complete) is forgotten after the same age
            uid = mp.create("jan", "done")
            e = mp.part_ok("jan", "done", uid, 1, b"done").header("ETag")
            first = mp.complete("jan", "done", uid, [(1, e)])
            self.assertEqual(first.status, 200)
            again = mp.complete("jan", "done", uid, [(1, e)])
            self.assertEqual((again.status, again.body), (200, first.body))
            time.sleep(3.5)
            self.assertEqual(raw.get("jan", "done").body, b"done")
            self.assertEqual(mp.complete("jan", "done", uid, [(1, e)]).status, 404)
            print(f"\njanitor: upload gone after {gone_after:.1f} s; log: {logged[0]['msg']}",
                  file=sys.stderr)


class MemoryTest(unittest.TestCase):
    """A 2 GiB object in 64 MiB parts, up and down, streamed by a raw client from generated
    bytes; the server's peak RSS (VmHWM) must stay flat. Skipped under ASan, whose shadow
    memory and quarantine make RSS meaningless (the server maps libasan)."""

    SIZE = 2 << 30
    PART = 64 * MiB
    LIMIT = 200 * MiB

    @staticmethod
    def status(pid):
        out = {}
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0]) * 1024
        return out

    def test_two_gib_round_trip(self):
        with Server() as s:
            if tm.server_has_asan(s):
                raise unittest.SkipTest("ASan build: RSS includes shadow memory")
            raw = Raw(s)
            mp = tm.MP(raw)
            raw.create_bucket("mem")
            pid = s.proc.pid
            samples, stop = [], threading.Event()

            def sample():
                while not stop.is_set():
                    try:
                        samples.append(self.status(pid)["VmRSS"])
                    except (OSError, KeyError):
                        pass
                    stop.wait(0.05)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            base = rnd(99, MiB)
            rss_start = self.status(pid)["VmRSS"]

            def block(i):  # MiB number i: distinct, so a misplaced MiB changes the digest
                return struct.pack(">Q", i) + base[8:]

            t0 = time.monotonic()
            up = hashlib.sha256()
            uid = mp.create("mem", "two-gib")
            listed = []
            per_part = self.PART // MiB
            for n in range(self.SIZE // self.PART):
                s_ = raw.sign("PUT", key_path("mem", "two-gib"),
                              query=[("partNumber", str(n + 1)), ("uploadId", uid)],
                              headers={"Content-Length": str(self.PART)},
                              payload_hash="UNSIGNED-PAYLOAD")
                conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=120)
                try:
                    conn.putrequest("PUT", s_.target, skip_host=True, skip_accept_encoding=True)
                    for k, v in s_.headers.items():
                        conn.putheader(k, v)
                    conn.endheaders()
                    md5 = hashlib.md5()
                    for i in range(n * per_part, (n + 1) * per_part):
                        b = block(i)
                        up.update(b)
                        md5.update(b)
                        conn.send(b)
                    r = conn.getresponse()
                    body = r.read()
                    self.assertEqual(r.status, 200, body)
                    self.assertEqual(r.getheader("ETag"), '"%s"' % md5.hexdigest())
                    listed.append((n + 1, r.getheader("ETag")))
                finally:
                    conn.close()
            r = mp.complete("mem", "two-gib", uid, listed)
            self.assertEqual(r.status, 200, r.body)
            t_up = time.monotonic() - t0
            self.assertEqual(int(raw.head("mem", "two-gib").header("Content-Length")),
                             self.SIZE)
            t1 = time.monotonic()
            s_ = raw.sign("GET", key_path("mem", "two-gib"))
            conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=120)
            down, got = hashlib.sha256(), 0
            try:
                conn.putrequest("GET", s_.target, skip_host=True, skip_accept_encoding=True)
                for k, v in s_.headers.items():
                    conn.putheader(k, v)
                conn.endheaders()
                r = conn.getresponse()
                self.assertEqual(r.status, 200)
                while True:
                    c = r.read(MiB)
                    if not c:
                        break
                    down.update(c)
                    got += len(c)
            finally:
                conn.close()
            t_down = time.monotonic() - t1
            stop.set()
            sampler.join(5)
            self.assertEqual(got, self.SIZE)
            self.assertEqual(down.hexdigest(), up.hexdigest())
            hwm = self.status(pid)["VmHWM"]
            peak = max(samples + [0])
            print(f"\n2 GiB multipart: up {t_up:.1f} s, down {t_down:.1f} s; server RSS at "
                  f"start {rss_start / MiB:.1f} MiB, sampled peak {peak / MiB:.1f} MiB, "
                  f"VmHWM {hwm / MiB:.1f} MiB", file=sys.stderr)
            self.assertLess(hwm, self.LIMIT)


if __name__ == "__main__":
    run_tests()
