# SPDX-License-Identifier: Apache-2.0
"""boto3 (default flexible checksums) against the real server, over HTTP (hex payload hash +
x-amz-checksum-crc32 header) and over HTTPS with a self-signed certificate (aws-chunked
STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer): bucket and object round trips
compared by SHA-256, odd keys, metadata, ranges, conditionals, response overrides,
checksum mode, ListObjects v1/v2 paging, DeleteObjects, presigned URLs."""
import base64
import datetime
import hashlib
import json
import os
import random
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import warnings
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from s3client import REGION, ServerCase, run_tests, self_signed_cert  # noqa: E402

try:
    import boto3
    import botocore
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError:
    print("boto3 not installed (container/deps.sh lists python3-boto3)")
    sys.exit(77)

# botocore >= 1.36 adds a CRC32 to every upload by itself; older ones (Debian 12 ships
# 1.29) do it when asked, with the same wire forms
DEFAULT_CHECKSUMS = tuple(int(x) for x in botocore.__version__.split(".")[:2]) >= (1, 36)
PUT_CRC32 = {} if DEFAULT_CHECKSUMS else {"ChecksumAlgorithm": "CRC32"}

warnings.filterwarnings("ignore", message="Unverified HTTPS request")

# key -> size; the sizes straddle the 64 KiB inline threshold of the store
OBJECTS = {
    "empty": 0,
    "one-byte": 1,
    "inline-minus-1": 64 * 1024 - 1,
    "inline-exact": 64 * 1024,
    "inline-plus-1": 64 * 1024 + 1,
    "five-mb": 5 * 1024 * 1024,
    "with space/and more spaces": 100,
    "plus+sign+key": 101,
    "percent%20not-an-escape%": 102,
    "unicode/\u00fc\u00e9\u00e8/\u65e5\u672c\u8a9e.txt": 103,
    "dots/../not/./normalised": 104,
    "double//slash": 105,
    "trailing-slash/": 0,
    "tilde~star*quote'paren(x)!": 106,
    "/leading-slash": 107,
    ".": 1,
    "..": 2,
    "../up": 3,
    "?not-a-query#nor-a-fragment&x=1": 108,
    "%2F": 4,
    "\U0001F600 four-byte utf-8": 109,
}


def sha(b):
    return hashlib.sha256(b).hexdigest()


def crc32_b64(b):
    return base64.b64encode(zlib.crc32(b).to_bytes(4, "big")).decode()


def code_of(exc):
    return exc.response["Error"]["Code"]


def status_of(exc):
    return exc.response["ResponseMetadata"]["HTTPStatusCode"]


