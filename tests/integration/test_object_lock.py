# SPDX-License-Identifier: Apache-2.0
"""Versioning and S3 Object Lock end to end (spec §4.6, §4.7, §5.3, §5.4, §6, §8, §11.1),
with boto3 and a few awscli `s3api` calls against the real server, every error asserted as
HTTP status + S3 error Code:

* Put/GetBucketVersioning (Suspended refused on lock buckets), CreateBucket with
  ObjectLockEnabledForBucket, Put/GetObjectLockConfiguration and its validation table;
* default retention stamped at write time on PutObject, CopyObject and
  CompleteMultipartUpload (at Complete time), also for a legal-hold-only request;
* the lock headers on PutObject (§8.3 rows 1-7), CreateMultipartUpload and CopyObject, and
  their report on GET/HEAD;
* Put/GetObjectRetention with the whole §8.4 transition matrix (with and without
  x-amz-bypass-governance-retention), Put/GetObjectLegalHold and their errors;
* what a lock blocks and what it does not (§8.7): overwrites and delete markers are allowed,
  a permanent delete of a locked version is refused (403 AccessDenied; GOVERNANCE yields to
  the root user's bypass, never to a non-root user's, COMPLIANCE and legal hold to nobody),
  per-key AccessDenied in DeleteObjects, BucketNotEmpty; after each refusal the version is
  still readable byte-exact; retention that expires stops protecting;
* a Veeam-style repository (§11.1): no default rule, COMPLIANCE per object with
  Content-MD5 or a checksum, retention extension without VersionId, new versions over
  locked keys, DeleteObjects batches of 1000 keys.

Retention dates are whole seconds so that the round trip through the server's millisecond
precision compares equal. Locked blobs may carry the immutable inode flag (the server runs
as root here): the flag is cleared before the temp data dir is removed.
"""
import base64
import datetime
import hashlib
import json
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError

sys.path.insert(0, os.path.dirname(__file__))
from harness import boto3_client, run_holdfast  # noqa: E402
from s3client import (  # noqa: E402
    REGION, ServerCase, client_env, key_path, md5_b64, require_tool, run, run_tests)

UTC = datetime.timezone.utc
DAY = 86400
LOCK_DENIED = "Access Denied because object protected by object lock."
S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

def now():
    return datetime.datetime.now(UTC)


def future(seconds):
    """A whole-second instant @seconds from now (UTC, tz-aware)."""
    return now().replace(microsecond=0) + datetime.timedelta(seconds=seconds)


