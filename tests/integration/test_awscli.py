# SPDX-License-Identifier: Apache-2.0
"""aws-cli (configured only by environment, AWS_CONFIG_FILE=/dev/null) over HTTP: s3 mb,
s3 cp up and down, s3 sync of a tree below the 8 MiB multipart threshold both ways
(compared by SHA-256), s3 ls --recursive, s3 rm --recursive, and the s3api calls
put-object / head-object / get-object / list-objects-v2 / get-object-tagging /
delete-object."""
import base64
import hashlib
import json
import os
import sys
import tempfile
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from s3client import (  # noqa: E402
    REGION, ServerCase, client_env, make_tree, require_tool, run, run_tests, sample_files,
    tree_digests)


def sha_file(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class AwsCliTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        require_tool("aws")
        super().setUpClass()

    def aws(self, *args, check=True):
        env = client_env(AWS_ACCESS_KEY_ID=self.server.access_key,
                         AWS_SECRET_ACCESS_KEY=self.server.secret_key,
                         AWS_DEFAULT_REGION=REGION, AWS_CONFIG_FILE="/dev/null",
                         AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_MAX_ATTEMPTS="1",
                         AWS_PAGER="")
        return run(["aws", "--endpoint-url", self.server.url, "--cli-connect-timeout", "10",
                    "--cli-read-timeout", "60", *args], env=env, check=check)

    def api(self, *args):
        out = self.aws("s3api", *args, "--output", "json").stdout
        return json.loads(out) if out.strip() else {}

    def test_s3_commands(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "src")
            written = make_tree(src, sample_files(seed=6))
            self.aws("s3", "mb", "s3://awscli-b")
            # cp up and down, one file with an awkward name
            one = os.path.join(src, "dir with space", "a+b.txt")
            self.aws("s3", "cp", one, "s3://awscli-b/single/a b+c.txt")
            self.aws("s3", "cp", "s3://awscli-b/single/a b+c.txt", os.path.join(tmp, "down"))
            self.assertEqual(sha_file(os.path.join(tmp, "down")), sha_file(one))
            big = os.path.join(src, "big", "three-mib.bin")
            self.aws("s3", "cp", big, "s3://awscli-b/single/big")
            self.aws("s3", "cp", "s3://awscli-b/single/big", os.path.join(tmp, "big"))
            self.assertEqual(sha_file(os.path.join(tmp, "big")), sha_file(big))
            # sync up, then down into an empty directory
            self.aws("s3", "sync", src, "s3://awscli-b/tree")
            back = os.path.join(tmp, "back")
            self.aws("s3", "sync", "s3://awscli-b/tree", back)
            self.assertEqual(tree_digests(back), written)
            # a second sync has nothing to do
            self.assertEqual(self.aws("s3", "sync", src, "s3://awscli-b/tree").stdout, b"")
            # ls --recursive names every key with its size
            ls = self.aws("s3", "ls", "--recursive", "s3://awscli-b/tree/").stdout.decode()
            got = {}
            for line in ls.splitlines():
                _, _, size, key = line.split(None, 3)
                got[key] = int(size)
            self.assertEqual(got, {"tree/" + k: os.path.getsize(os.path.join(src, k))
                                   for k in written})
            # rm --recursive removes exactly that prefix
            self.aws("s3", "rm", "--recursive", "s3://awscli-b/tree/")
            self.assertEqual(self.aws("s3", "ls", "--recursive",
                                      "s3://awscli-b/tree/", check=False).stdout, b"")
            left = self.aws("s3", "ls", "--recursive", "s3://awscli-b").stdout.decode()
            self.assertEqual(sorted(line.split(None, 3)[3] for line in left.splitlines()),
                             ["single/a b+c.txt", "single/big"])

    def test_s3api_commands(self):
        self.aws("s3", "mb", "s3://awscli-api")
        with tempfile.TemporaryDirectory() as tmp:
            body = os.path.join(tmp, "body")
            data = os.urandom(100000)
            with open(body, "wb") as f:
                f.write(data)
            r = self.api("put-object", "--bucket", "awscli-api", "--key", "k/\u00fc x",
                         "--body", body, "--content-type", "application/x-test",
                         "--metadata", "colour=blue", "--checksum-algorithm", "CRC32")
            self.assertEqual(r["ETag"], '"%s"' % hashlib.md5(data).hexdigest())
            h = self.api("head-object", "--bucket", "awscli-api", "--key", "k/\u00fc x")
            self.assertEqual(h["ContentLength"], len(data))
            self.assertEqual(h["ContentType"], "application/x-test")
            self.assertEqual(h["Metadata"], {"colour": "blue"})
            out = os.path.join(tmp, "out")
            g = self.api("get-object", "--bucket", "awscli-api", "--key", "k/\u00fc x",
                         "--range", "bytes=10-", out)
            self.assertEqual(g["ContentRange"], "bytes 10-99999/100000")
            with open(out, "rb") as f:
                self.assertEqual(f.read(), data[10:])
            g = self.api("get-object", "--bucket", "awscli-api", "--key", "k/\u00fc x",
                         "--checksum-mode", "ENABLED", out)
            self.assertEqual(g["ChecksumCRC32"], base64.b64encode(
                zlib.crc32(data).to_bytes(4, "big")).decode())
            self.assertEqual(sha_file(out), hashlib.sha256(data).hexdigest())
            lst = self.api("list-objects-v2", "--bucket", "awscli-api", "--prefix", "k/")
            self.assertEqual([(o["Key"], o["Size"]) for o in lst["Contents"]],
                             [("k/\u00fc x", len(data))])
            t = self.api("get-object-tagging", "--bucket", "awscli-api", "--key", "k/\u00fc x")
            self.assertEqual(t["TagSet"], [])
            self.api("delete-object", "--bucket", "awscli-api", "--key", "k/\u00fc x")
            lst = self.api("list-objects-v2", "--bucket", "awscli-api")
            self.assertEqual(lst.get("KeyCount", 0), 0)
            r = self.aws("s3api", "head-object", "--bucket", "awscli-api", "--key", "k/\u00fc x",
                         check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(b"404", r.stderr)
        self.aws("s3", "rb", "s3://awscli-api")


if __name__ == "__main__":
    run_tests()