class Boto3Base(ServerCase):
    scheme = "http"
    cert = None  # HTTPS: the self-signed certificate, used as the only CA

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = boto3.client(
            "s3", endpoint_url=cls.server.url, aws_access_key_id=cls.server.access_key,
            aws_secret_access_key=cls.server.secret_key, region_name=REGION, verify=cls.cert,
            config=Config(signature_version="s3v4", retries={"max_attempts": 1},
                          connect_timeout=10, read_timeout=60,
                          s3={"addressing_style": "path"}))
        cls.sent = []
        cls.s3.meta.events.register("before-send.s3.PutObject", cls._record)

    @classmethod
    def _record(cls, request, **_):
        cls.sent.append({k.lower(): v.decode() if isinstance(v, bytes) else v
                         for k, v in request.headers.items()})

    def bucket(self, name):
        self.s3.create_bucket(Bucket=name)
        return name

    # ---- object round trips --------------------------------------------------------------

    def test_object_round_trips_are_byte_exact(self):
        b = self.bucket("rt-" + self.scheme)
        rnd = random.Random(7)
        written = {}
        for key, size in OBJECTS.items():
            data = rnd.randbytes(size)
            written[key] = data
            self.sent.clear()
            r = self.s3.put_object(Bucket=b, Key=key, Body=data, **PUT_CRC32)
            self.assertEqual(r["ETag"], '"%s"' % hashlib.md5(data).hexdigest(), key)
            self.assertEqual(r["ChecksumCRC32"], crc32_b64(data), key)
            self.expect_payload(self.sent[-1])
        for key, data in written.items():
            g = self.s3.get_object(Bucket=b, Key=key, ChecksumMode="ENABLED")
            body = g["Body"].read()
            self.assertEqual(sha(body), sha(data), key)
            self.assertEqual(g["ContentLength"], len(data), key)
            self.assertEqual(g["ChecksumCRC32"], crc32_b64(data), key)
            self.assertEqual(g["ETag"], '"%s"' % hashlib.md5(data).hexdigest(), key)
            h = self.s3.head_object(Bucket=b, Key=key, ChecksumMode="ENABLED")
            self.assertEqual(h["ContentLength"], len(data), key)
            self.assertEqual(h["ChecksumCRC32"], crc32_b64(data), key)
            self.assertEqual(h["ContentType"], "binary/octet-stream", key)
            self.assertEqual(h["AcceptRanges"], "bytes")
        # the listing is exactly what was written, in UTF-8 byte order
        listed = [(o["Key"], o["Size"])
                  for p in self.s3.get_paginator("list_objects_v2").paginate(Bucket=b)
                  for o in p.get("Contents", [])]
        self.assertEqual(listed, sorted(((k, len(v)) for k, v in written.items()),
                                        key=lambda kv: kv[0].encode()))
        # delete every one: gone from GET, HEAD and the listing
        for key in written:
            self.assertEqual(self.s3.delete_object(Bucket=b, Key=key)
                             ["ResponseMetadata"]["HTTPStatusCode"], 204)
            with self.assertRaises(ClientError) as cm:
                self.s3.get_object(Bucket=b, Key=key)
            self.assertEqual(code_of(cm.exception), "NoSuchKey")
            with self.assertRaises(ClientError) as cm:
                self.s3.head_object(Bucket=b, Key=key)
            self.assertEqual(status_of(cm.exception), 404)
        self.assertEqual(self.s3.list_objects_v2(Bucket=b)["KeyCount"], 0)
        # deleting what is not there is not an error (unversioned bucket)
        self.assertEqual(self.s3.delete_object(Bucket=b, Key="never-was")
                         ["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.s3.delete_bucket(Bucket=b)

    def test_overwrite_replaces_the_object(self):
        b = self.bucket("ow-" + self.scheme)
        for i in range(3):
            data = os.urandom(70000 + i)
            self.s3.put_object(Bucket=b, Key="k", Body=data)
            self.assertEqual(sha(self.s3.get_object(Bucket=b, Key="k")["Body"].read()),
                             sha(data))
        self.assertEqual([o["Key"] for o in self.s3.list_objects_v2(Bucket=b)["Contents"]],
                         ["k"])

    def test_metadata_and_stored_headers(self):
        b = self.bucket("md-" + self.scheme)
        data = b"metadata body"
        self.s3.put_object(Bucket=b, Key="m", Body=data, ContentType="text/x-holdfast; q=1",
                           Metadata={"colour": "blue", "Mixed-Case": "V a l"},
                           CacheControl="max-age=60", ContentDisposition='attachment; f="x"',
                           ContentLanguage="de", ContentEncoding="identity")
        h = self.s3.head_object(Bucket=b, Key="m")
        self.assertEqual(h["ContentType"], "text/x-holdfast; q=1")
        self.assertEqual(h["Metadata"], {"colour": "blue", "mixed-case": "V a l"})
        self.assertEqual(h["CacheControl"], "max-age=60")
        self.assertEqual(h["ContentDisposition"], 'attachment; f="x"')
        self.assertEqual(h["ContentLanguage"], "de")
        # aws-chunked never leaks into the stored Content-Encoding (spec §2.4)
        self.assertEqual(h["ContentEncoding"], "identity")
        g = self.s3.get_object(Bucket=b, Key="m")
        self.assertEqual(g["Body"].read(), data)
        self.assertEqual(g["Metadata"], {"colour": "blue", "mixed-case": "V a l"})
        # response-* overrides replace the stored values on this response only
        g = self.s3.get_object(Bucket=b, Key="m", ResponseContentType="application/json",
                               ResponseContentDisposition="inline",
                               ResponseCacheControl="no-store", ResponseContentLanguage="fr",
                               ResponseContentEncoding="br",
                               ResponseExpires=datetime.datetime(2030, 1, 2, 3, 4, 5))
        self.assertEqual(g["Body"].read(), data)
        self.assertEqual(g["ContentType"], "application/json")
        self.assertEqual(g["ContentDisposition"], "inline")
        self.assertEqual(g["CacheControl"], "no-store")
        self.assertEqual(g["ContentLanguage"], "fr")
        self.assertEqual(g["ContentEncoding"], "br")
        self.assertEqual(g["ResponseMetadata"]["HTTPHeaders"]["expires"],
                         "Wed, 02 Jan 2030 03:04:05 GMT")
        self.assertEqual(self.s3.head_object(Bucket=b, Key="m")["ContentType"],
                         "text/x-holdfast; q=1")

    # ---- buckets -------------------------------------------------------------------------

    def test_bucket_lifecycle(self):
        name = "life-" + self.scheme
        self.s3.create_bucket(Bucket=name)
        names = [x["Name"] for x in self.s3.list_buckets()["Buckets"]]
        self.assertIn(name, names)
        self.assertEqual(names, sorted(names))
        h = self.s3.head_bucket(Bucket=name)
        self.assertEqual(h["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"], REGION)
        self.s3.put_object(Bucket=name, Key="x", Body=b"1")
        # the owner's re-create: 200 as AWS answers in us-east-1, or 409
        # BucketAlreadyOwnedByYou (spec §4.1); either way nothing in the bucket changes
        try:
            self.s3.create_bucket(Bucket=name)
        except ClientError as e:
            self.assertEqual((status_of(e), code_of(e)), (409, "BucketAlreadyOwnedByYou"))
        self.assertEqual(self.s3.get_object(Bucket=name, Key="x")["Body"].read(), b"1")
        with self.assertRaises(ClientError) as cm:
            self.s3.delete_bucket(Bucket=name)
        self.assertEqual(code_of(cm.exception), "BucketNotEmpty")
        self.assertEqual(status_of(cm.exception), 409)
        self.s3.delete_object(Bucket=name, Key="x")
        self.s3.delete_bucket(Bucket=name)
        with self.assertRaises(ClientError) as cm:
            self.s3.head_bucket(Bucket=name)
        self.assertEqual(status_of(cm.exception), 404)
        self.assertNotIn(name, [x["Name"] for x in self.s3.list_buckets()["Buckets"]])
        with self.assertRaises(ClientError) as cm:
            self.s3.list_objects_v2(Bucket=name)
        self.assertEqual(code_of(cm.exception), "NoSuchBucket")
        self.assertEqual(cm.exception.response["Error"]["BucketName"], name)
        self.assertEqual(self.s3.get_bucket_location(Bucket=self.bucket("loc-" + self.scheme))
                         .get("LocationConstraint"), None)


class Boto3HttpTest(Boto3Base):
    """Plain HTTP: boto3 signs the payload (hex SHA-256) and sends x-amz-checksum-crc32."""

    def expect_payload(self, h):
        self.assertRegex(h["x-amz-content-sha256"], r"^[0-9a-f]{64}$")
        self.assertIn("x-amz-checksum-crc32", h)
        self.assertNotIn("x-amz-trailer", h)

    def put(self, b, key, data):
        self.s3.put_object(Bucket=b, Key=key, Body=data, **PUT_CRC32)
        return data

    def test_ranges(self):
        b = self.bucket("range")
        data = self.put(b, "r", os.urandom(1000))
        for rng, start, end in [("bytes=0-0", 0, 0), ("bytes=10-19", 10, 19),
                                ("bytes=990-", 990, 999), ("bytes=-7", 993, 999),
                                ("bytes=500-5000", 500, 999), ("bytes=-5000", 0, 999)]:
            g = self.s3.get_object(Bucket=b, Key="r", Range=rng, ChecksumMode="ENABLED")
            self.assertEqual(g["ResponseMetadata"]["HTTPStatusCode"], 206, rng)
            self.assertEqual(g["ContentRange"], f"bytes {start}-{end}/1000", rng)
            self.assertEqual(g["Body"].read(), data[start:end + 1], rng)
            # a checksum never describes part of the object (spec §3.5)
            self.assertNotIn("ChecksumCRC32", g, rng)
        for rng in ["bytes=1000-", "bytes=1000-1001", "bytes=-0"]:
            with self.assertRaises(ClientError) as cm:
                self.s3.get_object(Bucket=b, Key="r", Range=rng)
            self.assertEqual(code_of(cm.exception), "InvalidRange", rng)
            self.assertEqual(status_of(cm.exception), 416, rng)
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPHeaders"]
                             ["content-range"], "bytes */1000")
        # ignorable ranges give the whole object
        for rng in ["bytes=5-1", "bytes=abc", "items=0-1"]:
            g = self.s3.get_object(Bucket=b, Key="r", Range=rng)
            self.assertEqual(g["ResponseMetadata"]["HTTPStatusCode"], 200, rng)
            self.assertEqual(g["Body"].read(), data, rng)
        self.put(b, "e", b"")
        with self.assertRaises(ClientError) as cm:
            self.s3.get_object(Bucket=b, Key="e", Range="bytes=0-1")
        self.assertEqual(code_of(cm.exception), "InvalidRange")
        # partNumber=1 of a single-part object: the whole object as a 206, no checksum
        g = self.s3.get_object(Bucket=b, Key="r", PartNumber=1, ChecksumMode="ENABLED")
        self.assertEqual(g["ResponseMetadata"]["HTTPStatusCode"], 206)
        self.assertEqual(g["ContentRange"], "bytes 0-999/1000")
        self.assertNotIn("ChecksumCRC32", g)
        self.assertEqual(g["Body"].read(), data)
        # a single-part object has no part 2: 400 InvalidPart (s3-tests
        # test_non_multipart_get_part); a multipart object answers 416 InvalidPartNumber
        with self.assertRaises(ClientError) as cm:
            self.s3.get_object(Bucket=b, Key="r", PartNumber=2)
        self.assertEqual((status_of(cm.exception), code_of(cm.exception)),
                         (400, "InvalidPart"))

    def test_conditional_get(self):
        b = self.bucket("cond")
        data = self.put(b, "c", b"conditional")
        h = self.s3.head_object(Bucket=b, Key="c")
        etag, mtime = h["ETag"], h["LastModified"]
        past = mtime - datetime.timedelta(hours=1)
        future = mtime + datetime.timedelta(hours=1)
        ok = [dict(IfMatch=etag), dict(IfMatch="*"), dict(IfMatch='"nope", ' + etag),
              dict(IfNoneMatch='"other"'), dict(IfModifiedSince=past),
              dict(IfUnmodifiedSince=future),
              # AWS quirk pair: If-Match true wins over If-Unmodified-Since false
              dict(IfMatch=etag, IfUnmodifiedSince=past)]
        for kw in ok:
            g = self.s3.get_object(Bucket=b, Key="c", **kw)
            self.assertEqual(g["Body"].read(), data, kw)
        for kw, status in [(dict(IfMatch='"nope"'), 412), (dict(IfUnmodifiedSince=past), 412),
                           (dict(IfNoneMatch=etag), 304), (dict(IfNoneMatch="*"), 304),
                           (dict(IfModifiedSince=future), 304),
                           (dict(IfModifiedSince=mtime), 304),
                           # If-None-Match false + If-Modified-Since true -> 304 is
                           # evaluated by If-None-Match alone: here it matches
                           (dict(IfNoneMatch=etag, IfModifiedSince=past), 304)]:
            with self.assertRaises(ClientError) as cm:
                self.s3.get_object(Bucket=b, Key="c", **kw)
            self.assertEqual(status_of(cm.exception), status, kw)
            if status == 412:
                self.assertEqual(code_of(cm.exception), "PreconditionFailed", kw)
            else:
                hdrs = cm.exception.response["ResponseMetadata"]["HTTPHeaders"]
                self.assertEqual(hdrs["etag"], etag, kw)
                self.assertIn("last-modified", hdrs, kw)
            with self.assertRaises(ClientError) as cm:
                self.s3.head_object(Bucket=b, Key="c", **kw)
            self.assertEqual(status_of(cm.exception), status, kw)

    def test_list_v2_and_v1_paging(self):
        b = self.bucket("paging")
        keys = [f"p/{i % 7}/k{i:04d}" for i in range(210)]
        keys += [f"top{i:03d}" for i in range(60)]
        keys += ["q/a b", "q/a+b", "q/\u00e9t\u00e9", "q/z", "q/sub/1", "q/sub/2", "q//x"]
        for k in keys:
            self.s3.put_object(Bucket=b, Key=k, Body=k.encode())
        want = sorted(keys, key=lambda k: k.encode())

        def v2(**kw):
            pages = list(self.s3.get_paginator("list_objects_v2")
                         .paginate(Bucket=b, **kw))
            for p in pages[:-1]:
                self.assertTrue(p["IsTruncated"])
                self.assertIn("NextContinuationToken", p)
                self.assertEqual(p["KeyCount"], len(p.get("Contents", []))
                                 + len(p.get("CommonPrefixes", [])))
            self.assertFalse(pages[-1]["IsTruncated"])
            return ([o["Key"] for p in pages for o in p.get("Contents", [])],
                    [c["Prefix"] for p in pages for c in p.get("CommonPrefixes", [])], pages)

        got, cps, pages = v2(PaginationConfig={"PageSize": 37})
        self.assertEqual(got, want)
        self.assertEqual(cps, [])
        self.assertEqual(len(pages), -(-len(keys) // 37))
        for o in pages[0]["Contents"]:
            self.assertEqual(o["Size"], len(o["Key"].encode()))
            self.assertEqual(o["ETag"], '"%s"' % hashlib.md5(o["Key"].encode()).hexdigest())
        # prefix
        got, _, _ = v2(Prefix="p/3/", PaginationConfig={"PageSize": 4})
        self.assertEqual(got, [k for k in want if k.startswith("p/3/")])
        # delimiter: every CommonPrefix once, across pages of 3
        got, cps, _ = v2(Delimiter="/", PaginationConfig={"PageSize": 3})
        self.assertEqual(got, [k for k in want if "/" not in k])
        self.assertEqual(cps, ["p/", "q/"])
        got, cps, _ = v2(Prefix="p/", Delimiter="/", PaginationConfig={"PageSize": 2})
        self.assertEqual(got, [])
        self.assertEqual(cps, [f"p/{i}/" for i in range(7)])
        got, cps, _ = v2(Prefix="q/", Delimiter="/", PaginationConfig={"PageSize": 1})
        self.assertEqual(got, ["q/a b", "q/a+b", "q/z", "q/\u00e9t\u00e9"])
        self.assertEqual(cps, ["q//", "q/sub/"])
        # start-after
        got, _, _ = v2(StartAfter="p/6/k0200", PaginationConfig={"PageSize": 50})
        self.assertEqual(got, [k for k in want if k.encode() > b"p/6/k0200"])
        # a continuation token resumes exactly; start-after is then ignored
        p1 = self.s3.list_objects_v2(Bucket=b, MaxKeys=5)
        p2 = self.s3.list_objects_v2(Bucket=b, MaxKeys=5, StartAfter="zzz",
                                     ContinuationToken=p1["NextContinuationToken"])
        self.assertEqual([o["Key"] for o in p2["Contents"]], want[5:10])
        self.assertEqual(p2["ContinuationToken"], p1["NextContinuationToken"])
        with self.assertRaises(ClientError) as cm:
            self.s3.list_objects_v2(Bucket=b, ContinuationToken="!!!not-a-token!!!")
        self.assertEqual(code_of(cm.exception), "InvalidArgument")
        # max-keys 0 and above 1000
        r = self.s3.list_objects_v2(Bucket=b, MaxKeys=0)
        self.assertEqual(r["KeyCount"], 0)
        r = self.s3.list_objects_v2(Bucket=b, MaxKeys=5000)
        self.assertEqual(r["MaxKeys"], 1000)
        self.assertEqual(r["KeyCount"], len(keys))
        # v1: marker paging (NextMarker whenever truncated)
        pages = list(self.s3.get_paginator("list_objects")
                     .paginate(Bucket=b, PaginationConfig={"PageSize": 41}))
        self.assertEqual([o["Key"] for p in pages for o in p.get("Contents", [])], want)
        for p in pages[:-1]:
            self.assertEqual(p["NextMarker"], p["Contents"][-1]["Key"])
            self.assertEqual(p["Contents"][0]["Owner"]["ID"], "holdfast")
        r = self.s3.list_objects(Bucket=b, Marker="top050")
        self.assertEqual([o["Key"] for o in r["Contents"]],
                         [k for k in want if k.encode() > b"top050"])
        self.assertEqual(r["Marker"], "top050")
        pages = list(self.s3.get_paginator("list_objects").paginate(
            Bucket=b, Delimiter="/", Prefix="p/", PaginationConfig={"PageSize": 3}))
        self.assertEqual([c["Prefix"] for p in pages for c in p.get("CommonPrefixes", [])],
                         [f"p/{i}/" for i in range(7)])

    def test_listings_match_a_model(self):
        """Random keys over a small alphabet (multi-byte UTF-8, '+', space, '//'): every
        prefix x delimiter x page size, v1 and v2, pages concatenated, equals the listing a
        straightforward model of spec §5.6 computes; start-after and marker likewise."""
        b = self.bucket("model")
        rnd = random.Random(11)
        alphabet = ["a", "b", "/", "\u00e9", "+", " ", "//", "ab"]
        keys = set()
        while len(keys) < 80:
            keys.add("".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 6))))
        keys = sorted(keys, key=lambda k: k.encode())
        for k in keys:
            self.s3.put_object(Bucket=b, Key=k, Body=k.encode())

        def model(prefix, delim, after=""):
            out, seen = [], set()
            for k in keys:
                if not k.startswith(prefix) or k.encode() <= after.encode():
                    continue
                rest = k[len(prefix):]
                if delim and delim in rest:
                    cp = prefix + rest.split(delim, 1)[0] + delim
                    if cp not in seen:
                        seen.add(cp)
                        out.append(cp)
                else:
                    out.append(k)
            return out

        def listed(api, **kw):
            got = []
            for p in self.s3.get_paginator(api).paginate(Bucket=b, **kw):
                page = [o["Key"] for o in p.get("Contents", [])]
                page += [c["Prefix"] for c in p.get("CommonPrefixes", [])]
                got += sorted(page, key=lambda k: k.encode())
            return got

        for prefix in ("", "a", "a/", "\u00e9"):
            for delim in ("", "/", "ab"):
                want = model(prefix, delim)
                for size in (3, 1000):
                    kw = {"Prefix": prefix, "PaginationConfig": {"PageSize": size}}
                    if delim:
                        kw["Delimiter"] = delim
                    for api in ("list_objects_v2", "list_objects"):
                        self.assertEqual(listed(api, **kw), want, (api, prefix, delim, size))
        for after in [rnd.choice(keys) for _ in range(4)] + ["a/\u00e9", "b+b", "\u00e9\u00e9"]:
            self.assertEqual(listed("list_objects_v2", StartAfter=after,
                                    PaginationConfig={"PageSize": 5}), model("", "", after))
            self.assertEqual(listed("list_objects", Marker=after,
                                    PaginationConfig={"PageSize": 5}), model("", "", after))

    def test_delete_objects(self):
        b = self.bucket("multidel")
        for i in range(20):
            self.s3.put_object(Bucket=b, Key=f"d/{i:02d}", Body=b"x" * i)
        r = self.s3.delete_objects(Bucket=b, Delete={
            "Objects": [{"Key": f"d/{i:02d}"} for i in range(5)] + [{"Key": "d/missing"}],
            "Quiet": False})
        self.assertEqual(sorted(d["Key"] for d in r["Deleted"]),
                         [f"d/{i:02d}" for i in range(5)] + ["d/missing"])
        self.assertNotIn("Errors", r)
        r = self.s3.delete_objects(Bucket=b, Delete={
            "Objects": [{"Key": f"d/{i:02d}"} for i in range(5, 10)], "Quiet": True})
        self.assertNotIn("Deleted", r)
        self.assertNotIn("Errors", r)
        # a bad entry is reported per key; the others are deleted
        r = self.s3.delete_objects(Bucket=b, Delete={
            "Objects": [{"Key": "d/10"}, {"Key": "d/11", "VersionId": "not a version id"},
                        {"Key": "d/12"}], "Quiet": True})
        self.assertNotIn("Deleted", r)
        self.assertEqual([(e["Key"], e["Code"]) for e in r["Errors"]],
                         [("d/11", "InvalidArgument")])
        left = [o["Key"] for o in self.s3.list_objects_v2(Bucket=b)["Contents"]]
        self.assertEqual(left, ["d/11"] + [f"d/{i:02d}" for i in range(13, 20)])

    def test_presigned_urls(self):
        b = self.bucket("presign")
        data = os.urandom(100000)
        self.s3.put_object(Bucket=b, Key="dir/pre signed+\u00fc", Body=data)
        url = self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": b, "Key": "dir/pre signed+\u00fc"}, ExpiresIn=300)
        self.assertIn("X-Amz-Signature=", url)
        with urllib.request.urlopen(url, timeout=20) as resp:
            self.assertEqual(sha(resp.read()), sha(data))
        url = self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": b, "Key": "dir/pre signed+\u00fc",
                                  "ResponseContentType": "text/plain"}, ExpiresIn=300)
        with urllib.request.urlopen(url, timeout=20) as resp:
            self.assertEqual(resp.headers["Content-Type"], "text/plain")
            resp.read()
        # presigned PUT, then read back
        url = self.s3.generate_presigned_url(
            "put_object", Params={"Bucket": b, "Key": "uploaded"}, ExpiresIn=300)
        req = urllib.request.Request(url, data=b"via presigned put", method="PUT")
        with urllib.request.urlopen(req, timeout=20) as resp:
            self.assertEqual(resp.status, 200)
        self.assertEqual(self.s3.get_object(Bucket=b, Key="uploaded")["Body"].read(),
                         b"via presigned put")
        # expired
        url = self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": b, "Key": "uploaded"}, ExpiresIn=1)
        time.sleep(2.1)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(url, timeout=20)
        self.assertEqual(cm.exception.code, 403)
        body = cm.exception.read().decode()
        self.assertIn("<Code>AccessDenied</Code>", body)
        self.assertIn("Request has expired", body)
        # a tampered presigned URL
        url = self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": b, "Key": "uploaded"}, ExpiresIn=300)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(url.replace("uploaded", "uploadeD"), timeout=20)
        self.assertEqual(cm.exception.code, 403)
        self.assertIn("<Code>SignatureDoesNotMatch</Code>", cm.exception.read().decode())

    def test_concurrent_clients(self):
        """Eight threads writing, reading back, overwriting one shared key and listing at
        once: every read is byte-exact and the listing ends up exact."""
        b = self.bucket("concurrent")
        errors, written, lock = [], {}, threading.Lock()

        def worker(i):
            rnd = random.Random(i)
            try:
                for j in range(6):
                    data = rnd.randbytes(rnd.choice([0, 1, 65535, 65536, 65537, 300000]))
                    key = f"t{i}/o{j}"
                    self.s3.put_object(Bucket=b, Key=key, Body=data, **PUT_CRC32)
                    got = self.s3.get_object(Bucket=b, Key=key)["Body"].read()
                    if sha(got) != sha(data):
                        errors.append(key)
                    self.s3.put_object(Bucket=b, Key="shared", Body=data, **PUT_CRC32)
                    self.s3.list_objects_v2(Bucket=b, Prefix=f"t{i}/")
                    with lock:
                        written[key] = len(data)
            except Exception as e:  # reported below, with the thread's key
                errors.append(repr(e))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(errors, [])
        listed = {o["Key"]: o["Size"]
                  for p in self.s3.get_paginator("list_objects_v2").paginate(Bucket=b)
                  for o in p.get("Contents", [])}
        shared = listed.pop("shared")
        self.assertEqual(listed, written)
        self.assertIn(shared, set(written.values()))

    def test_upload_file_below_multipart_threshold(self):
        b = self.bucket("xfer")
        with tempfile.TemporaryDirectory() as d:
            src, dst = os.path.join(d, "src"), os.path.join(d, "dst")
            with open(src, "wb") as f:
                f.write(os.urandom(3 * 1024 * 1024 + 5))
            self.s3.upload_file(src, b, "f")
            self.s3.download_file(b, "f", dst)
            with open(src, "rb") as f1, open(dst, "rb") as f2:
                self.assertEqual(sha(f1.read()), sha(f2.read()))