def iso(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def status(e):
    return e.response["ResponseMetadata"]["HTTPStatusCode"]


def code(e):
    return e.response["Error"]["Code"]


def lock_config_xml(enabled="Enabled", rule=None, ns=True):
    x = '<ObjectLockConfiguration xmlns="%s">' % S3_XMLNS if ns else "<ObjectLockConfiguration>"
    if enabled is not None:
        x += f"<ObjectLockEnabled>{enabled}</ObjectLockEnabled>"
    if rule is not None:
        x += rule
    return (x + "</ObjectLockConfiguration>").encode()


class LockCase(ServerCase):
    """ServerCase plus helpers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = boto3_client(cls.server)

    @classmethod
    def tearDownClass(cls):
        s = cls.server
        try:
            rc = s.stop()
        finally:
            s.cleanup()  # lifts the immutable flags of locked blobs first
        if rc != 0:
            raise AssertionError(f"holdfast exited {rc} at SIGTERM; stderr tail:\n"
                                 + "\n".join(s.stderr_lines[-60:]))

    # ---- assertions ----

    def fails(self, want_status, want_code, fn, *args, **kw):
        """Call a boto3 method that must fail with @want_status / @want_code."""
        with self.assertRaises(ClientError, msg=f"{fn.__name__} {kw} did not fail") as cm:
            fn(*args, **kw)
        self.assertEqual((status(cm.exception), code(cm.exception)),
                         (want_status, want_code), f"{fn.__name__} {kw}")
        return cm.exception.response

    def denied(self, fn, *args, **kw):
        """A lock refusal: 403 AccessDenied."""
        return self.fails(403, "AccessDenied", fn, *args, **kw)

    def raw_fails(self, r, want_status, want_code):
        self.assertEqual(r.status, want_status, r.body[:500])
        self.assertEqual(r.error()["Code"], want_code, r.body[:500])
        return r.error()

    def assert_body(self, bucket, key, vid, data):
        got = self.s3.get_object(Bucket=bucket, Key=key, VersionId=vid)
        self.assertEqual(got["VersionId"], vid)
        self.assertEqual(got["Body"].read(), data, f"{bucket}/{key}@{vid} changed")

    def assert_gone(self, bucket, key, vid):
        self.fails(404, "NoSuchVersion", self.s3.get_object, Bucket=bucket, Key=key,
                   VersionId=vid)

    def retention(self, bucket, key, vid=None):
        kw = {"VersionId": vid} if vid else {}
        r = self.s3.get_object_retention(Bucket=bucket, Key=key, **kw)["Retention"]
        return r.get("Mode"), r.get("RetainUntilDate")

    def assert_retention(self, bucket, key, vid, mode, until):
        self.assertEqual(self.retention(bucket, key, vid), (mode, until))

    # ---- writes ----

    def lock_bucket(self, name, rule=None):
        self.s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
        if rule:
            self.s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": rule}})

    def put(self, bucket, key, data, mode=None, until=None, hold=None, **kw):
        if mode:
            kw["ObjectLockMode"] = mode
        if until:
            kw["ObjectLockRetainUntilDate"] = until
        if hold:
            kw["ObjectLockLegalHoldStatus"] = hold
        r = self.s3.put_object(Bucket=bucket, Key=key, Body=data, **kw)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertTrue(r.get("VersionId"), "a versioned PUT returns x-amz-version-id")
        return r["VersionId"]

    def raw_put_sub(self, bucket, key, sub, body, md5=True, unsigned=False, headers=None,
                    query=()):
        """PUT ?@sub with an XML @body by hand (Content-MD5 unless @md5 is false;
        UNSIGNED-PAYLOAD when @unsigned, so that no integrity proof is left)."""
        h = dict(headers or {})
        if md5:
            h["Content-MD5"] = md5_b64(body)
        return self.raw.request("PUT", key_path(bucket, key), query=[(sub, "")] + list(query),
                                headers=h, body=body,
                                payload_hash="UNSIGNED-PAYLOAD" if unsigned else None)


# ---- versioning and bucket configuration ----------------------------------------------------

class VersioningAndConfigTest(LockCase):
    def test_versioning_states(self):
        s3 = self.s3
        s3.create_bucket(Bucket="ver-plain")
        self.assertNotIn("Status", s3.get_bucket_versioning(Bucket="ver-plain"))
        s3.put_bucket_versioning(Bucket="ver-plain", VersioningConfiguration={"Status": "Enabled"})
        self.assertEqual(s3.get_bucket_versioning(Bucket="ver-plain")["Status"], "Enabled")
        s3.put_bucket_versioning(Bucket="ver-plain",
                                 VersioningConfiguration={"Status": "Suspended"})
        self.assertEqual(s3.get_bucket_versioning(Bucket="ver-plain")["Status"], "Suspended")
        s3.put_bucket_versioning(Bucket="ver-plain", VersioningConfiguration={"Status": "Enabled"})
        self.assertEqual(s3.get_bucket_versioning(Bucket="ver-plain")["Status"], "Enabled")
        self.fails(400, "MalformedXML", s3.put_bucket_versioning, Bucket="ver-plain",
                   VersioningConfiguration={"Status": "Bogus"})
        self.fails(501, "NotImplemented", s3.put_bucket_versioning, Bucket="ver-plain",
                   VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"})
        self.fails(404, "NoSuchBucket", s3.get_bucket_versioning, Bucket="ver-none")
        self.assertEqual(s3.get_bucket_versioning(Bucket="ver-plain")["Status"], "Enabled")

    def test_lock_bucket_is_pinned_to_enabled(self):
        s3 = self.s3
        r = s3.create_bucket(Bucket="ver-lock", ObjectLockEnabledForBucket=True)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(s3.get_bucket_versioning(Bucket="ver-lock")["Status"], "Enabled")
        cfg = s3.get_object_lock_configuration(Bucket="ver-lock")["ObjectLockConfiguration"]
        self.assertEqual(cfg, {"ObjectLockEnabled": "Enabled"}, "no default rule at creation")
        self.fails(409, "InvalidBucketState", s3.put_bucket_versioning, Bucket="ver-lock",
                   VersioningConfiguration={"Status": "Suspended"})
        r = s3.put_bucket_versioning(Bucket="ver-lock",
                                     VersioningConfiguration={"Status": "Enabled"})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(s3.get_bucket_versioning(Bucket="ver-lock")["Status"], "Enabled")
        # a PUT gets a version id at once
        self.assertTrue(self.put("ver-lock", "k", b"v"))

    def test_create_bucket_lock_header_values(self):
        r = self.raw.request("PUT", "/hdr-upper",
                             headers={"x-amz-bucket-object-lock-enabled": "TRUE"})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.s3.get_object_lock_configuration(Bucket="hdr-upper")
                         ["ObjectLockConfiguration"]["ObjectLockEnabled"], "Enabled")
        r = self.raw.request("PUT", "/hdr-false",
                             headers={"x-amz-bucket-object-lock-enabled": "false"})
        self.assertEqual(r.status, 200, r.body)
        self.fails(404, "ObjectLockConfigurationNotFoundError",
                   self.s3.get_object_lock_configuration, Bucket="hdr-false")
        self.assertNotIn("Status", self.s3.get_bucket_versioning(Bucket="hdr-false"))
        r = self.raw.request("PUT", "/hdr-maybe",
                             headers={"x-amz-bucket-object-lock-enabled": "maybe"})
        self.raw_fails(r, 400, "InvalidArgument")
        with self.assertRaises(ClientError) as cm:
            self.s3.head_bucket(Bucket="hdr-maybe")
        self.assertEqual(status(cm.exception), 404, "a refused CreateBucket creates nothing")

    def test_get_lock_configuration_errors(self):
        self.s3.create_bucket(Bucket="cfg-nolock")
        self.fails(404, "ObjectLockConfigurationNotFoundError",
                   self.s3.get_object_lock_configuration, Bucket="cfg-nolock")
        self.fails(404, "NoSuchBucket", self.s3.get_object_lock_configuration,
                   Bucket="cfg-missing")
        self.fails(404, "NoSuchBucket", self.s3.put_object_lock_configuration,
                   Bucket="cfg-missing", ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})

    def test_lock_configuration_validation(self):
        s3, b = self.s3, "cfg-valid"
        self.lock_bucket(b, {"Mode": "GOVERNANCE", "Days": 7})
        before = s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"]
        self.assertEqual(before["Rule"]["DefaultRetention"], {"Mode": "GOVERNANCE", "Days": 7})

        def bad(cfg, want_code, arg=None):
            r = self.fails(400, want_code, s3.put_object_lock_configuration, Bucket=b,
                           ObjectLockConfiguration=cfg)
            if arg:
                self.assertEqual(r["Error"].get("ArgumentName"), arg, cfg)
            self.assertEqual(s3.get_object_lock_configuration(Bucket=b)
                             ["ObjectLockConfiguration"], before, f"{cfg} changed the config")

        def rule(**dr):
            return {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": dr}}

        # ObjectLockEnabled must be exactly "Enabled": lock can never be disabled
        bad({"Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}, "MalformedXML")
        bad({"ObjectLockEnabled": "Disabled"}, "MalformedXML")
        bad({"ObjectLockEnabled": "enabled"}, "MalformedXML")
        # Rule without DefaultRetention, DefaultRetention without Mode
        bad({"ObjectLockEnabled": "Enabled", "Rule": {}}, "MalformedXML")
        bad(rule(Days=1), "MalformedXML")
        # Mode is case-sensitive
        bad(rule(Mode="governance", Days=1), "MalformedXML")
        bad(rule(Mode="FOREVER", Days=1), "MalformedXML")
        # exactly one of Days / Years
        bad(rule(Mode="GOVERNANCE", Days=1, Years=1), "MalformedXML")
        bad(rule(Mode="GOVERNANCE"), "MalformedXML")
        # the period must be positive and not too large
        bad(rule(Mode="GOVERNANCE", Days=0), "InvalidArgument", "Days")
        bad(rule(Mode="COMPLIANCE", Days=-1), "InvalidArgument", "Days")
        bad(rule(Mode="GOVERNANCE", Years=0), "InvalidArgument", "Years")
        bad(rule(Mode="GOVERNANCE", Years=-5), "InvalidArgument", "Years")
        bad(rule(Mode="GOVERNANCE", Days=36501), "InvalidArgument")
        bad(rule(Mode="GOVERNANCE", Years=101), "InvalidArgument")
        # hand-made bodies: empty, not XML, wrong root, no integrity proof
        self.raw_fails(self.raw_put_sub(b, None, "object-lock", b""), 400,
                       "MissingRequestBodyError")
        self.raw_fails(self.raw_put_sub(b, None, "object-lock", b"<ObjectLockConfiguration>"),
                       400, "MalformedXML")
        self.raw_fails(self.raw_put_sub(b, None, "object-lock",
                                        b"<VersioningConfiguration><Status>Enabled</Status>"
                                        b"</VersioningConfiguration>"), 400, "MalformedXML")
        self.raw_fails(self.raw_put_sub(b, None, "object-lock", lock_config_xml(),
                                        md5=False, unsigned=True), 400, "InvalidRequest")
        self.assertEqual(s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"],
                         before)
        # the limits themselves are accepted; a namespace-less body too
        for dr in ({"Mode": "GOVERNANCE", "Days": 36500}, {"Mode": "COMPLIANCE", "Years": 100},
                   {"Mode": "COMPLIANCE", "Days": 1}):
            s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration=rule(**dr))
            self.assertEqual(s3.get_object_lock_configuration(Bucket=b)
                             ["ObjectLockConfiguration"]["Rule"]["DefaultRetention"], dr)
        r = self.raw_put_sub(b, None, "object-lock", lock_config_xml(
            rule="<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Years>2</Years>"
                 "</DefaultRetention></Rule>", ns=False))
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"]
                         ["Rule"]["DefaultRetention"], {"Mode": "GOVERNANCE", "Years": 2})

    def test_rule_removed_when_absent(self):
        s3, b = self.s3, "cfg-remove"
        self.lock_bucket(b, {"Mode": "GOVERNANCE", "Days": 1})
        v1 = self.put(b, "k", b"one")
        self.assertEqual(self.retention(b, "k", v1)[0], "GOVERNANCE")
        s3.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled"})
        self.assertEqual(s3.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"],
                         {"ObjectLockEnabled": "Enabled"})
        v2 = self.put(b, "k", b"two")
        self.fails(404, "NoSuchObjectLockConfiguration", s3.get_object_retention, Bucket=b,
                   Key="k", VersionId=v2)
        # a rule change affects only versions written afterwards
        self.assertEqual(self.retention(b, "k", v1)[0], "GOVERNANCE")
        self.denied(s3.delete_object, Bucket=b, Key="k", VersionId=v1)
        s3.delete_object(Bucket=b, Key="k", VersionId=v2)
        self.assert_gone(b, "k", v2)
        self.assert_body(b, "k", v1, b"one")

    def test_enable_lock_on_existing_bucket(self):
        s3 = self.s3
        cfg = {"ObjectLockEnabled": "Enabled"}
        s3.create_bucket(Bucket="en-unversioned")
        self.fails(409, "InvalidBucketState", s3.put_object_lock_configuration,
                   Bucket="en-unversioned", ObjectLockConfiguration=cfg)
        self.fails(404, "ObjectLockConfigurationNotFoundError",
                   s3.get_object_lock_configuration, Bucket="en-unversioned")
        s3.create_bucket(Bucket="en-suspended")
        s3.put_bucket_versioning(Bucket="en-suspended",
                                 VersioningConfiguration={"Status": "Suspended"})
        self.fails(409, "InvalidBucketState", s3.put_object_lock_configuration,
                   Bucket="en-suspended", ObjectLockConfiguration=cfg)
        s3.create_bucket(Bucket="en-enabled")
        s3.put_bucket_versioning(Bucket="en-enabled",
                                 VersioningConfiguration={"Status": "Enabled"})
        old = self.put("en-enabled", "old", b"before lock")
        r = s3.put_object_lock_configuration(Bucket="en-enabled", ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        got = s3.get_object_lock_configuration(Bucket="en-enabled")["ObjectLockConfiguration"]
        self.assertEqual(got["ObjectLockEnabled"], "Enabled")
        self.fails(409, "InvalidBucketState", s3.put_bucket_versioning, Bucket="en-enabled",
                   VersioningConfiguration={"Status": "Suspended"})
        # the version written before the lock has no retention and can go
        self.fails(404, "NoSuchObjectLockConfiguration", s3.get_object_retention,
                   Bucket="en-enabled", Key="old", VersionId=old)
        new = self.put("en-enabled", "new", b"after lock")
        self.assertEqual(self.retention("en-enabled", "new", new)[0], "GOVERNANCE")
        s3.delete_object(Bucket="en-enabled", Key="old", VersionId=old)
        self.assert_gone("en-enabled", "old", old)


# ---- default retention and lock headers on writes --------------------------------------------

class WriteLockTest(LockCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        s3 = cls.s3
        s3.create_bucket(Bucket="w-days", ObjectLockEnabledForBucket=True)
        s3.put_object_lock_configuration(Bucket="w-days", ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}})
        s3.create_bucket(Bucket="w-years", ObjectLockEnabledForBucket=True)
        s3.put_object_lock_configuration(Bucket="w-years", ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}}})
        s3.create_bucket(Bucket="w-lock", ObjectLockEnabledForBucket=True)
        s3.create_bucket(Bucket="w-plain")
        s3.put_bucket_versioning(Bucket="w-plain", VersioningConfiguration={"Status": "Enabled"})

    def assert_default(self, bucket, key, vid, mode, seconds, t0, t1, slack=2.0):
        """The version's retention is @mode until [t0, t1] + @seconds (± @slack s)."""
        m, until = self.retention(bucket, key, vid)
        self.assertEqual(m, mode)
        lo = t0 + datetime.timedelta(seconds=seconds - slack)
        hi = t1 + datetime.timedelta(seconds=seconds + slack)
        self.assertTrue(lo <= until <= hi, f"retain-until {until} not in [{lo}, {hi}]")

    def test_default_on_put_object(self):
        t0 = now()
        vid = self.put("w-days", "p", b"default")
        t1 = now()
        self.assert_default("w-days", "p", vid, "GOVERNANCE", 2 * DAY, t0, t1)
        h = self.s3.head_object(Bucket="w-days", Key="p", VersionId=vid)
        self.assertEqual(h["ObjectLockMode"], "GOVERNANCE")
        self.assertNotIn("ObjectLockLegalHoldStatus", h, "no legal hold was ever set")
        # Years are calendar years: never less than 365 days, at most 366
        t0 = now()
        vid = self.put("w-years", "p", b"years")
        t1 = now()
        m, until = self.retention("w-years", "p", vid)
        self.assertEqual(m, "COMPLIANCE")
        self.assertGreaterEqual(until, t0 + datetime.timedelta(days=365, seconds=-2))
        self.assertLessEqual(until, t1 + datetime.timedelta(days=366, seconds=2))

    def test_legal_hold_header_alone_still_gets_default(self):
        t0 = now()
        vid = self.put("w-days", "hold-only", b"h", hold="ON")
        t1 = now()
        self.assert_default("w-days", "hold-only", vid, "GOVERNANCE", 2 * DAY, t0, t1)
        self.assertEqual(self.s3.get_object_legal_hold(Bucket="w-days", Key="hold-only",
                                                       VersionId=vid)["LegalHold"]["Status"],
                         "ON")
        vid = self.put("w-days", "hold-off", b"h", hold="OFF")
        self.assertEqual(self.retention("w-days", "hold-off", vid)[0], "GOVERNANCE")
        self.assertEqual(self.s3.get_object_legal_hold(Bucket="w-days", Key="hold-off",
                                                       VersionId=vid)["LegalHold"]["Status"],
                         "OFF")
        self.s3.delete_object(Bucket="w-days", Key="hold-off", VersionId=vid,
                              BypassGovernanceRetention=True)

    def test_explicit_retention_overrides_default(self):
        until = future(3 * DAY)
        vid = self.put("w-days", "explicit", b"x", mode="COMPLIANCE", until=until)
        self.assert_retention("w-days", "explicit", vid, "COMPLIANCE", until)
        # shorter than the default is fine too: the explicit value wins
        until = future(3600)
        vid = self.put("w-years", "explicit", b"x", mode="GOVERNANCE", until=until)
        self.assert_retention("w-years", "explicit", vid, "GOVERNANCE", until)

    def test_default_on_copy_object(self):
        src = self.put("w-plain", "src", b"copy me")
        t0 = now()
        r = self.s3.copy_object(Bucket="w-days", Key="copied",
                                CopySource={"Bucket": "w-plain", "Key": "src", "VersionId": src})
        t1 = now()
        vid = r["VersionId"]
        self.assertEqual(r["CopySourceVersionId"], src)
        self.assert_default("w-days", "copied", vid, "GOVERNANCE", 2 * DAY, t0, t1)
        self.assert_body("w-days", "copied", vid, b"copy me")
        # explicit headers on the copy win over the default
        until = future(5 * DAY)
        r = self.s3.copy_object(Bucket="w-days", Key="copied-explicit",
                                CopySource={"Bucket": "w-plain", "Key": "src"},
                                ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until,
                                ObjectLockLegalHoldStatus="ON")
        vid = r["VersionId"]
        self.assert_retention("w-days", "copied-explicit", vid, "COMPLIANCE", until)
        self.assertEqual(self.s3.get_object_legal_hold(
            Bucket="w-days", Key="copied-explicit", VersionId=vid)["LegalHold"]["Status"], "ON")

    def test_copy_does_not_copy_lock_state(self):
        until = future(DAY)
        src = self.put("w-lock", "locked-src", b"locked", mode="COMPLIANCE", until=until,
                       hold="ON")
        r = self.s3.copy_object(Bucket="w-lock", Key="unlocked-copy",
                                CopySource={"Bucket": "w-lock", "Key": "locked-src",
                                            "VersionId": src})
        vid = r["VersionId"]
        self.fails(404, "NoSuchObjectLockConfiguration", self.s3.get_object_retention,
                   Bucket="w-lock", Key="unlocked-copy", VersionId=vid)
        self.fails(404, "NoSuchObjectLockConfiguration", self.s3.get_object_legal_hold,
                   Bucket="w-lock", Key="unlocked-copy", VersionId=vid)
        self.s3.delete_object(Bucket="w-lock", Key="unlocked-copy", VersionId=vid)
        # into a bucket without lock: plain copy fine, lock headers refused
        r = self.s3.copy_object(Bucket="w-plain", Key="from-locked",
                                CopySource={"Bucket": "w-lock", "Key": "locked-src"})
        self.assert_body("w-plain", "from-locked", r["VersionId"], b"locked")
        self.fails(400, "InvalidRequest", self.s3.copy_object, Bucket="w-plain", Key="bad",
                   CopySource={"Bucket": "w-lock", "Key": "locked-src"},
                   ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=future(DAY))
        self.fails(400, "InvalidArgument", self.s3.copy_object, Bucket="w-lock", Key="bad",
                   CopySource={"Bucket": "w-lock", "Key": "locked-src"},
                   ObjectLockMode="FOREVER", ObjectLockRetainUntilDate=future(DAY))
        self.fails(400, "InvalidArgument", self.s3.copy_object, Bucket="w-lock", Key="bad",
                   CopySource={"Bucket": "w-lock", "Key": "locked-src"},
                   ObjectLockMode="GOVERNANCE")
        self.fails(400, "InvalidArgument", self.s3.copy_object, Bucket="w-lock", Key="bad",
                   CopySource={"Bucket": "w-lock", "Key": "locked-src"},
                   ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=future(-3600))
        with self.assertRaises(ClientError) as cm:
            self.s3.head_object(Bucket="w-lock", Key="bad")
        self.assertEqual(status(cm.exception), 404, "a refused copy creates nothing")

    def mpu(self, bucket, key, parts, pause=0.0, **create_kw):
        s3 = self.s3
        up = s3.create_multipart_upload(Bucket=bucket, Key=key, **create_kw)["UploadId"]
        done = []
        for i, data in enumerate(parts, 1):
            e = s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=i,
                               Body=data)["ETag"]
            done.append({"PartNumber": i, "ETag": e})
        if pause:
            time.sleep(pause)
        t0 = now()
        r = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up,
                                         MultipartUpload={"Parts": done})
        t1 = now()
        self.assertTrue(r.get("VersionId"))
        return r["VersionId"], t0, t1

    def test_default_on_complete_multipart_upload(self):
        parts = [os.urandom(5 * 1024 * 1024), b"tail"]
        # the default is computed at Complete time, not at Create time
        vid, t0, t1 = self.mpu("w-days", "mp", parts, pause=3.0)
        self.assert_default("w-days", "mp", vid, "GOVERNANCE", 2 * DAY, t0, t1, slack=1.0)
        self.assert_body("w-days", "mp", vid, b"".join(parts))

    def test_lock_headers_on_create_multipart_upload(self):
        until = future(4 * DAY)
        vid, _, _ = self.mpu("w-lock", "mp-locked", [b"only part"], ObjectLockMode="COMPLIANCE",
                             ObjectLockRetainUntilDate=until, ObjectLockLegalHoldStatus="ON")
        self.assert_retention("w-lock", "mp-locked", vid, "COMPLIANCE", until)
        self.assertEqual(self.s3.get_object_legal_hold(Bucket="w-lock", Key="mp-locked",
                                                       VersionId=vid)["LegalHold"]["Status"],
                         "ON")
        self.denied(self.s3.delete_object, Bucket="w-lock", Key="mp-locked", VersionId=vid)
        self.assert_body("w-lock", "mp-locked", vid, b"only part")
        # the explicit headers override the bucket default
        until = future(DAY)
        vid, _, _ = self.mpu("w-years", "mp-explicit", [b"p"], ObjectLockMode="GOVERNANCE",
                             ObjectLockRetainUntilDate=until)
        self.assert_retention("w-years", "mp-explicit", vid, "GOVERNANCE", until)
        # validated at Create, exactly as on PutObject
        cmu = self.s3.create_multipart_upload
        self.fails(400, "InvalidRequest", cmu, Bucket="w-plain", Key="m",
                   ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=future(DAY))
        self.fails(400, "InvalidRequest", cmu, Bucket="w-plain", Key="m",
                   ObjectLockLegalHoldStatus="ON")
        self.fails(400, "InvalidArgument", cmu, Bucket="w-lock", Key="m",
                   ObjectLockMode="GOVERNANCE")
        self.fails(400, "InvalidArgument", cmu, Bucket="w-lock", Key="m",
                   ObjectLockRetainUntilDate=future(DAY))
        self.fails(400, "InvalidArgument", cmu, Bucket="w-lock", Key="m",
                   ObjectLockMode="SOMETIMES", ObjectLockRetainUntilDate=future(DAY))
        self.fails(400, "InvalidArgument", cmu, Bucket="w-lock", Key="m",
                   ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=future(-60))
        self.fails(400, "InvalidArgument", cmu, Bucket="w-lock", Key="m",
                   ObjectLockLegalHoldStatus="MAYBE")
        self.assertEqual(self.s3.list_multipart_uploads(Bucket="w-lock").get("Uploads", []), [])

    def test_put_object_lock_header_rows(self):
        s3 = self.s3
        d = future(DAY)
        # 1: lock headers on a bucket without lock
        self.fails(400, "InvalidRequest", s3.put_object, Bucket="w-plain", Key="r1", Body=b"x",
                   ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=d)
        self.fails(400, "InvalidRequest", s3.put_object, Bucket="w-plain", Key="r1", Body=b"x",
                   ObjectLockLegalHoldStatus="ON")
        # 2: mode without date, date without mode
        self.fails(400, "InvalidArgument", s3.put_object, Bucket="w-lock", Key="r2", Body=b"x",
                   ObjectLockMode="GOVERNANCE")
        self.fails(400, "InvalidArgument", s3.put_object, Bucket="w-lock", Key="r2", Body=b"x",
                   ObjectLockRetainUntilDate=d)
        # 3: unknown mode
        self.fails(400, "InvalidArgument", s3.put_object, Bucket="w-lock", Key="r3", Body=b"x",
                   ObjectLockMode="FOREVER", ObjectLockRetainUntilDate=d)
        # 4: unparseable date (by hand: boto3 only sends well-formed dates)
        for bad in ("not-a-date", "2030-13-01T00:00:00Z", "tomorrow"):
            r = self.raw.put("w-lock", "r4", b"x", headers={
                "Content-MD5": md5_b64(b"x"), "x-amz-object-lock-mode": "GOVERNANCE",
                "x-amz-object-lock-retain-until-date": bad})
            self.raw_fails(r, 400, "InvalidArgument")
        # 5: date not in the future
        self.fails(400, "InvalidArgument", s3.put_object, Bucket="w-lock", Key="r5", Body=b"x",
                   ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=future(-5))
        # 6: legal hold not ON/OFF
        self.fails(400, "InvalidArgument", s3.put_object, Bucket="w-lock", Key="r6", Body=b"x",
                   ObjectLockLegalHoldStatus="MAYBE")
        # 7: no Content-MD5 / checksum / signed payload: with lock headers, and with only the
        # bucket default applying
        hdrs = {"x-amz-object-lock-mode": "GOVERNANCE",
                "x-amz-object-lock-retain-until-date": iso(d)}
        r = self.raw.request("PUT", key_path("w-lock", "r7"), headers=hdrs, body=b"data",
                             payload_hash="UNSIGNED-PAYLOAD")
        err = self.raw_fails(r, 400, "InvalidRequest")
        self.assertIn("Content-MD5", err["Message"])
        r = self.raw.request("PUT", key_path("w-days", "r7"), body=b"data",
                             payload_hash="UNSIGNED-PAYLOAD")
        self.raw_fails(r, 400, "InvalidRequest")
        r = self.raw.request("PUT", key_path("w-lock", "r7"), body=b"data",
                             headers={"x-amz-object-lock-legal-hold": "ON"},
                             payload_hash="UNSIGNED-PAYLOAD")
        self.raw_fails(r, 400, "InvalidRequest")
        # nothing was written by any of the refusals
        for b, k in (("w-plain", "r1"), ("w-lock", "r2"), ("w-lock", "r3"), ("w-lock", "r4"),
                     ("w-lock", "r5"), ("w-lock", "r6"), ("w-lock", "r7"), ("w-days", "r7")):
            with self.assertRaises(ClientError, msg=f"{b}/{k}") as cm:
                s3.head_object(Bucket=b, Key=k)
            self.assertEqual(status(cm.exception), 404)
        # the same unsigned PUTs with an integrity proof are accepted
        r = self.raw.request("PUT", key_path("w-lock", "r7"), headers=dict(
            hdrs, **{"Content-MD5": md5_b64(b"data")}), body=b"data",
            payload_hash="UNSIGNED-PAYLOAD")
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.header("x-amz-version-id"))
        r = self.raw.request("PUT", key_path("w-days", "r7"), headers={
            "x-amz-checksum-sha256": base64.b64encode(hashlib.sha256(b"data").digest()).decode()},
            body=b"data", payload_hash="UNSIGNED-PAYLOAD")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.retention("w-days", "r7", r.header("x-amz-version-id"))[0],
                         "GOVERNANCE")
        # a signed payload hash counts as the integrity proof (spec §3.4 relaxation)
        r = self.raw.request("PUT", key_path("w-lock", "r7s"), headers=hdrs, body=b"data")
        self.assertEqual(r.status, 200, r.body)

    def test_retain_until_date_forms(self):
        base = future(2 * DAY)
        forms = [base.strftime("%Y-%m-%dT%H:%M:%SZ"), base.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                 (base + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00"),
                 (base - datetime.timedelta(hours=5, minutes=30))
                 .strftime("%Y-%m-%dT%H:%M:%S.000-05:30")]
        for i, f in enumerate(forms):
            key = f"form-{i}"
            r = self.raw.put("w-lock", key, b"d", headers={
                "Content-MD5": md5_b64(b"d"), "x-amz-object-lock-mode": "GOVERNANCE",
                "x-amz-object-lock-retain-until-date": f})
            self.assertEqual(r.status, 200, (f, r.body))
            self.assert_retention("w-lock", key, r.header("x-amz-version-id"), "GOVERNANCE",
                                  base)

    def test_lock_headers_reported_on_get_and_head(self):
        until = future(DAY).replace(microsecond=0)
        vid = self.put("w-lock", "report", b"reported", mode="COMPLIANCE", until=until,
                       hold="ON")
        for fn in (self.s3.head_object, self.s3.get_object):
            h = fn(Bucket="w-lock", Key="report", VersionId=vid)
            self.assertEqual(h["ObjectLockMode"], "COMPLIANCE")
            self.assertEqual(h["ObjectLockRetainUntilDate"], until)
            self.assertEqual(h["ObjectLockLegalHoldStatus"], "ON")
        # the exact wire form: ISO-8601 with milliseconds
        r = self.raw.head("w-lock", "report")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("x-amz-object-lock-mode"), "COMPLIANCE")
        self.assertRegex(r.header("x-amz-object-lock-retain-until-date"), ISO_MS)
        self.assertEqual(r.header("x-amz-object-lock-retain-until-date"), iso(until))
        self.assertEqual(r.header("x-amz-object-lock-legal-hold"), "ON")
        # retention only: no legal-hold header; legal hold only: no retention headers
        v2 = self.put("w-lock", "report-ret", b"r", mode="GOVERNANCE", until=until)
        h = self.s3.head_object(Bucket="w-lock", Key="report-ret", VersionId=v2)
        self.assertEqual(h["ObjectLockMode"], "GOVERNANCE")
        self.assertNotIn("ObjectLockLegalHoldStatus", h)
        v3 = self.put("w-lock", "report-hold", b"h", hold="ON")
        h = self.s3.head_object(Bucket="w-lock", Key="report-hold", VersionId=v3)
        self.assertEqual(h["ObjectLockLegalHoldStatus"], "ON")
        self.assertNotIn("ObjectLockMode", h)
        self.assertNotIn("ObjectLockRetainUntilDate", h)
        # once set OFF the header says OFF; lock updates change neither ETag nor Last-Modified
        before = self.s3.head_object(Bucket="w-lock", Key="report-hold", VersionId=v3)
        time.sleep(1.1)
        self.s3.put_object_legal_hold(Bucket="w-lock", Key="report-hold", VersionId=v3,
                                      LegalHold={"Status": "OFF"})
        self.s3.put_object_retention(Bucket="w-lock", Key="report-hold", VersionId=v3,
                                     Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until})
        h = self.s3.head_object(Bucket="w-lock", Key="report-hold", VersionId=v3)
        self.assertEqual(h["ObjectLockLegalHoldStatus"], "OFF")
        self.assertEqual(h["ObjectLockMode"], "GOVERNANCE")
        self.assertEqual((h["ETag"], h["LastModified"]), (before["ETag"], before["LastModified"]))
        # the current version (no versionId) reports its own lock state
        h = self.s3.head_object(Bucket="w-lock", Key="report")
        self.assertEqual((h["VersionId"], h["ObjectLockMode"]), (vid, "COMPLIANCE"))


