# SPDX-License-Identifier: Apache-2.0
"""holdfast fsck on real stores: clean, orphan blob, corrupted record; --repair removes
orphans only and never a blob a (damaged) record may refer to; --json output."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from harness import run_holdfast  # noqa: E402

MKSTORE = os.environ.get("HOLDFAST_MKSTORE", "mkstore")


def blob_files(store):
    out = []
    for root, _, files in os.walk(os.path.join(store, "blobs")):
        out += [os.path.join(root, f) for f in files]
    return sorted(out)


def plant_orphan(store):
    """Copy a real blob under a new, well-formed id next to it."""
    src = blob_files(store)[0]
    name = os.path.basename(src)
    last = "0" if name[-1] != "0" else "1"
    dst = os.path.join(os.path.dirname(src), name[:-1] + last)
    shutil.copyfile(src, dst)
    return dst


class FsckTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="hf-fsck-")
        self.store = os.path.join(self.tmp, "store")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def mkstore(self, *args):
        subprocess.run([MKSTORE, self.store, *args], check=True, capture_output=True,
                       timeout=60)

    def test_clean_store(self):
        self.mkstore()
        r = run_holdfast("fsck", "--data-dir", self.store)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = run_holdfast("fsck", "--data-dir", self.store, "--json")
        rep = json.loads(r.stdout)
        self.assertEqual(rep["versions"], 3)
        self.assertEqual(rep["bad_records"], 0)
        self.assertEqual(rep["orphan_blobs"], 0)

    def test_orphan_then_repair(self):
        self.mkstore()
        before = blob_files(self.store)
        orphan = plant_orphan(self.store)
        r = run_holdfast("fsck", "--data-dir", self.store)
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)  # orphans only, no damage
        self.assertIn("orphan", r.stdout + r.stderr)
        self.assertTrue(os.path.exists(orphan), "read-only fsck must not remove anything")
        r = run_holdfast("fsck", "--data-dir", self.store, "--repair")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertFalse(os.path.exists(orphan))
        self.assertEqual(blob_files(self.store), before, "only the orphan went")
        self.assertEqual(run_holdfast("fsck", "--data-dir", self.store).returncode, 0)

    def test_orphan_and_corrupted_record_both_reported(self):
        self.mkstore("corrupt")
        orphan = plant_orphan(self.store)
        r = run_holdfast("fsck", "--data-dir", self.store)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        out = r.stdout + r.stderr
        self.assertIn("orphan", out)
        self.assertRegex(out, r"(?i)bad record|checksum|corrupt")
        rep = json.loads(run_holdfast("fsck", "--data-dir", self.store, "--json").stdout)
        self.assertEqual(rep["bad_records"], 1)
        self.assertGreaterEqual(rep["orphan_blobs"], 1)
        # repair cannot tell which blob the unreadable record owned: it keeps every orphan
        before = blob_files(self.store)
        r = run_holdfast("fsck", "--data-dir", self.store, "--repair")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(blob_files(self.store), before)
        self.assertTrue(os.path.exists(orphan))

    def test_usage_and_missing_store(self):
        self.assertEqual(run_holdfast("fsck").returncode, 2)
        self.assertEqual(run_holdfast("fsck", "--data-dir", self.store, "--bogus").returncode, 2)
        r = run_holdfast("fsck", "--data-dir", os.path.join(self.tmp, "nothing"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("no store", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "nothing")),
                         "read-only fsck creates nothing")


class ClockStatusTest(unittest.TestCase):
    def test_clock_status_text_and_json(self):
        with tempfile.TemporaryDirectory() as d:
            store = os.path.join(d, "store")
            subprocess.run([MKSTORE, store], check=True, capture_output=True, timeout=60)
            r = run_holdfast("clock", "status", "--data-dir", store)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("compliance time:", r.stdout)
            self.assertIn("drift bound:", r.stdout)
            r = run_holdfast("clock", "status", "--data-dir", store, "--json")
            st = json.loads(r.stdout)
            clock = st["clock"]
            # the compliance clock never runs ahead of a correct wall clock
            self.assertLessEqual(clock["compliance_ns"], clock["wall_ns"] + 2 * 10**9)
            self.assertEqual(clock["slew_div"], 60)
            self.assertIn(st["immutable"]["support"], ("supported", "unsupported", "unknown"))
            self.assertEqual(run_holdfast("clock", "status").returncode, 2)
            r = run_holdfast("clock", "status", "--data-dir", os.path.join(d, "none"))
            self.assertEqual(r.returncode, 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
