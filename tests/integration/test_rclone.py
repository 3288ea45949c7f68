# SPDX-License-Identifier: Apache-2.0
"""rclone 1.60 (provider Other, configured only through RCLONE_CONFIG_HF_* with --config
/dev/null): copy a tree below the multipart cutoff, check (MD5 against the ETags), sync
after a local deletion and a change, check again, sync back down and compare by SHA-256,
lsf listing, delete. rclone uploads with UNSIGNED-PAYLOAD + Content-Md5 (checked on the
wire through a recording relay)."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from s3client import (  # noqa: E402
    REGION, RecordingProxy, ServerCase, client_env, make_tree, require_tool, run, run_tests,
    sample_files, tree_digests)


class RcloneTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        require_tool("rclone")
        super().setUpClass()

    def rclone(self, *args, port=None, check=True):
        env = client_env(RCLONE_CONFIG_HF_TYPE="s3", RCLONE_CONFIG_HF_PROVIDER="Other",
                         RCLONE_CONFIG_HF_ENDPOINT=f"http://127.0.0.1:{port or self.server.port}",
                         RCLONE_CONFIG_HF_ACCESS_KEY_ID=self.server.access_key,
                         RCLONE_CONFIG_HF_SECRET_ACCESS_KEY=self.server.secret_key,
                         RCLONE_CONFIG_HF_REGION=REGION)
        return run(["rclone", "--config", "/dev/null", "--retries", "1",
                    "--low-level-retries", "1", "--contimeout", "10s", "--timeout", "60s",
                    *args], env=env, check=check)

    def test_copy_check_sync(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "src")
            written = make_tree(src, sample_files(seed=4))
            self.rclone("mkdir", "hf:rclone-b")
            with RecordingProxy(self.server.port) as proxy:
                self.rclone("copy", src, "hf:rclone-b/tree", port=proxy.port)
                seen = proxy.requests()
            puts = [h for m, t, h in seen if m == "PUT" and t.startswith("/rclone-b/tree/")]
            self.assertEqual(len(puts), len(written))
            for h in puts:
                self.assertEqual(h["x-amz-content-sha256"], "UNSIGNED-PAYLOAD")
                self.assertIn("content-md5", h)
            self.rclone("check", src, "hf:rclone-b/tree")
            listed = self.rclone("lsf", "-R", "--files-only", "hf:rclone-b/tree").stdout
            self.assertEqual(sorted(listed.decode().splitlines()), sorted(written))
            sizes = self.rclone("ls", "hf:rclone-b/tree").stdout.decode().splitlines()
            self.assertEqual(sorted((ln.split(None, 1)[1], int(ln.split(None, 1)[0]))
                                    for ln in sizes),
                             sorted((k, os.path.getsize(os.path.join(src, k)))
                                    for k in written))
            # a local deletion and a change, then sync: the remote follows
            os.remove(os.path.join(src, "inline.bin"))
            with open(os.path.join(src, "dir with space/a+b.txt"), "wb") as f:
                f.write(b"changed contents, different size\n")
            self.rclone("sync", src, "hf:rclone-b/tree")
            self.rclone("check", src, "hf:rclone-b/tree")
            self.assertEqual(self.rclone("check", src, "hf:rclone-b/tree",
                                         "--one-way").returncode, 0)
            # and back down into an empty directory: byte-exact
            back = os.path.join(tmp, "back")
            self.rclone("sync", "hf:rclone-b/tree", back)
            self.assertEqual(tree_digests(back), tree_digests(src))
            # a differing file is found by check
            with open(os.path.join(src, "one.txt"), "wb") as f:
                f.write(b"y")
            r = self.rclone("check", src, "hf:rclone-b/tree", check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(b"1 differences found", r.stderr)
            self.rclone("purge", "hf:rclone-b/tree")
            self.assertEqual(self.rclone("lsf", "-R", "hf:rclone-b").stdout, b"")


if __name__ == "__main__":
    run_tests()