# ---- PutObjectRetention / legal hold -------------------------------------------------------

class RetentionTest(LockCase):
    B = "ret"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3.create_bucket(Bucket=cls.B, ObjectLockEnabledForBucket=True)
        cls.s3.create_bucket(Bucket="ret-plain")
        cls.s3.put_bucket_versioning(Bucket="ret-plain",
                                     VersioningConfiguration={"Status": "Enabled"})
        cls.n = 0

    def fresh(self, mode=None, until=None, hold=None):
        """A new key with one version in the given lock state: (key, version id, body)."""
        type(self).n += 1
        key = f"obj-{self.n}"
        data = os.urandom(64) + key.encode()
        return key, self.put(self.B, key, data, mode=mode, until=until, hold=hold), data

    def set_ret(self, key, vid, mode, until, bypass=False):
        kw = {"BypassGovernanceRetention": True} if bypass else {}
        ret = {} if mode is None else {"Mode": mode, "RetainUntilDate": until}
        return self.s3.put_object_retention(Bucket=self.B, Key=key, VersionId=vid,
                                            Retention=ret, **kw)

    def allowed(self, key, vid, mode, until, bypass=False):
        r = self.set_ret(key, vid, mode, until, bypass)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        if mode is not None:
            self.assert_retention(self.B, key, vid, mode, until)

    def refused(self, key, vid, mode, until, bypass, was_mode, was_until):
        self.denied(self.set_ret, key, vid, mode, until, bypass)
        self.assert_retention(self.B, key, vid, was_mode, was_until)

    def test_from_none(self):
        for mode in ("GOVERNANCE", "COMPLIANCE"):
            for bypass in (False, True):
                key, vid, data = self.fresh()
                self.fails(404, "NoSuchObjectLockConfiguration", self.s3.get_object_retention,
                           Bucket=self.B, Key=key, VersionId=vid)
                self.allowed(key, vid, mode, future(DAY), bypass)
                self.denied(self.s3.delete_object, Bucket=self.B, Key=key, VersionId=vid)
                self.assert_body(self.B, key, vid, data)
        # removing nothing is a no-op
        key, vid, _ = self.fresh()
        self.assertEqual(self.set_ret(key, vid, None, None)["ResponseMetadata"]
                         ["HTTPStatusCode"], 200)
        self.s3.delete_object(Bucket=self.B, Key=key, VersionId=vid)
        self.assert_gone(self.B, key, vid)

    def test_governance_transitions(self):
        d = future(2 * DAY)
        later, earlier = d + datetime.timedelta(days=1), d - datetime.timedelta(hours=1)
        # extend / keep: allowed with and without bypass
        for bypass in (False, True):
            key, vid, _ = self.fresh("GOVERNANCE", d)
            self.allowed(key, vid, "GOVERNANCE", d, bypass)
            self.allowed(key, vid, "GOVERNANCE", later, bypass)
        # shorten: 403 without bypass, allowed with it
        key, vid, _ = self.fresh("GOVERNANCE", d)
        self.refused(key, vid, "GOVERNANCE", earlier, False, "GOVERNANCE", d)
        self.allowed(key, vid, "GOVERNANCE", earlier, True)
        # to COMPLIANCE (later, same or earlier date): 403 without bypass, allowed with it
        for d2 in (later, d, earlier):
            key, vid, _ = self.fresh("GOVERNANCE", d)
            self.refused(key, vid, "COMPLIANCE", d2, False, "GOVERNANCE", d)
            self.allowed(key, vid, "COMPLIANCE", d2, True)
            self.denied(self.s3.delete_object, Bucket=self.B, Key=key, VersionId=vid,
                        BypassGovernanceRetention=True)
        # remove: 403 without bypass, allowed with it; then the version can go
        key, vid, data = self.fresh("GOVERNANCE", d)
        self.refused(key, vid, None, None, False, "GOVERNANCE", d)
        self.assert_body(self.B, key, vid, data)
        self.allowed(key, vid, None, None, True)
        self.s3.delete_object(Bucket=self.B, Key=key, VersionId=vid)
        self.assert_gone(self.B, key, vid)
        # a bypass header that does not say "true" is no bypass
        key, vid, _ = self.fresh("GOVERNANCE", d)
        r = self.raw_put_sub(self.B, key, "retention",
                             b"<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>"
                             + iso(earlier).encode() + b"</RetainUntilDate></Retention>",
                             headers={"x-amz-bypass-governance-retention": "yes"},
                             query=[("versionId", vid)])
        self.raw_fails(r, 403, "AccessDenied")
        r = self.raw_put_sub(self.B, key, "retention",
                             b"<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>"
                             + iso(earlier).encode() + b"</RetainUntilDate></Retention>",
                             headers={"x-amz-bypass-governance-retention": "TRUE"},
                             query=[("versionId", vid)])
        self.assertEqual(r.status, 200, r.body)
        self.assert_retention(self.B, key, vid, "GOVERNANCE", earlier)

    def test_compliance_transitions(self):
        d = future(2 * DAY)
        later, earlier = d + datetime.timedelta(days=1), d - datetime.timedelta(hours=1)
        for bypass in (False, True):
            key, vid, data = self.fresh("COMPLIANCE", d)
            # keep / extend: allowed
            self.allowed(key, vid, "COMPLIANCE", d, bypass)
            self.allowed(key, vid, "COMPLIANCE", later, bypass)
            # shorten, downgrade (any date), remove: refused even with bypass
            self.refused(key, vid, "COMPLIANCE", d, bypass, "COMPLIANCE", later)
            for d2 in (earlier, later, later + datetime.timedelta(days=30)):
                self.refused(key, vid, "GOVERNANCE", d2, bypass, "COMPLIANCE", later)
            self.refused(key, vid, None, None, bypass, "COMPLIANCE", later)
            self.assert_body(self.B, key, vid, data)

    def test_legal_hold_does_not_change_the_matrix(self):
        d = future(DAY)
        key, vid, _ = self.fresh("COMPLIANCE", d, hold="ON")
        self.allowed(key, vid, "COMPLIANCE", d + datetime.timedelta(days=1))
        key, vid, _ = self.fresh("GOVERNANCE", d, hold="ON")
        self.allowed(key, vid, "GOVERNANCE", d - datetime.timedelta(hours=1), True)
        self.refused(key, vid, "GOVERNANCE", d - datetime.timedelta(hours=2), False,
                     "GOVERNANCE", d - datetime.timedelta(hours=1))
        key, vid, _ = self.fresh(hold="ON")
        self.allowed(key, vid, "GOVERNANCE", d)

    def test_past_date_and_malformed_bodies(self):
        d = future(DAY)
        key, vid, _ = self.fresh("COMPLIANCE", d)
        # a past date is InvalidArgument, checked before the transition
        for mode in ("COMPLIANCE", "GOVERNANCE"):
            self.fails(400, "InvalidArgument", self.set_ret, key, vid, mode, future(-60))
        # Mode is case-sensitive; Mode and date come together
        self.fails(400, "MalformedXML", self.set_ret, key, vid, "compliance",
                   d + datetime.timedelta(days=1))
        self.fails(400, "MalformedXML", self.s3.put_object_retention, Bucket=self.B, Key=key,
                   VersionId=vid, Retention={"Mode": "COMPLIANCE"})
        self.fails(400, "MalformedXML", self.s3.put_object_retention, Bucket=self.B, Key=key,
                   VersionId=vid, Retention={"RetainUntilDate": d + datetime.timedelta(days=1)})
        q = [("versionId", vid)]
        self.raw_fails(self.raw_put_sub(self.B, key, "retention", b"<Retention><Mode>", query=q),
                       400, "MalformedXML")
        self.raw_fails(self.raw_put_sub(self.B, key, "retention",
                                        b"<LegalHold><Status>ON</Status></LegalHold>", query=q),
                       400, "MalformedXML")
        body = (b"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>"
                + iso(d + datetime.timedelta(days=2)).encode() + b"</RetainUntilDate></Retention>")
        # no integrity proof
        self.raw_fails(self.raw_put_sub(self.B, key, "retention", body, md5=False,
                                        unsigned=True, query=q), 400, "InvalidRequest")
        self.assert_retention(self.B, key, vid, "COMPLIANCE", d)
        # Veeam's namespace-less body, with Content-MD5 and with a checksum
        r = self.raw_put_sub(self.B, key, "retention", body, query=q)
        self.assertEqual(r.status, 200, r.body)
        self.assert_retention(self.B, key, vid, "COMPLIANCE", d + datetime.timedelta(days=2))
        body = body.replace(iso(d + datetime.timedelta(days=2)).encode(),
                            iso(d + datetime.timedelta(days=3)).encode())
        r = self.raw_put_sub(self.B, key, "retention", body, md5=False, unsigned=True, query=q,
                             headers={"x-amz-checksum-sha256": base64.b64encode(
                                 hashlib.sha256(body).digest()).decode()})
        self.assertEqual(r.status, 200, r.body)
        self.assert_retention(self.B, key, vid, "COMPLIANCE", d + datetime.timedelta(days=3))

    def test_retention_addressing_errors(self):
        s3, d = self.s3, future(DAY)
        ret = {"Mode": "GOVERNANCE", "RetainUntilDate": d}
        self.fails(404, "NoSuchBucket", s3.put_object_retention, Bucket="ret-none", Key="k",
                   Retention=ret)
        self.fails(404, "NoSuchBucket", s3.get_object_retention, Bucket="ret-none", Key="k")
        pv = self.put("ret-plain", "k", b"plain")
        self.fails(400, "InvalidRequest", s3.put_object_retention, Bucket="ret-plain", Key="k",
                   Retention=ret)
        self.fails(400, "InvalidRequest", s3.put_object_retention, Bucket="ret-plain",
                   Key="missing", Retention=ret)
        self.fails(400, "InvalidRequest", s3.get_object_retention, Bucket="ret-plain", Key="k",
                   VersionId=pv)
        self.fails(404, "NoSuchKey", s3.put_object_retention, Bucket=self.B, Key="missing",
                   Retention=ret)
        self.fails(404, "NoSuchKey", s3.get_object_retention, Bucket=self.B, Key="missing")
        # a well-formed id that is not (any more) a version of this key
        key, vid, _ = self.fresh()
        s3.delete_object(Bucket=self.B, Key=key, VersionId=vid)
        key2, _, _ = self.fresh()
        self.fails(404, "NoSuchVersion", s3.put_object_retention, Bucket=self.B, Key=key2,
                   VersionId=vid, Retention=ret)
        self.fails(404, "NoSuchVersion", s3.get_object_retention, Bucket=self.B, Key=key2,
                   VersionId=vid)
        self.fails(400, "InvalidArgument", s3.get_object_retention, Bucket=self.B, Key=key2,
                   VersionId="not a version id")
        self.fails(400, "InvalidArgument", s3.put_object_retention, Bucket=self.B, Key=key2,
                   VersionId="not a version id", Retention=ret)
        # delete markers have no lock state: 405
        marker = s3.delete_object(Bucket=self.B, Key=key2)["VersionId"]
        self.fails(405, "MethodNotAllowed", s3.get_object_retention, Bucket=self.B, Key=key2,
                   VersionId=marker)
        self.fails(405, "MethodNotAllowed", s3.put_object_retention, Bucket=self.B, Key=key2,
                   VersionId=marker, Retention=ret)
        self.fails(405, "MethodNotAllowed", s3.get_object_legal_hold, Bucket=self.B, Key=key2,
                   VersionId=marker)
        self.fails(405, "MethodNotAllowed", s3.put_object_legal_hold, Bucket=self.B, Key=key2,
                   VersionId=marker, LegalHold={"Status": "ON"})

    def test_without_version_id_targets_current(self):
        d = future(DAY)
        key, v1, d1 = self.fresh("COMPLIANCE", d)
        v2 = self.put(self.B, key, b"second")
        self.fails(404, "NoSuchObjectLockConfiguration", self.s3.get_object_retention,
                   Bucket=self.B, Key=key)
        r = self.s3.put_object_retention(Bucket=self.B, Key=key, Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": d + datetime.timedelta(days=1)})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(self.retention(self.B, key),
                         ("GOVERNANCE", d + datetime.timedelta(days=1)))
        self.assert_retention(self.B, key, v2, "GOVERNANCE", d + datetime.timedelta(days=1))
        self.assert_retention(self.B, key, v1, "COMPLIANCE", d)
        # retention returned exactly as stored, millisecond precision
        precise = d.replace(microsecond=123000)
        self.s3.put_object_retention(Bucket=self.B, Key=key, VersionId=v1,
                                     Retention={"Mode": "COMPLIANCE", "RetainUntilDate": precise})
        self.assert_retention(self.B, key, v1, "COMPLIANCE", precise)
        r = self.raw.get(self.B, key, query=[("retention", ""), ("versionId", v1)])
        self.assertEqual(r.status, 200)
        self.assertIn(precise.strftime("%Y-%m-%dT%H:%M:%S.123Z").encode(), r.body)
        self.assert_body(self.B, key, v1, d1)

    def test_legal_hold(self):
        s3 = self.s3
        key, vid, data = self.fresh()
        self.fails(404, "NoSuchObjectLockConfiguration", s3.get_object_legal_hold,
                   Bucket=self.B, Key=key, VersionId=vid)
        for st in ("ON", "OFF", "ON"):
            r = s3.put_object_legal_hold(Bucket=self.B, Key=key, VersionId=vid,
                                         LegalHold={"Status": st})
            self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
            self.assertEqual(s3.get_object_legal_hold(Bucket=self.B, Key=key, VersionId=vid)
                             ["LegalHold"]["Status"], st)
        for bad in ("on", "Off", "YES"):
            self.fails(400, "MalformedXML", s3.put_object_legal_hold, Bucket=self.B, Key=key,
                       VersionId=vid, LegalHold={"Status": bad})
        q = [("versionId", vid)]
        self.raw_fails(self.raw_put_sub(self.B, key, "legal-hold", b"", query=q),
                       400, "MalformedXML")
        self.raw_fails(self.raw_put_sub(self.B, key, "legal-hold", b"<LegalHold><Status>",
                                        query=q), 400, "MalformedXML")
        self.raw_fails(self.raw_put_sub(self.B, key, "legal-hold",
                                        b"<LegalHold><Status>OFF</Status></LegalHold>",
                                        md5=False, unsigned=True, query=q),
                       400, "InvalidRequest")
        self.assertEqual(s3.get_object_legal_hold(Bucket=self.B, Key=key, VersionId=vid)
                         ["LegalHold"]["Status"], "ON")
        # namespace-less body, without versionId = the current version
        r = self.raw_put_sub(self.B, key, "legal-hold",
                             b"<LegalHold><Status>OFF</Status></LegalHold>")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(s3.get_object_legal_hold(Bucket=self.B, Key=key)["LegalHold"]["Status"],
                         "OFF")
        # allowed on any retention state, without bypass
        k2, v2, _ = self.fresh("COMPLIANCE", future(DAY))
        s3.put_object_legal_hold(Bucket=self.B, Key=k2, VersionId=v2, LegalHold={"Status": "ON"})
        s3.put_object_legal_hold(Bucket=self.B, Key=k2, VersionId=v2,
                                 LegalHold={"Status": "OFF"})
        # errors: no lock on the bucket, missing bucket/key/version
        pv = self.put("ret-plain", "lh", b"p")
        self.fails(400, "InvalidRequest", s3.put_object_legal_hold, Bucket="ret-plain", Key="lh",
                   LegalHold={"Status": "ON"})
        self.fails(400, "InvalidRequest", s3.get_object_legal_hold, Bucket="ret-plain", Key="lh",
                   VersionId=pv)
        self.fails(404, "NoSuchBucket", s3.put_object_legal_hold, Bucket="ret-none", Key="lh",
                   LegalHold={"Status": "ON"})
        self.fails(404, "NoSuchKey", s3.put_object_legal_hold, Bucket=self.B, Key="missing-lh",
                   LegalHold={"Status": "ON"})
        self.fails(404, "NoSuchKey", s3.get_object_legal_hold, Bucket=self.B, Key="missing-lh")
        self.assert_body(self.B, key, vid, data)


