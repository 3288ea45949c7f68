# SPDX-License-Identifier: Apache-2.0
"""holdfast user add/list/remove against the running server: new keys work with a real
client at once, removed keys stop working, only root may use the admin API, secrets are
never on disk in clear."""
import json
import os
import sys
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(__file__))
from harness import Server, run_holdfast  # noqa: E402


def client(s, ak, sk):
    return boto3.client("s3", endpoint_url=s.url, aws_access_key_id=ak,
                        aws_secret_access_key=sk, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}))


class UsersTest(unittest.TestCase):
    def cli(self, s, *args, ak=None, sk=None):
        env = {"HOLDFAST_ROOT_ACCESS_KEY": ak or s.access_key,
               "HOLDFAST_ROOT_SECRET_KEY": sk or s.secret_key,
               "HOLDFAST_ENDPOINT": s.url}
        return run_holdfast("user", *args, env=env)

    def test_add_use_list_remove(self):
        with Server() as s:
            r = self.cli(s, "add", "backup-1", "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            u = json.loads(r.stdout)
            self.assertEqual(u["user"], "backup-1")
            self.assertRegex(u["access_key"], r"^HF[A-Z0-9]{18}$")
            c = client(s, u["access_key"], u["secret_key"])
            c.create_bucket(Bucket="user-bkt")
            c.put_object(Bucket="user-bkt", Key="k", Body=b"data")
            self.assertEqual(c.get_object(Bucket="user-bkt", Key="k")["Body"].read(), b"data")

            r = self.cli(s, "add", "backup-1")
            self.assertEqual(r.returncode, 1)
            self.assertIn("exists", r.stderr)
            r = self.cli(s, "list")
            self.assertEqual(r.returncode, 0)
            self.assertIn("backup-1", r.stdout)
            self.assertIn(u["access_key"], r.stdout)
            self.assertNotIn(u["secret_key"], r.stdout)

            # the admin API is root's: the new user's keys are refused
            r = self.cli(s, "list", ak=u["access_key"], sk=u["secret_key"])
            self.assertEqual(r.returncode, 1)
            self.assertIn("root", r.stderr)

            r = self.cli(s, "remove", "backup-1")
            self.assertEqual(r.returncode, 0, r.stderr)
            with self.assertRaises(ClientError) as cm:
                c.list_buckets()
            self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidAccessKeyId")
            r = self.cli(s, "remove", "backup-1")
            self.assertEqual(r.returncode, 1)
            self.assertIn("no user", r.stderr)

            for root, _, files in os.walk(s.data_dir):
                for f in files:
                    with open(os.path.join(root, f), "rb") as fh:
                        self.assertNotIn(u["secret_key"].encode(), fh.read(), f)

    def test_users_survive_restart(self):
        s = Server().start()
        try:
            u = json.loads(self.cli(s, "add", "restic", "--json").stdout)
            self.assertEqual(s.stop(), 0)
            s2 = Server(data_dir=s.data_dir).start()
            try:
                client(s2, u["access_key"], u["secret_key"]).list_buckets()
            finally:
                self.assertEqual(s2.stop(), 0)
        finally:
            s.cleanup()

    def test_errors(self):
        with Server() as s:
            for bad in ["root", "a b", "x" * 64, "semi;colon"]:
                r = self.cli(s, "add", bad)
                self.assertEqual(r.returncode, 2 if bad != "root" else 1, (bad, r.stderr))
            r = self.cli(s, "list", sk="wrong-secret-000")
            self.assertEqual(r.returncode, 1)
            r = run_holdfast("user", "list", env={"HOLDFAST_ROOT_ACCESS_KEY": "",
                                                  "HOLDFAST_ENDPOINT": s.url})
            self.assertEqual(r.returncode, 1)
            self.assertIn("HOLDFAST_ROOT_ACCESS_KEY", r.stderr)
            r = run_holdfast("user", "frob")
            self.assertEqual(r.returncode, 2)
            r = self.cli(s, "list", "--endpoint", "http://127.0.0.1:1")
            self.assertEqual(r.returncode, 1)
            self.assertIn("connect", r.stderr.lower())


if __name__ == "__main__":
    unittest.main(verbosity=2)
