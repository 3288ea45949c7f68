# SPDX-License-Identifier: Apache-2.0
"""GetObjectAttributes with boto3: single-part and multipart objects, part paging, the
checksum forms, and its errors."""
import base64
import hashlib
import os
import sys
import unittest
import zlib

from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(__file__))
from harness import boto3_client  # noqa: E402
from s3client import ServerCase  # noqa: E402

ALL = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]


class AttributesTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = boto3_client(cls.server)
        cls.s3.create_bucket(Bucket="attrs")

    def test_single_part(self):
        body = os.urandom(1000)
        self.s3.put_object(Bucket="attrs", Key="one", Body=body)
        r = self.s3.get_object_attributes(Bucket="attrs", Key="one", ObjectAttributes=ALL)
        self.assertEqual(r["ETag"], hashlib.md5(body).hexdigest())  # unquoted
        self.assertEqual(r["ObjectSize"], 1000)
        self.assertEqual(r["StorageClass"], "STANDARD")
        crc = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
        self.assertEqual(r["Checksum"], {"ChecksumCRC32": crc, "ChecksumType": "FULL_OBJECT"})
        self.assertNotIn("ObjectParts", r)
        self.assertIn("LastModified", r)

    def test_multipart_parts_paging(self):
        key, part = "multi", 5 * 1024 * 1024
        u = self.s3.create_multipart_upload(Bucket="attrs", Key=key)["UploadId"]
        sizes = [part, part, 1234]
        parts = []
        for i, n in enumerate(sizes, 1):
            e = self.s3.upload_part(Bucket="attrs", Key=key, UploadId=u, PartNumber=i,
                                    Body=os.urandom(n))["ETag"]
            parts.append({"PartNumber": i, "ETag": e})
        self.s3.complete_multipart_upload(Bucket="attrs", Key=key, UploadId=u,
                                          MultipartUpload={"Parts": parts})
        r = self.s3.get_object_attributes(Bucket="attrs", Key=key, ObjectAttributes=ALL,
                                          MaxParts=2)
        self.assertTrue(r["ETag"].endswith("-3"))
        op = r["ObjectParts"]
        self.assertEqual(op["TotalPartsCount"], 3)
        self.assertTrue(op["IsTruncated"])
        self.assertEqual([p["Size"] for p in op["Parts"]], sizes[:2])
        r = self.s3.get_object_attributes(Bucket="attrs", Key=key, ObjectAttributes=ALL,
                                          MaxParts=2,
                                          PartNumberMarker=op["NextPartNumberMarker"])
        self.assertFalse(r["ObjectParts"]["IsTruncated"])
        self.assertEqual([p["PartNumber"] for p in r["ObjectParts"]["Parts"]], [3])
        self.assertEqual(r["ObjectSize"], sum(sizes))

    def test_multipart_part_checksums(self):
        """A COMPOSITE object lists each part's checksum under ObjectParts (AWS: as
        ListParts did), the object value with its "-N"; a FULL_OBJECT one lists sizes only
        and reports the whole-object CRC."""
        part = 5 * 1024 * 1024
        bodies = [os.urandom(part), os.urandom(part), os.urandom(777)]
        for key, alg, ctype in (("comp-sha256", "SHA256", "COMPOSITE"),
                                ("comp-crc32", "CRC32", "COMPOSITE"),
                                ("full-crc32", "CRC32", "FULL_OBJECT")):
            u = self.s3.create_multipart_upload(Bucket="attrs", Key=key, ChecksumAlgorithm=alg,
                                                ChecksumType=ctype)["UploadId"]
            parts, raw = [], []
            for i, body in enumerate(bodies, 1):
                r = self.s3.upload_part(Bucket="attrs", Key=key, UploadId=u, PartNumber=i,
                                        Body=body, ChecksumAlgorithm=alg)
                raw.append(base64.b64decode(r["Checksum" + alg]))
                parts.append({"PartNumber": i, "ETag": r["ETag"],
                              "Checksum" + alg: r["Checksum" + alg]})
            done = self.s3.complete_multipart_upload(Bucket="attrs", Key=key, UploadId=u,
                                                     MultipartUpload={"Parts": parts})
            r = self.s3.get_object_attributes(Bucket="attrs", Key=key, ObjectAttributes=ALL,
                                              MaxParts=2)
            self.assertEqual(r["Checksum"]["ChecksumType"], ctype)
            self.assertEqual(r["Checksum"]["Checksum" + alg], done["Checksum" + alg])
            op = r["ObjectParts"]
            self.assertEqual(op["TotalPartsCount"], 3)
            self.assertEqual([p["Size"] for p in op["Parts"]], [part, part])
            if ctype == "COMPOSITE":
                want = [base64.b64encode(d).decode() for d in raw]
                self.assertEqual([p["Checksum" + alg] for p in op["Parts"]], want[:2], key)
                r = self.s3.get_object_attributes(
                    Bucket="attrs", Key=key, ObjectAttributes=["ObjectParts"],
                    PartNumberMarker=2)
                self.assertEqual([p["Checksum" + alg] for p in r["ObjectParts"]["Parts"]],
                                 want[2:])
                self.assertNotIn("Checksum", r)
            else:
                for p in op["Parts"]:
                    self.assertEqual(sorted(p), ["PartNumber", "Size"], key)

    def test_errors(self):
        self.s3.put_object(Bucket="attrs", Key="e", Body=b"x")
        with self.assertRaises(ClientError) as cm:
            self.s3.get_object_attributes(Bucket="attrs", Key="nope", ObjectAttributes=ALL)
        self.assertEqual(cm.exception.response["Error"]["Code"], "NoSuchKey")
        with self.assertRaises(ClientError) as cm:
            self.s3.get_object_attributes(Bucket="attrs", Key="e", ObjectAttributes=["Colour"])
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidArgument")
        with self.assertRaises(ClientError) as cm:
            self.s3.get_object_attributes(Bucket="attrs", Key="e", ObjectAttributes=[])
        self.assertIn(cm.exception.response["Error"]["Code"], ("InvalidRequest",))


if __name__ == "__main__":
    unittest.main(verbosity=2)