# ---- what a lock blocks ---------------------------------------------------------------------

class EnforcementTest(LockCase):
    B = "enf"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3.create_bucket(Bucket=cls.B, ObjectLockEnabledForBucket=True)
        cls.n = 0

    def locked_versions(self, prefix):
        """Three keys, one version each: GOVERNANCE, COMPLIANCE, legal hold ON (no
        retention). {name: (key, vid, data)}"""
        type(self).n += 1
        out = {}
        d = future(DAY)
        for name, kw in (("gov", {"mode": "GOVERNANCE", "until": d}),
                         ("comp", {"mode": "COMPLIANCE", "until": d}),
                         ("hold", {"hold": "ON"})):
            key = f"{prefix}-{self.n}-{name}"
            data = os.urandom(3000) + key.encode()
            out[name] = (key, self.put(self.B, key, data, **kw), data)
        return out

    def test_new_versions_and_markers_allowed(self):
        s3 = self.s3
        for name, (key, vid, data) in self.locked_versions("over").items():
            v2 = self.put(self.B, key, b"overwrite " + name.encode())
            self.assertNotEqual(v2, vid)
            r = s3.copy_object(Bucket=self.B, Key=key, CopySource={"Bucket": self.B, "Key": key,
                                                                   "VersionId": vid},
                               MetadataDirective="REPLACE", Metadata={"n": "3"})
            self.assertNotIn(r["VersionId"], (vid, v2))
            self.assert_body(self.B, key, r["VersionId"], data)
            up = s3.create_multipart_upload(Bucket=self.B, Key=key)["UploadId"]
            e = s3.upload_part(Bucket=self.B, Key=key, UploadId=up, PartNumber=1,
                               Body=b"mp")["ETag"]
            v4 = s3.complete_multipart_upload(Bucket=self.B, Key=key, UploadId=up,
                                              MultipartUpload={"Parts": [
                                                  {"PartNumber": 1, "ETag": e}]})["VersionId"]
            self.assertEqual(s3.get_object(Bucket=self.B, Key=key)["VersionId"], v4)
            r = s3.delete_object(Bucket=self.B, Key=key)
            self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
            self.assertTrue(r["DeleteMarker"])
            self.fails(404, "NoSuchKey", s3.get_object, Bucket=self.B, Key=key)
            # stack a second marker, like AWS
            r2 = s3.delete_object(Bucket=self.B, Key=key)
            self.assertTrue(r2["DeleteMarker"])
            self.assertNotEqual(r2["VersionId"], r["VersionId"])
            self.assert_body(self.B, key, vid, data)
            # abort is allowed in a lock bucket
            up = s3.create_multipart_upload(Bucket=self.B, Key=key)["UploadId"]
            s3.abort_multipart_upload(Bucket=self.B, Key=key, UploadId=up)

    def test_delete_version_refused(self):
        s3 = self.s3
        vs = self.locked_versions("del")
        for name, (key, vid, data) in vs.items():
            r = self.denied(s3.delete_object, Bucket=self.B, Key=key, VersionId=vid)
            self.assertEqual(r["Error"]["Message"], LOCK_DENIED)
            self.assert_body(self.B, key, vid, data)
        # COMPLIANCE and legal hold: even with bypass, by root
        for name in ("comp", "hold"):
            key, vid, data = vs[name]
            self.denied(s3.delete_object, Bucket=self.B, Key=key, VersionId=vid,
                        BypassGovernanceRetention=True)
            self.assert_body(self.B, key, vid, data)
        # a bypass header other than "true" is no bypass
        key, vid, data = vs["gov"]
        r = self.raw.request("DELETE", key_path(self.B, key), query=[("versionId", vid)],
                             headers={"x-amz-bypass-governance-retention": "1"})
        self.raw_fails(r, 403, "AccessDenied")
        self.assert_body(self.B, key, vid, data)
        # GOVERNANCE yields to root's bypass
        r = s3.delete_object(Bucket=self.B, Key=key, VersionId=vid, BypassGovernanceRetention=True)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(r["VersionId"], vid)
        self.assert_gone(self.B, key, vid)
        # legal hold lifted: the version can go (it had no retention)
        key, vid, _ = vs["hold"]
        s3.put_object_legal_hold(Bucket=self.B, Key=key, VersionId=vid,
                                 LegalHold={"Status": "OFF"})
        s3.delete_object(Bucket=self.B, Key=key, VersionId=vid)
        self.assert_gone(self.B, key, vid)

    def test_legal_hold_beats_governance_bypass(self):
        key = "hold-and-gov"
        data = b"both"
        vid = self.put(self.B, key, data, mode="GOVERNANCE", until=future(DAY), hold="ON")
        self.denied(self.s3.delete_object, Bucket=self.B, Key=key, VersionId=vid,
                    BypassGovernanceRetention=True)
        self.assert_body(self.B, key, vid, data)
        r = self.s3.delete_objects(Bucket=self.B, BypassGovernanceRetention=True, Delete={
            "Objects": [{"Key": key, "VersionId": vid}]})
        self.assertEqual([(e["Key"], e.get("VersionId"), e["Code"]) for e in r["Errors"]],
                         [(key, vid, "AccessDenied")])
        self.assertEqual(r.get("Deleted", []), [])
        self.assert_body(self.B, key, vid, data)

    def test_bypass_needs_the_root_user(self):
        env = {"HOLDFAST_ROOT_ACCESS_KEY": self.server.access_key,
               "HOLDFAST_ROOT_SECRET_KEY": self.server.secret_key,
               "HOLDFAST_ENDPOINT": self.server.url}
        r = run_holdfast("user", "add", "lock-user", "--json", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        u = json.loads(r.stdout)
        import boto3
        from botocore.config import Config
        uc = boto3.client("s3", endpoint_url=self.server.url, aws_access_key_id=u["access_key"],
                          aws_secret_access_key=u["secret_key"], region_name=REGION,
                          config=Config(retries={"max_attempts": 1}))
        d = future(DAY)
        key, data = "user-gov", b"governed"
        vid = self.put(self.B, key, data, mode="GOVERNANCE", until=d)
        self.assertEqual(uc.get_object(Bucket=self.B, Key=key, VersionId=vid)["Body"].read(),
                         data)
        self.denied(uc.delete_object, Bucket=self.B, Key=key, VersionId=vid)
        self.denied(uc.delete_object, Bucket=self.B, Key=key, VersionId=vid,
                    BypassGovernanceRetention=True)
        self.assert_body(self.B, key, vid, data)
        self.denied(uc.put_object_retention, Bucket=self.B, Key=key, VersionId=vid,
                    BypassGovernanceRetention=True,
                    Retention={"Mode": "GOVERNANCE",
                               "RetainUntilDate": d - datetime.timedelta(hours=1)})
        self.denied(uc.put_object_retention, Bucket=self.B, Key=key, VersionId=vid,
                    BypassGovernanceRetention=True, Retention={})
        self.assert_retention(self.B, key, vid, "GOVERNANCE", d)
        # what needs no bypass works for the user: extend, overwrite, marker, legal hold
        uc.put_object_retention(Bucket=self.B, Key=key, VersionId=vid, Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": d + datetime.timedelta(days=1)})
        uc.put_object(Bucket=self.B, Key=key, Body=b"user overwrite")
        self.assertTrue(uc.delete_object(Bucket=self.B, Key=key)["DeleteMarker"])
        # a bypass header on a delete that needs none is harmless
        free = self.put(self.B, "user-free", b"free")
        r = uc.delete_object(Bucket=self.B, Key="user-free", VersionId=free,
                             BypassGovernanceRetention=True)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assert_gone(self.B, "user-free", free)
        # root may
        self.s3.delete_object(Bucket=self.B, Key=key, VersionId=vid,
                              BypassGovernanceRetention=True)
        self.assert_gone(self.B, key, vid)

    def test_delete_objects_mixed(self):
        s3 = self.s3
        vs = self.locked_versions("multi")
        free_key = f"multi-{self.n}-free"
        free = self.put(self.B, free_key, b"free")
        marker_key = f"multi-{self.n}-marker"
        self.put(self.B, marker_key, b"m", mode="COMPLIANCE", until=future(DAY))
        objs = [{"Key": k, "VersionId": v} for k, v, _ in vs.values()]
        objs += [{"Key": free_key, "VersionId": free}, {"Key": marker_key},
                 {"Key": f"multi-{self.n}-missing"}]
        r = s3.delete_objects(Bucket=self.B, Delete={"Objects": objs})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
        errors = sorted((e["Key"], e.get("VersionId"), e["Code"]) for e in r["Errors"])
        self.assertEqual(errors, sorted((k, v, "AccessDenied") for k, v, _ in vs.values()))
        for e in r["Errors"]:
            self.assertEqual(e["Message"], LOCK_DENIED)
        deleted = {d["Key"]: d for d in r["Deleted"]}
        self.assertEqual(set(deleted), {free_key, marker_key, f"multi-{self.n}-missing"})
        self.assertEqual(deleted[free_key].get("VersionId"), free)
        self.assertTrue(deleted[marker_key]["DeleteMarker"])
        self.assertTrue(deleted[marker_key]["DeleteMarkerVersionId"])
        self.assert_gone(self.B, free_key, free)
        for k, v, data in vs.values():
            self.assert_body(self.B, k, v, data)
        # with bypass: GOVERNANCE goes, COMPLIANCE and hold stay; Quiet keeps only errors
        r = s3.delete_objects(Bucket=self.B, BypassGovernanceRetention=True, Delete={
            "Objects": [{"Key": k, "VersionId": v} for k, v, _ in vs.values()], "Quiet": True})
        self.assertEqual(r.get("Deleted", []), [])
        self.assertEqual(sorted((e["Key"], e["Code"]) for e in r["Errors"]),
                         sorted((vs[n][0], "AccessDenied") for n in ("comp", "hold")))
        self.assert_gone(self.B, vs["gov"][0], vs["gov"][1])
        for n in ("comp", "hold"):
            self.assert_body(self.B, *vs[n])

    def test_delete_marker_above_locked_version(self):
        s3 = self.s3
        for name, (key, vid, data) in self.locked_versions("undel").items():
            m = s3.delete_object(Bucket=self.B, Key=key)["VersionId"]
            with self.assertRaises(ClientError) as cm:
                s3.get_object(Bucket=self.B, Key=key)
            self.assertEqual((status(cm.exception), code(cm.exception)), (404, "NoSuchKey"))
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPHeaders"]
                             .get("x-amz-delete-marker"), "true")
            self.fails(405, "MethodNotAllowed", s3.get_object, Bucket=self.B, Key=key,
                       VersionId=m)
            if name == "comp":
                # through DeleteObjects, even without bypass
                r = s3.delete_objects(Bucket=self.B, Delete={"Objects": [
                    {"Key": key, "VersionId": m}]})
                self.assertEqual(r.get("Errors", []), [])
                self.assertEqual(len(r["Deleted"]), 1)
                self.assertTrue(r["Deleted"][0]["DeleteMarker"])
                self.assertEqual(r["Deleted"][0]["DeleteMarkerVersionId"], m)
            else:
                r = s3.delete_object(Bucket=self.B, Key=key, VersionId=m)
                self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
                self.assertTrue(r["DeleteMarker"])
                self.assertEqual(r["VersionId"], m)
            # undeleted: the locked version is current again
            got = s3.get_object(Bucket=self.B, Key=key)
            self.assertEqual((got["VersionId"], got["Body"].read()), (vid, data))

    def test_delete_bucket_not_empty(self):
        s3 = self.s3
        s3.create_bucket(Bucket="enf-bkt", ObjectLockEnabledForBucket=True)
        vid = self.put("enf-bkt", "k", b"keep", mode="COMPLIANCE", until=future(DAY))
        self.fails(409, "BucketNotEmpty", s3.delete_bucket, Bucket="enf-bkt")
        s3.delete_object(Bucket="enf-bkt", Key="k")
        self.fails(409, "BucketNotEmpty", s3.delete_bucket, Bucket="enf-bkt")
        self.assert_body("enf-bkt", "k", vid, b"keep")
        s3.head_bucket(Bucket="enf-bkt")

    def test_retention_expires(self):
        """Retention a few seconds ahead: refused before, allowed after (a bounded wait);
        legal hold keeps protecting; expired values are still reported as stored."""
        s3, b = self.s3, "enf-exp"
        s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
        until = future(4)
        vg = self.put(b, "g", b"gov", mode="GOVERNANCE", until=until)
        vc = self.put(b, "c", b"comp", mode="COMPLIANCE", until=until)
        vh = self.put(b, "h", b"hold", mode="COMPLIANCE", until=until, hold="ON")
        self.denied(s3.delete_object, Bucket=b, Key="c", VersionId=vc)
        self.denied(s3.delete_object, Bucket=b, Key="g", VersionId=vg)
        self.fails(409, "BucketNotEmpty", s3.delete_bucket, Bucket=b)
        # wait for the end of the retention, bounded
        deadline = time.monotonic() + 15
        while now() < until + datetime.timedelta(milliseconds=300):
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.2)
        gone = None
        while time.monotonic() < deadline:
            try:
                s3.delete_object(Bucket=b, Key="c", VersionId=vc)
                gone = True
                break
            except ClientError as e:
                self.assertEqual(code(e), "AccessDenied")
                time.sleep(0.25)
        self.assertTrue(gone, "an expired COMPLIANCE version stays undeletable")
        self.assert_gone(b, "c", vc)
        # expired values reported as stored
        h = s3.head_object(Bucket=b, Key="g", VersionId=vg)
        self.assertEqual((h["ObjectLockMode"], h["ObjectLockRetainUntilDate"]),
                         ("GOVERNANCE", until))
        self.assert_retention(b, "g", vg, "GOVERNANCE", until)
        # an expired version takes any new retention (here: a downgrade-free re-lock)
        s3.put_object_retention(Bucket=b, Key="g", VersionId=vg, Retention={
            "Mode": "GOVERNANCE", "RetainUntilDate": future(DAY)})
        self.denied(s3.delete_object, Bucket=b, Key="g", VersionId=vg)
        s3.put_object_retention(Bucket=b, Key="g", VersionId=vg, BypassGovernanceRetention=True,
                                Retention={})
        s3.delete_object(Bucket=b, Key="g", VersionId=vg)
        # the legal hold still protects after the retention ended
        self.denied(s3.delete_object, Bucket=b, Key="h", VersionId=vh)
        self.assert_body(b, "h", vh, b"hold")
        self.fails(409, "BucketNotEmpty", s3.delete_bucket, Bucket=b)
        s3.put_object_legal_hold(Bucket=b, Key="h", VersionId=vh, LegalHold={"Status": "OFF"})
        s3.delete_object(Bucket=b, Key="h", VersionId=vh)
        r = s3.delete_bucket(Bucket=b)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)


