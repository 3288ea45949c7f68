# SPDX-License-Identifier: Apache-2.0
"""Conditional deletes with boto3: DeleteObject If-Match / x-amz-if-match-size and
DeleteObjects entries with ETag and Size; a missing object is not an error."""
import os
import sys
import unittest

from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(__file__))
from harness import boto3_client  # noqa: E402
from s3client import ServerCase  # noqa: E402


class ConditionalDeleteTest(ServerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = boto3_client(cls.server)
        cls.s3.create_bucket(Bucket="cond")

    def exists(self, key):
        try:
            self.s3.head_object(Bucket="cond", Key=key)
            return True
        except ClientError:
            return False

    def test_delete_object_if_match(self):
        etag = self.s3.put_object(Bucket="cond", Key="a", Body=b"abc")["ETag"]
        with self.assertRaises(ClientError) as cm:
            self.s3.delete_object(Bucket="cond", Key="a", IfMatch='"0123"')
        self.assertEqual(cm.exception.response["Error"]["Code"], "PreconditionFailed")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 412)
        self.assertTrue(self.exists("a"))
        with self.assertRaises(ClientError) as cm:
            self.s3.delete_object(Bucket="cond", Key="a", IfMatchSize=4)
        self.assertEqual(cm.exception.response["Error"]["Code"], "PreconditionFailed")
        self.s3.delete_object(Bucket="cond", Key="a", IfMatch=etag, IfMatchSize=3)
        self.assertFalse(self.exists("a"))
        # nothing to delete: no error, whatever the condition
        r = self.s3.delete_object(Bucket="cond", Key="a", IfMatch='"0123"')
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.s3.put_object(Bucket="cond", Key="a", Body=b"x")
        self.s3.delete_object(Bucket="cond", Key="a", IfMatch="*")
        self.assertFalse(self.exists("a"))

    def test_delete_objects_entries(self):
        e1 = self.s3.put_object(Bucket="cond", Key="k1", Body=b"1")["ETag"]
        self.s3.put_object(Bucket="cond", Key="k2", Body=b"22")
        r = self.s3.delete_objects(Bucket="cond", Delete={"Objects": [
            {"Key": "k1", "ETag": e1}, {"Key": "k2", "ETag": '"bad"'},
            {"Key": "k2", "Size": 5}]})
        self.assertEqual([d["Key"] for d in r["Deleted"]], ["k1"])
        self.assertEqual([(e["Key"], e["Code"]) for e in r["Errors"]],
                         [("k2", "PreconditionFailed"), ("k2", "PreconditionFailed")])
        self.assertFalse(self.exists("k1"))
        self.assertTrue(self.exists("k2"))
        r = self.s3.delete_objects(Bucket="cond", Delete={"Objects": [{"Key": "k2", "Size": 2}]})
        self.assertEqual([d["Key"] for d in r["Deleted"]], ["k2"])
        self.assertFalse(self.exists("k2"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
