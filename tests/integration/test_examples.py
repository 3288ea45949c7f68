# SPDX-License-Identifier: Apache-2.0
"""The ready configurations and scripts in examples/ against a real server that runs with
examples/holdfast.json (--data-dir and --listen override it, as documented):

* `holdfast config check examples/holdfast.json` passes; the shell scripts parse (sh -n,
  shellcheck when installed); examples/README.md names every file of the folder;
* examples/worm-bucket.sh makes a COMPLIANCE bucket with a default retention of DAYS days
  (read back with boto3), a lock bucket without a default rule (Veeam), sets the rule of
  an existing lock bucket, refuses an existing bucket without Object Lock and bad
  arguments with a non-zero exit and a message;
* rclone with examples/rclone/rclone.conf (endpoint and keys substituted) copies a tree into
  the WORM bucket, one file as a multipart upload, sending Content-MD5 with every PUT and
  part; `rclone check` passes; `rclone mkdir` creates no bucket (no_check_bucket);
* examples/restic/backup.sh with examples/restic/env.sh initialises a repository in the
  WORM bucket, backs up, checks; run again, it only backs up; `restic check`, two
  snapshots, a restore byte-exact;
* s3cmd with examples/s3cmd/s3cfg puts and gets a file byte-exact;
* the AWS CLI with examples/awscli/config and credentials (AWS_CONFIG_FILE /
  AWS_SHARED_CREDENTIALS_FILE at substituted copies, no --endpoint-url) copies a file up
  and back;

and every object version the clients wrote carries the bucket's default retention
(HeadObject: COMPLIANCE, retain-until = write time + DAYS days). Those versions cannot be
deleted: the server's cleanup lifts their immutable inode flags before removing the temp
data dir.
"""
import datetime
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import boto3_client, run_holdfast  # noqa: E402
from s3client import (  # noqa: E402
    REGION, RecordingProxy, ServerCase, client_env, make_tree, require_tool, run, run_tests,
    sample_files, tree_digests)

EXAMPLES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                         "..", "..", "examples"))
BUCKET = "backups"          # the bucket name the examples use
DAYS = 3                    # default retention of the test's WORM bucket
SLACK_S = 120               # compliance clock vs the test's wall clock, request latency
UTC = datetime.timezone.utc
SCRIPTS = ["worm-bucket.sh", "restic/backup.sh", "restic/env.sh"]


def example(rel):
    return os.path.join(EXAMPLES, rel)


def now():
    return datetime.datetime.now(UTC)