# ---- a Veeam-style repository ---------------------------------------------------------------

class VeeamFlowTest(LockCase):
    B = "veeam-repo"
    N = 1000

    def test_veeam_flow(self):
        s3, b = self.s3, self.B
        s3.create_bucket(Bucket=b, ObjectLockEnabledForBucket=True)
        self.assertEqual(s3.get_bucket_versioning(Bucket=b)["Status"], "Enabled")
        self.assertNotIn("Rule", s3.get_object_lock_configuration(Bucket=b)
                         ["ObjectLockConfiguration"])
        until = future(10 * DAY)
        keys = [f"Veeam/Backup/job/blocks/{i:04d}.blk" for i in range(self.N)]
        datas = {k: hashlib.sha256(k.encode()).digest() * 8 for k in keys}

        def write(i_key):
            i, key = i_key
            kw = {"ContentMD5": md5_b64(datas[key])} if i % 2 == 0 else \
                {"ChecksumAlgorithm": "SHA256"}
            return key, self.put(b, key, datas[key], mode="COMPLIANCE", until=until, **kw)

        with ThreadPoolExecutor(8) as pool:
            vids = dict(pool.map(write, enumerate(keys)))
        self.assertEqual(len(set(vids.values())), self.N)
        for key in keys[:3] + keys[-3:]:
            self.assert_retention(b, key, vids[key], "COMPLIANCE", until)

        # block generation: extend retention of the current version, no VersionId, no bypass
        later = until + datetime.timedelta(days=10)
        ext = keys[:50]

        def extend(key):
            return s3.put_object_retention(Bucket=b, Key=key, Retention={
                "Mode": "COMPLIANCE", "RetainUntilDate": later})["ResponseMetadata"][
                    "HTTPStatusCode"]

        with ThreadPoolExecutor(8) as pool:
            self.assertEqual(set(pool.map(extend, ext)), {200})
        self.assert_retention(b, ext[0], vids[ext[0]], "COMPLIANCE", later)
        self.assert_retention(b, keys[50], vids[keys[50]], "COMPLIANCE", until)
        # Veeam's namespace-less body, Content-MD5
        body = (b"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>" + iso(later).encode()
                + b"</RetainUntilDate></Retention>")
        r = self.raw_put_sub(b, keys[60], "retention", body)
        self.assertEqual(r.status, 200, r.body)
        self.assert_retention(b, keys[60], vids[keys[60]], "COMPLIANCE", later)
        # going back is refused
        self.denied(s3.put_object_retention, Bucket=b, Key=ext[0], Retention={
            "Mode": "COMPLIANCE", "RetainUntilDate": until})

        # new versions over locked keys
        newer = {}
        for key in keys[:5]:
            newer[key] = self.put(b, key, b"next generation", mode="COMPLIANCE", until=until,
                                  ContentMD5=md5_b64(b"next generation"))
            self.assertNotEqual(newer[key], vids[key])
            self.assert_body(b, key, vids[key], datas[key])
        self.assert_retention(b, keys[0], vids[keys[0]], "COMPLIANCE", later)

        # DeleteObjects, 1000 keys without version ids: 1000 delete markers
        r = s3.delete_objects(Bucket=b, Delete={"Objects": [{"Key": k} for k in keys]})
        self.assertEqual(r.get("Errors", []), [])
        self.assertEqual(len(r["Deleted"]), self.N)
        self.assertTrue(all(d["DeleteMarker"] and d["DeleteMarkerVersionId"]
                            for d in r["Deleted"]))
        markers = {d["Key"]: d["DeleteMarkerVersionId"] for d in r["Deleted"]}
        self.assertEqual(s3.list_objects_v2(Bucket=b, Prefix="Veeam/")["KeyCount"], 0)

        # 1000 locked version ids: 1000 per-key AccessDenied, the batch itself is 200
        for bypass in (False, True):
            kw = {"BypassGovernanceRetention": True} if bypass else {}
            r = s3.delete_objects(Bucket=b, Delete={"Objects": [
                {"Key": k, "VersionId": vids[k]} for k in keys]}, **kw)
            self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 200)
            self.assertEqual(r.get("Deleted", []), [])
            self.assertEqual(len(r["Errors"]), self.N)
            self.assertEqual({e["Code"] for e in r["Errors"]}, {"AccessDenied"})
            self.assertEqual({(e["Key"], e["VersionId"]) for e in r["Errors"]},
                             set(vids.items()))
        for key in keys[::97]:
            self.assert_body(b, key, vids[key], datas[key])

        # more than 1000 entries is a malformed request
        self.fails(400, "MalformedXML", s3.delete_objects, Bucket=b, Delete={"Objects": [
            {"Key": f"k{i}"} for i in range(self.N + 1)]})

        # the markers are not protected: removing them restores the keys
        r = s3.delete_objects(Bucket=b, Delete={"Objects": [
            {"Key": k, "VersionId": m} for k, m in markers.items()], "Quiet": True})
        self.assertEqual(r.get("Errors", []), [])
        self.assertEqual(s3.list_objects_v2(Bucket=b, Prefix="Veeam/")["KeyCount"], self.N)
        got = s3.get_object(Bucket=b, Key=keys[0])
        self.assertEqual((got["VersionId"], got["Body"].read()),
                         (newer[keys[0]], b"next generation"))
        self.fails(409, "BucketNotEmpty", s3.delete_bucket, Bucket=b)


