# SPDX-License-Identifier: Apache-2.0
"""s3cmd 2.3 with a config file written by the test (path style, SigV4, plain HTTP): mb,
put (keys with spaces and '+'), get compared by SHA-256, ls / ls -r / la, info on an object
and on the bucket (which probes ?acl ?policy ?cors ?lifecycle ?requestPayment ?location and
must be answered the way s3cmd accepts), du, sync, del, rb."""
import hashlib
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from s3client import (  # noqa: E402
    RecordingProxy, ServerCase, client_env, make_tree, require_tool, run, run_tests,
    sample_files, tree_digests)


def sha_file(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class S3cmdTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        require_tool("s3cmd")
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.tmp.cleanup()

    def config(self, port):
        path = os.path.join(self.tmp.name, f"s3cfg-{port}")
        with open(path, "w") as f:
            f.write("[default]\n"
                    f"access_key = {self.server.access_key}\n"
                    f"secret_key = {self.server.secret_key}\n"
                    f"host_base = 127.0.0.1:{port}\n"
                    f"host_bucket = 127.0.0.1:{port}\n"
                    "use_https = False\n"
                    "signature_v2 = False\n"
                    "bucket_location = us-east-1\n"
                    "socket_timeout = 30\n"
                    "max_retries = 1\n"
                    "progress_meter = False\n")
        return path

    def s3cmd(self, *args, port=None, check=True):
        cfg = self.config(port or self.server.port)
        return run(["s3cmd", "-c", cfg, *args], env=client_env(HOME=self.tmp.name),
                   check=check)

    def out(self, *args, **kw):
        return self.s3cmd(*args, **kw).stdout.decode()

    def test_round_trip_and_probes(self):
        d = self.tmp.name
        src = os.path.join(d, "src")
        written = make_tree(src, sample_files(seed=5))
        self.assertIn("created", self.out("mb", "s3://s3cmd-b"))
        with RecordingProxy(self.server.port) as proxy:
            for rel in written:
                self.s3cmd("put", os.path.join(src, rel), "s3://s3cmd-b/files/" + rel,
                           port=proxy.port)
            seen = proxy.requests()
        puts = [h for m, t, h in seen if m == "PUT"]
        self.assertEqual(len(puts), len(written))
        for h in puts:  # s3cmd signs the payload and always names the storage class
            self.assertRegex(h["x-amz-content-sha256"], r"^[0-9a-f]{64}$")
            self.assertEqual(h["x-amz-storage-class"], "STANDARD")
        # get, byte-exact (s3cmd also compares the MD5 ETag itself)
        for rel, digest in written.items():
            out = os.path.join(d, "get", rel.replace("/", "_"))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            self.s3cmd("get", "--force", "s3://s3cmd-b/files/" + rel, out)
            self.assertEqual(sha_file(out), digest, rel)
        # listings
        top = self.out("ls", "s3://s3cmd-b/files/")
        self.assertIn("DIR  s3://s3cmd-b/files/dir with space/", top)
        self.assertIn("s3://s3cmd-b/files/one.txt", top)
        rec = self.out("ls", "-r", "s3://s3cmd-b")
        listed = sorted(line.split("s3://s3cmd-b/files/", 1)[1]
                        for line in rec.splitlines() if "s3://s3cmd-b/files/" in line)
        self.assertEqual(listed, sorted(written))
        self.assertIn("s3://s3cmd-b", self.out("ls"))
        self.assertIn("DIR  s3://s3cmd-b/files/", self.out("la"))
        du = self.out("du", "s3://s3cmd-b")
        self.assertEqual(int(du.split()[0]),
                         sum(os.path.getsize(os.path.join(src, k)) for k in written))
        # info probes the bucket's subresources
        with RecordingProxy(self.server.port) as proxy:
            info = self.out("info", "s3://s3cmd-b", port=proxy.port)
            oinfo = self.out("info", "s3://s3cmd-b/files/dir with space/a+b.txt",
                             port=proxy.port)
            probes = {t.split("?", 1)[1].split("=")[0] for m, t, h in proxy.requests()
                      if "?" in t}
        self.assertTrue({"location", "acl", "policy", "cors", "lifecycle",
                         "requestPayment"} <= probes, probes)
        self.assertIn("Location:  us-east-1", info)
        self.assertIn("Payer:     BucketOwner", info)
        self.assertIn("Policy:    none", info)
        self.assertIn("CORS:      none", info)
        self.assertIn("FULL_CONTROL", info)
        self.assertIn("File size: %d" % len(b"plus and space\n"), oinfo)
        self.assertIn("MD5 sum:   %s" % hashlib.md5(b"plus and space\n").hexdigest(), oinfo)
        # sync a tree up and back
        self.s3cmd("sync", src + "/", "s3://s3cmd-b/synced/")
        back = os.path.join(d, "back")
        os.makedirs(back)
        self.s3cmd("sync", "s3://s3cmd-b/synced/", back + "/")
        self.assertEqual(tree_digests(back), written)
        # delete everything and remove the bucket
        self.assertIn("delete:", self.out("del", "s3://s3cmd-b/files/dir with space/a+b.txt"))
        r = self.s3cmd("get", "s3://s3cmd-b/files/dir with space/a+b.txt",
                       os.path.join(d, "gone"), check=False)
        self.assertNotEqual(r.returncode, 0)
        r = self.s3cmd("rb", "s3://s3cmd-b", check=False)
        self.assertNotEqual(r.returncode, 0)  # not empty
        self.assertIn(b"BucketNotEmpty", r.stderr + r.stdout)
        self.s3cmd("del", "--recursive", "--force", "s3://s3cmd-b")
        self.assertEqual(self.out("ls", "-r", "s3://s3cmd-b").strip(), "")
        self.assertIn("removed", self.out("rb", "s3://s3cmd-b"))
        self.assertNotIn("s3://s3cmd-b", self.out("ls"))


if __name__ == "__main__":
    run_tests()