class Boto3HttpsTest(Boto3Base):
    """HTTPS with a self-signed certificate: boto3 ≥ 1.36 streams the body as aws-chunked
    STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer and no Content-Length."""
    scheme = "https"

    @classmethod
    def server_config(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.cert, key = self_signed_cert(cls.tmp.name)
        return json.dumps({"tls": {"cert": cls.cert, "key": key}})

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.tmp.cleanup()

    def expect_payload(self, h):
        self.assertEqual(h["x-amz-content-sha256"], "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
        self.assertEqual(h["x-amz-trailer"], "x-amz-checksum-crc32")
        self.assertIn("aws-chunked", h["content-encoding"])
        self.assertNotIn("x-amz-checksum-crc32", h)

    def test_self_signed_certificate_without_verification(self):
        s3 = boto3.client(
            "s3", endpoint_url=self.server.url, aws_access_key_id=self.server.access_key,
            aws_secret_access_key=self.server.secret_key, region_name=REGION, verify=False,
            config=Config(retries={"max_attempts": 1}, connect_timeout=10, read_timeout=60))
        b = self.bucket("noverify")
        data = os.urandom(200000)
        s3.put_object(Bucket=b, Key="k", Body=data)
        self.assertEqual(sha(s3.get_object(Bucket=b, Key="k")["Body"].read()), sha(data))


del Boto3Base  # a base, not a test class of its own

if __name__ == "__main__":
    run_tests()
