# SPDX-License-Identifier: Apache-2.0
"""curl --aws-sigv4 "aws:amz:us-east-1:s3" --user AK:SK: CreateBucket, PUT and GET round
trips compared by SHA-256 (with curl's own behaviour of sending no x-amz-content-sha256, and
with the header supplied as AWS documents), ListBuckets, a ranged GET, DELETE, and a wrong
secret refused."""
import hashlib
import os
import sys
import tempfile
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from s3client import NS, ServerCase, client_env, require_tool, run, run_tests  # noqa: E402


def sha_file(p):
    with open(p, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class CurlTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        require_tool("curl")
        super().setUpClass()

    def curl(self, *args, secret=None, check=True):
        r = run(["curl", "-sS", "--max-time", "60", "--aws-sigv4", "aws:amz:us-east-1:s3",
                 "--user", f"{self.server.access_key}:{secret or self.server.secret_key}",
                 "-w", "\n%{http_code}", *args], env=client_env(), check=check)
        body, _, code = r.stdout.rpartition(b"\n")
        return int(code), body

    def url(self, path):
        return self.server.url + path

    def test_round_trip(self):
        code, _ = self.curl("-X", "PUT", self.url("/curl-b"))
        self.assertEqual(code, 200)
        with tempfile.TemporaryDirectory() as tmp:
            src, dst = os.path.join(tmp, "src"), os.path.join(tmp, "dst")
            data = os.urandom(300000)
            with open(src, "wb") as f:
                f.write(data)
            key = "/curl-b/" + urllib.parse.quote("dir/a b+c\u00fc.bin", safe="/")
            # as curl sends it: no x-amz-content-sha256 (accepted as UNSIGNED-PAYLOAD)
            code, _ = self.curl("-T", src, self.url(key))
            self.assertEqual(code, 200)
            code, _ = self.curl("-o", dst, self.url(key))
            self.assertEqual(code, 200)
            self.assertEqual(sha_file(dst), hashlib.sha256(data).hexdigest())
            # with the payload hash supplied, as AWS requires: curl signs that value
            code, _ = self.curl("-T", src, "-H",
                                f"x-amz-content-sha256: {hashlib.sha256(data).hexdigest()}",
                                self.url("/curl-b/hashed"))
            self.assertEqual(code, 200)
            code, _ = self.curl("-o", dst, "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                                self.url("/curl-b/hashed"))
            self.assertEqual(code, 200)
            self.assertEqual(sha_file(dst), hashlib.sha256(data).hexdigest())
            # ... and a wrong hash is caught
            code, body = self.curl("-T", src, "-H", "x-amz-content-sha256: " + "0" * 64,
                                   self.url("/curl-b/wrong-hash"))
            self.assertEqual(code, 400)
            self.assertIn(b"<Code>XAmzContentSHA256Mismatch</Code>", body)
            code, body = self.curl("-r", "100-199", self.url(key))
            self.assertEqual((code, body), (206, data[100:200]))
        # ListBuckets and a listing
        code, body = self.curl(self.url("/"))
        self.assertEqual(code, 200)
        names = [b.find(NS + "Name").text for b in ET.fromstring(body).iter(NS + "Bucket")]
        self.assertIn("curl-b", names)
        code, body = self.curl(self.url("/curl-b?list-type=2&prefix=dir%2F"))
        self.assertEqual(code, 200)
        keys = [c.find(NS + "Key").text for c in ET.fromstring(body).iter(NS + "Contents")]
        self.assertEqual(keys, ["dir/a b+c\u00fc.bin"])
        # wrong secret
        code, body = self.curl(self.url("/"), secret="not-the-secret")
        self.assertEqual(code, 403)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", body)
        # delete
        code, _ = self.curl("-X", "DELETE", self.url(key))
        self.assertEqual(code, 204)
        code, body = self.curl(self.url(key))
        self.assertEqual(code, 404)
        self.assertIn(b"<Code>NoSuchKey</Code>", body)


if __name__ == "__main__":
    run_tests()
