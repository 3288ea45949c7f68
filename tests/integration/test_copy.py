# SPDX-License-Identifier: Apache-2.0
"""CopyObject and UploadPartCopy with boto3: byte-exact copies of inline, blob and
multipart sources, COPY/REPLACE metadata, the self-copy rule, conditions, ranges, and
their errors."""
import hashlib
import os
import sys
import unittest

from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(__file__))
from harness import boto3_client  # noqa: E402
from s3client import ServerCase  # noqa: E402

B = "copies"
MIB = 1024 * 1024


def code(e):
    return e.response["Error"]["Code"]


class CopyTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = boto3_client(cls.server)
        cls.s3.create_bucket(Bucket=B)

    def body(self, key):
        return self.s3.get_object(Bucket=B, Key=key)["Body"].read()

    def test_copy_object_kinds(self):
        small, big = os.urandom(100), os.urandom(200000)
        self.s3.put_object(Bucket=B, Key="small", Body=small, Metadata={"a": "1"},
                           ContentType="text/x-a")
        self.s3.put_object(Bucket=B, Key="big", Body=big)
        for src, data in (("small", small), ("big", big)):
            r = self.s3.copy_object(Bucket=B, Key=src + "-copy", CopySource=f"{B}/{src}")
            self.assertEqual(r["CopyObjectResult"]["ETag"], f'"{hashlib.md5(data).hexdigest()}"')
            self.assertEqual(self.body(src + "-copy"), data)
        h = self.s3.head_object(Bucket=B, Key="small-copy")
        self.assertEqual((h["Metadata"], h["ContentType"]), ({"a": "1"}, "text/x-a"))
        # the copy survives its source
        self.s3.delete_object(Bucket=B, Key="big")
        self.assertEqual(self.body("big-copy"), big)

    def test_copy_of_multipart_is_single_part(self):
        parts = [os.urandom(5 * MIB), os.urandom(1000)]
        u = self.s3.create_multipart_upload(Bucket=B, Key="mp")["UploadId"]
        listed = [{"PartNumber": i, "ETag": self.s3.upload_part(
            Bucket=B, Key="mp", UploadId=u, PartNumber=i, Body=p)["ETag"]}
            for i, p in enumerate(parts, 1)]
        self.s3.complete_multipart_upload(Bucket=B, Key="mp", UploadId=u,
                                          MultipartUpload={"Parts": listed})
        data = b"".join(parts)
        r = self.s3.copy_object(Bucket=B, Key="mp-copy", CopySource=f"{B}/mp")
        self.assertEqual(r["CopyObjectResult"]["ETag"], f'"{hashlib.md5(data).hexdigest()}"')
        self.assertEqual(self.body("mp-copy"), data)
        g = self.s3.get_object(Bucket=B, Key="mp-copy", PartNumber=1)
        self.assertNotIn("PartsCount", g)  # a copy is one part to the client
        self.assertEqual(g["Body"].read(), data)

    def test_replace_and_self_copy(self):
        self.s3.put_object(Bucket=B, Key="self", Body=b"x", Metadata={"old": "1"})
        with self.assertRaises(ClientError) as cm:
            self.s3.copy_object(Bucket=B, Key="self", CopySource=f"{B}/self")
        self.assertEqual(code(cm.exception), "InvalidRequest")
        self.s3.copy_object(Bucket=B, Key="self", CopySource=f"{B}/self",
                            MetadataDirective="REPLACE", Metadata={"new": "2"})
        self.assertEqual(self.s3.head_object(Bucket=B, Key="self")["Metadata"], {"new": "2"})
        with self.assertRaises(ClientError) as cm:
            self.s3.copy_object(Bucket=B, Key="o", CopySource=f"{B}/self",
                                MetadataDirective="MERGE")
        self.assertEqual(code(cm.exception), "InvalidArgument")

    def test_conditions_and_missing_source(self):
        etag = self.s3.put_object(Bucket=B, Key="c", Body=b"c")["ETag"]
        with self.assertRaises(ClientError) as cm:
            self.s3.copy_object(Bucket=B, Key="c2", CopySource=f"{B}/c",
                                CopySourceIfMatch='"nope"')
        self.assertEqual(code(cm.exception), "PreconditionFailed")
        with self.assertRaises(ClientError) as cm:
            self.s3.copy_object(Bucket=B, Key="c2", CopySource=f"{B}/c",
                                CopySourceIfNoneMatch=etag)
        self.assertEqual(code(cm.exception), "PreconditionFailed")
        self.s3.copy_object(Bucket=B, Key="c2", CopySource=f"{B}/c", CopySourceIfMatch=etag)
        for src, want in ((f"{B}/absent", "NoSuchKey"), ("no-such-bucket/k", "NoSuchBucket")):
            with self.assertRaises(ClientError) as cm:
                self.s3.copy_object(Bucket=B, Key="x", CopySource=src)
            self.assertEqual(code(cm.exception), want)
        with self.assertRaises(ClientError):
            self.s3.head_object(Bucket=B, Key="x")

    def test_upload_part_copy(self):
        src = os.urandom(6 * MIB)
        self.s3.put_object(Bucket=B, Key="psrc", Body=src)
        u = self.s3.create_multipart_upload(Bucket=B, Key="pdst")["UploadId"]
        p1 = self.s3.upload_part_copy(Bucket=B, Key="pdst", UploadId=u, PartNumber=1,
                                      CopySource=f"{B}/psrc",
                                      CopySourceRange=f"bytes=0-{5 * MIB - 1}")
        p2 = self.s3.upload_part_copy(Bucket=B, Key="pdst", UploadId=u, PartNumber=2,
                                      CopySource=f"{B}/psrc",
                                      CopySourceRange=f"bytes={5 * MIB}-{6 * MIB - 1}")
        self.assertEqual(p1["CopyPartResult"]["ETag"],
                         f'"{hashlib.md5(src[:5 * MIB]).hexdigest()}"')
        with self.assertRaises(ClientError) as cm:
            self.s3.upload_part_copy(Bucket=B, Key="pdst", UploadId=u, PartNumber=3,
                                     CopySource=f"{B}/psrc",
                                     CopySourceRange=f"bytes=0-{6 * MIB}")
        self.assertEqual(code(cm.exception), "InvalidRange")
        for pn, uid, want in ((0, u, "InvalidArgument"), (1, "x" * 32, "NoSuchUpload")):
            with self.assertRaises(ClientError) as cm:
                self.s3.upload_part_copy(Bucket=B, Key="pdst", UploadId=uid, PartNumber=pn,
                                         CopySource=f"{B}/psrc")
            self.assertEqual(code(cm.exception), want)
        self.s3.complete_multipart_upload(Bucket=B, Key="pdst", UploadId=u, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": p1["CopyPartResult"]["ETag"]},
                      {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]}]})
        self.assertEqual(self.body("pdst"), src)


if __name__ == "__main__":
    unittest.main(verbosity=2)
