# SPDX-License-Identifier: Apache-2.0
"""restic 0.14 (minio-go) over HTTP: init, backup of a tree, restore into another directory
(compared file by file by SHA-256), check --read-data, a second backup and forget --prune.
Over HTTP minio-go uploads with STREAMING-AWS4-HMAC-SHA256-PAYLOAD (signed 64 KiB chunks,
Content-Md5, no Content-Encoding): a recording relay checks that this path was exercised."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from s3client import (  # noqa: E402
    RecordingProxy, ServerCase, client_env, make_tree, require_tool, run, run_tests,
    sample_files, tree_digests)


class ResticTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        require_tool("restic")
        super().setUpClass()

    def restic(self, *args, port=None, timeout=180):
        return run(["restic", "--quiet", *args], env=self.env(port), timeout=timeout)

    def env(self, port):
        return client_env(
            RESTIC_REPOSITORY=f"s3:http://127.0.0.1:{port or self.server.port}/restic-repo",
            RESTIC_PASSWORD="correct horse battery staple",
            RESTIC_CACHE_DIR=os.path.join(self.tmp, "cache"),
            AWS_ACCESS_KEY_ID=self.server.access_key,
            AWS_SECRET_ACCESS_KEY=self.server.secret_key,
            HOME=self.tmp)

    def test_backup_restore_check(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.tmp = tmp
            src, dst = os.path.join(tmp, "src"), os.path.join(tmp, "dst")
            written = make_tree(src, sample_files(seed=3))
            # restic makes the bucket itself (minio-go: GetBucketLocation, then PUT /bucket)
            with RecordingProxy(self.server.port) as proxy:
                self.restic("init", port=proxy.port)
                self.restic("backup", src, port=proxy.port)
                seen = proxy.requests()
            puts = [h for m, t, h in seen
                    if m == "PUT" and t.split("?")[0].startswith("/restic-repo/")
                    and t.split("?")[0] != "/restic-repo/"]
            self.assertTrue(puts, "restic stored nothing")
            for h in puts:
                self.assertEqual(h.get("x-amz-content-sha256"),
                                 "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", h)
                self.assertIn("x-amz-decoded-content-length", h)
                self.assertIn("content-md5", h)
            # some pack is larger than one 64 KiB aws-chunk
            self.assertTrue(any(int(h["x-amz-decoded-content-length"]) > 65536 for h in puts))
            self.restic("restore", "latest", "--target", dst)
            restored = tree_digests(os.path.join(dst, src.lstrip("/")))
            self.assertEqual(restored, written)
            self.restic("check", "--read-data", timeout=300)
            # a second snapshot after a change, then prune the first away
            with open(os.path.join(src, "one.txt"), "wb") as f:
                f.write(b"changed")
            os.remove(os.path.join(src, "inline.bin"))
            self.restic("backup", src)
            self.restic("forget", "--keep-last", "1", "--prune")
            self.restic("check", "--read-data", timeout=300)
            dst2 = os.path.join(tmp, "dst2")
            self.restic("restore", "latest", "--target", dst2)
            self.assertEqual(tree_digests(os.path.join(dst2, src.lstrip("/"))),
                             tree_digests(src))
            out = run(["restic", "snapshots", "--json"], env=self.env(None)).stdout
            self.assertEqual(out.count(b'"short_id"'), 1)


if __name__ == "__main__":
    run_tests()