class ExamplesTest(ServerCase):
    @classmethod
    def server_config(cls):
        with open(example("holdfast.json")) as f:
            return f.read()

    @classmethod
    def setUpClass(cls):
        require_tool("aws")  # worm-bucket.sh drives the AWS CLI
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="hf-examples-")
        cls.home = os.path.join(cls.tmp.name, "home")
        os.makedirs(cls.home)
        cls.s3 = boto3_client(cls.server)
        # the WORM bucket every client below writes into, made by the example script
        cls.worm_out = cls.worm_bucket(BUCKET, "COMPLIANCE", str(DAYS))

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()  # stops the server, clears immutable flags, removes
        finally:
            cls.tmp.cleanup()

    # ---- helpers ----

    @classmethod
    def worm_env(cls):
        return client_env(AWS_ACCESS_KEY_ID=cls.server.access_key,
                          AWS_SECRET_ACCESS_KEY=cls.server.secret_key,
                          AWS_DEFAULT_REGION=REGION, HOLDFAST_ENDPOINT=cls.server.url,
                          AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                          AWS_MAX_ATTEMPTS="1", HOME=cls.home)

    @classmethod
    def worm_bucket(cls, *args, check=True):
        r = run([example("worm-bucket.sh"), *args], env=cls.worm_env(), timeout=60,
                check=check)
        return r if not check else r.stdout.decode()

    def render(self, rel, name, port=None):
        """A copy of examples/@rel in the temp dir with the endpoint and the key
        placeholders replaced (nothing else changes); returns its path."""
        with open(example(rel)) as f:
            text = f.read()
        subst = {"127.0.0.1:9000": f"127.0.0.1:{port or self.server.port}",
                 "YOUR_ACCESS_KEY": self.server.access_key,
                 "YOUR_SECRET_KEY": self.server.secret_key}
        for old, new in subst.items():
            text = text.replace(old, new)
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def assert_placeholders(self, rel, names):
        with open(example(rel)) as f:
            text = f.read()
        for n in names:
            self.assertIn(n, text, f"{rel} lost its placeholder {n}")

    def assert_locked(self, key, since, until, body=None):
        """@key's current version in the WORM bucket has the default retention, counted
        from a write between @since and @until."""
        h = self.s3.head_object(Bucket=BUCKET, Key=key)
        self.assertEqual(h.get("ObjectLockMode"), "COMPLIANCE", key)
        got = h["ObjectLockRetainUntilDate"]
        lo = since + datetime.timedelta(days=DAYS, seconds=-SLACK_S)
        hi = until + datetime.timedelta(days=DAYS, seconds=SLACK_S)
        self.assertTrue(lo <= got <= hi, f"{key}: retain until {got}, want {lo}..{hi}")
        if body is not None:
            self.assertEqual(h["ContentLength"], len(body), key)

    # ---- the files themselves ----

    def test_config_check(self):
        r = run_holdfast("config", "check", example("holdfast.json"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ok", r.stdout)
        # and the server of this test runs with it (only data dir and port overridden)
        self.assertTrue(self.server.url.startswith("http://127.0.0.1:"))

    def test_scripts_parse_and_index(self):
        for rel in SCRIPTS:
            run(["sh", "-n", example(rel)])
            run(["bash", "-n", example(rel)])
        for rel in ["worm-bucket.sh", "restic/backup.sh"]:
            self.assertTrue(os.access(example(rel), os.X_OK), f"{rel} is not executable")
        if shutil.which("shellcheck"):
            run(["shellcheck", "-s", "sh", "-x", *[example(r) for r in SCRIPTS]],
                cwd=os.path.join(EXAMPLES, "restic"))
        with open(example("README.md")) as f:
            index = f.read()
        for d, _, files in os.walk(EXAMPLES):
            for f in files:
                rel = os.path.relpath(os.path.join(d, f), EXAMPLES)
                if rel != "README.md":
                    self.assertIn(f"]({rel})", index, f"examples/README.md misses {rel}")

    # ---- worm-bucket.sh ----

    def test_worm_bucket(self):
        s3 = self.s3
        self.assertIn(f"created bucket '{BUCKET}'", self.worm_out)
        self.assertIn(f"COMPLIANCE for {DAYS} day(s)", self.worm_out)
        cfg = s3.get_object_lock_configuration(Bucket=BUCKET)["ObjectLockConfiguration"]
        self.assertEqual(cfg, {"ObjectLockEnabled": "Enabled", "Rule": {
            "DefaultRetention": {"Mode": "COMPLIANCE", "Days": DAYS}}})
        self.assertEqual(s3.get_bucket_versioning(Bucket=BUCKET)["Status"], "Enabled")
        # the Veeam form: Object Lock, no default rule; then a rule set on the existing one
        out = self.worm_bucket("veeam-b")
        self.assertIn("no default retention", out)
        self.assertEqual(s3.get_object_lock_configuration(Bucket="veeam-b")
                         ["ObjectLockConfiguration"], {"ObjectLockEnabled": "Enabled"})
        out = self.worm_bucket("veeam-b", "governance", "2")
        self.assertIn("exists with Object Lock", out)
        self.assertEqual(s3.get_object_lock_configuration(Bucket="veeam-b")
                         ["ObjectLockConfiguration"]["Rule"],
                         {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}})
        # an existing bucket without Object Lock is refused and left as it was
        s3.create_bucket(Bucket="plain-b")
        r = self.worm_bucket("plain-b", "COMPLIANCE", "1", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"exists without Object Lock", r.stderr)
        self.assertNotIn("Status", s3.get_bucket_versioning(Bucket="plain-b"))
        # bad arguments: a non-zero exit and a message naming the problem, no request
        for args, want in [((), b"usage:"),
                           (("only-two", "COMPLIANCE"), b"usage:"),
                           (("a", "b", "c", "d"), b"usage:"),
                           (("Bad_Bucket", "COMPLIANCE", "3"), b"invalid bucket name"),
                           (("ab", "COMPLIANCE", "3"), b"invalid bucket name"),
                           (("x..y", "COMPLIANCE", "3"), b"invalid bucket name"),
                           (("bad-mode-b", "FOREVER", "3"), b"invalid mode"),
                           (("bad-days-b", "COMPLIANCE", "0"), b"invalid days"),
                           (("bad-days-b", "COMPLIANCE", "abc"), b"invalid days"),
                           (("bad-days-b", "COMPLIANCE", "-5"), b"invalid days"),
                           (("bad-days-b", "COMPLIANCE", "36501"), b"invalid days")]:
            r = self.worm_bucket(*args, check=False)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertIn(want, r.stderr, args)
        names = {b["Name"] for b in s3.list_buckets()["Buckets"]}
        self.assertFalse(names & {"only-two", "ab", "bad-mode-b", "bad-days-b"}, names)

    # ---- the clients, writing into the WORM bucket ----

    def test_rclone(self):
        require_tool("rclone")
        self.assert_placeholders("rclone/rclone.conf",
                                 ["127.0.0.1:9000", "YOUR_ACCESS_KEY", "YOUR_SECRET_KEY"])
        conf = self.render("rclone/rclone.conf", "rclone.conf")
        src = os.path.join(self.tmp.name, "rclone-src")
        files = sample_files(seed=11)
        files["big/six-mib.bin"] = os.urandom(6 * 1024 * 1024 + 3)  # multipart below
        written = make_tree(src, files)
        env = client_env(HOME=self.home)
        opts = ["--retries", "1", "--low-level-retries", "1", "--contimeout", "10s",
                "--timeout", "60s"]
        dest = f"holdfast:{BUCKET}/rclone"
        since = now()
        with RecordingProxy(self.server.port) as proxy:
            pconf = self.render("rclone/rclone.conf", "rclone-proxy.conf", port=proxy.port)
            run(["rclone", "--config", pconf, *opts, "--s3-upload-cutoff", "5Mi",
                 "--s3-chunk-size", "5Mi", "copy", src, dest], env=env)
            seen = proxy.requests()
        until = now()
        puts = [(t, h) for m, t, h in seen if m == "PUT" and t.startswith(f"/{BUCKET}/rclone/")]
        parts = [t for t, h in puts if "partNumber=" in t]
        self.assertEqual(len(parts), 2, "six MiB in 5 MiB chunks: two parts")
        self.assertEqual(len(puts), len(written) - 1 + len(parts))
        for t, h in puts:
            self.assertIn("content-md5", h, t)
        run(["rclone", "--config", conf, *opts, "check", src, dest], env=env)
        listed = run(["rclone", "--config", conf, *opts, "lsf", "-R", "--files-only", dest],
                     env=env).stdout.decode()
        self.assertEqual(sorted(listed.splitlines()), sorted(written))
        for rel in written:
            self.assert_locked("rclone/" + rel, since, until, files[rel])
        # no_check_bucket: rclone never makes a (lock-less) bucket
        run(["rclone", "--config", conf, *opts, "mkdir", "holdfast:rclone-made"], env=env)
        names = {b["Name"] for b in self.s3.list_buckets()["Buckets"]}
        self.assertNotIn("rclone-made", names)

    def test_restic(self):
        require_tool("restic")
        self.assert_placeholders("restic/env.sh",
                                 ["127.0.0.1:9000", "YOUR_ACCESS_KEY", "YOUR_SECRET_KEY",
                                  f"/{BUCKET}/restic"])
        envfile = self.render("restic/env.sh", "restic-env.sh")
        home = os.path.join(self.tmp.name, "restic-home")
        pwdir = os.path.join(home, ".config", "holdfast")
        os.makedirs(pwdir)
        with open(os.path.join(pwdir, "restic-password"), "w") as f:
            f.write("correct horse battery staple\n")
        env = client_env(HOME=home, HOLDFAST_RESTIC_ENV=envfile)
        src = os.path.join(self.tmp.name, "restic-src")
        written = make_tree(src, sample_files(seed=12))
        backup = example("restic/backup.sh")
        since = now()
        out = run([backup, src], env=env, timeout=180).stdout.decode()
        until = now()
        self.assertIn("initialising", out)
        self.assertIn("no errors were found", out)
        # the repository's files are locked by the bucket's default retention
        self.assert_locked("restic/config", since, until)
        # a second run finds the repository and only backs up
        with open(os.path.join(src, "one.txt"), "wb") as f:
            f.write(b"changed")
        written["one.txt"] = tree_digests(src)["one.txt"]
        out = run([backup, src], env=env, timeout=180).stdout.decode()
        self.assertNotIn("initialising", out)
        self.assertIn("using parent snapshot", out)
        # with env.sh sourced as documented: check, snapshots, restore
        dst = os.path.join(self.tmp.name, "restic-dst")
        sh = ('. "$HOLDFAST_RESTIC_ENV" && restic --quiet check && '
              'restic --quiet restore latest --target "$1" >&2 && restic snapshots --json')
        out = run(["sh", "-c", sh, "sh", dst], env=env, timeout=180).stdout
        snaps = json.loads(out)
        self.assertEqual(len(snaps), 2)
        self.assertTrue(all(s["paths"] == [src] for s in snaps), snaps)
        self.assertEqual(tree_digests(os.path.join(dst, src.lstrip("/"))), written)

    def test_s3cmd(self):
        require_tool("s3cmd")
        self.assert_placeholders("s3cmd/s3cfg",
                                 ["127.0.0.1:9000", "YOUR_ACCESS_KEY", "YOUR_SECRET_KEY"])
        cfg = self.render("s3cmd/s3cfg", "s3cfg")
        data = os.urandom(3 * 1024 * 1024 + 11)
        up, down = (os.path.join(self.tmp.name, n) for n in ("s3cmd-up", "s3cmd-down"))
        with open(up, "wb") as f:
            f.write(data)
        env = client_env(HOME=self.home)
        since = now()
        run(["s3cmd", "-c", cfg, "put", up, f"s3://{BUCKET}/s3cmd/backup.bin"], env=env)
        until = now()
        run(["s3cmd", "-c", cfg, "get", f"s3://{BUCKET}/s3cmd/backup.bin", down], env=env)
        with open(down, "rb") as f:
            self.assertEqual(f.read(), data)
        self.assert_locked("s3cmd/backup.bin", since, until, data)

    def test_awscli_profile(self):
        require_tool("aws")
        self.assert_placeholders("awscli/config", ["127.0.0.1:9000", "[profile holdfast]"])
        self.assert_placeholders("awscli/credentials", ["YOUR_ACCESS_KEY", "YOUR_SECRET_KEY"])
        env = client_env(AWS_CONFIG_FILE=self.render("awscli/config", "aws-config"),
                         AWS_SHARED_CREDENTIALS_FILE=self.render("awscli/credentials",
                                                                 "aws-credentials"),
                         AWS_MAX_ATTEMPTS="1", AWS_PAGER="", HOME=self.home)
        data = os.urandom(200 * 1024 + 5)
        up, down = (os.path.join(self.tmp.name, n) for n in ("aws-up", "aws-down"))
        with open(up, "wb") as f:
            f.write(data)
        key = f"s3://{BUCKET}/awscli/backup.bin"
        since = now()
        run(["aws", "--profile", "holdfast", "s3", "cp", up, key], env=env)
        until = now()
        run(["aws", "--profile", "holdfast", "s3", "cp", key, down], env=env)
        with open(down, "rb") as f:
            self.assertEqual(f.read(), data)
        self.assert_locked("awscli/backup.bin", since, until, data)


if __name__ == "__main__":
    run_tests()