# ---- awscli s3api ---------------------------------------------------------------------------

class AwsCliLockTest(LockCase):
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
                    "--cli-read-timeout", "60", "s3api", *args, "--output", "json"], env=env,
                   check=check)

    def api(self, *args):
        out = self.aws(*args).stdout
        return json.loads(out) if out.strip() else {}

    def test_s3api_lock_calls(self):
        self.api("create-bucket", "--bucket", "cli-lock", "--object-lock-enabled-for-bucket")
        cfg = self.api("get-object-lock-configuration", "--bucket", "cli-lock")
        self.assertEqual(cfg["ObjectLockConfiguration"]["ObjectLockEnabled"], "Enabled")
        vid = self.put("cli-lock", "k", b"cli data")
        until = future(DAY)
        self.api("put-object-retention", "--bucket", "cli-lock", "--key", "k", "--version-id",
                 vid, "--retention",
                 json.dumps({"Mode": "COMPLIANCE", "RetainUntilDate": iso(until)}))
        got = self.api("get-object-retention", "--bucket", "cli-lock", "--key", "k")
        self.assertEqual(got["Retention"]["Mode"], "COMPLIANCE")
        self.assertEqual(datetime.datetime.fromisoformat(
            got["Retention"]["RetainUntilDate"].replace("Z", "+00:00")), until)
        self.api("put-object-legal-hold", "--bucket", "cli-lock", "--key", "k",
                 "--legal-hold", "Status=ON")
        h = self.api("head-object", "--bucket", "cli-lock", "--key", "k")
        self.assertEqual((h["ObjectLockMode"], h["ObjectLockLegalHoldStatus"]),
                         ("COMPLIANCE", "ON"))
        r = self.aws("delete-object", "--bucket", "cli-lock", "--key", "k", "--version-id", vid,
                     "--bypass-governance-retention", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"AccessDenied", r.stderr)
        r = self.aws("put-object-retention", "--bucket", "cli-lock", "--key", "k",
                     "--retention", json.dumps({"Mode": "GOVERNANCE",
                                                "RetainUntilDate": iso(until)}), check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"AccessDenied", r.stderr)
        self.assert_body("cli-lock", "k", vid, b"cli data")


if __name__ == "__main__":
    run_tests()
