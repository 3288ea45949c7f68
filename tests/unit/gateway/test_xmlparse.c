/* SPDX-License-Identifier: Apache-2.0 */
/* Request-body XML: every parser with and without the S3 namespace, malformed input, the
 * spec's specific codes, and hostile documents (DOCTYPE, entity bombs, XXE, depth, size,
 * counts, foreign encodings). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "s3/xmlparse.h"

/* malloc or die: a test without memory cannot say anything useful */
static void *
xmalloc(size_t n)
{
	void *p = malloc(n);
	if (!p)
		abort();
	return p;
}

#define NSDECL " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
#define MAXB S3_XML_CONFIG_MAX_BYTES

static size_t
L(const char *s)
{
	return strlen(s);
}

static void
test_create_bucket(void)
{
	struct s3_create_bucket_conf c;
	struct s3_xml_err e;
	const char *a = "<CreateBucketConfiguration" NSDECL
	                "><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>";
	const char *b = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateBucketConfiguration>\n"
	                "  <LocationConstraint>us-west-2</LocationConstraint>\n</CreateBucketConfiguration>\n";

	CHECK_INT_EQ(s3_xml_parse_create_bucket(a, L(a), MAXB, &c, &e), S3E_NONE);
	CHECK_STR_EQ(c.location.p, "eu-west-1");
	CHECK_INT_EQ(c.location.n, 9);
	s3_create_bucket_conf_release(&c);
	CHECK_INT_EQ(s3_xml_parse_create_bucket(b, L(b), MAXB, &c, &e), S3E_NONE);
	CHECK_STR_EQ(c.location.p, "us-west-2");
	s3_create_bucket_conf_release(&c);
	/* empty body and empty element: the default region */
	CHECK_INT_EQ(s3_xml_parse_create_bucket("", 0, MAXB, &c, &e), S3E_NONE);
	CHECK(c.location.n == 0 && c.location.p && c.location.p[0] == '\0');
	s3_create_bucket_conf_release(&c);
	a = "<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_create_bucket(a, L(a), MAXB, &c, &e), S3E_NONE);
	CHECK_INT_EQ(c.location.n, 0);
	s3_create_bucket_conf_release(&c);
	a = "<CreateBucketConfiguration/>";
	CHECK_INT_EQ(s3_xml_parse_create_bucket(a, L(a), MAXB, &c, &e), S3E_NONE);
	s3_create_bucket_conf_release(&c);
	/* prefixed namespace, unknown siblings ignored */
	a = "<s3:CreateBucketConfiguration xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	    "<s3:Bucket><s3:Type>Directory</s3:Type></s3:Bucket>"
	    "<s3:LocationConstraint>ap-south-1</s3:LocationConstraint></s3:CreateBucketConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_create_bucket(a, L(a), MAXB, &c, &e), S3E_NONE);
	CHECK_STR_EQ(c.location.p, "ap-south-1");
	s3_create_bucket_conf_release(&c);
	/* malformed */
	a = "<CreateBucketConfiguration><LocationConstraint>x</LocationConstraint>";
	CHECK_INT_EQ(s3_xml_parse_create_bucket(a, L(a), MAXB, &c, &e), S3E_MalformedXML);
	CHECK_STR_EQ(e.detail, "not well-formed");
	a = "<Other><LocationConstraint>x</LocationConstraint></Other>";
	CHECK_INT_EQ(s3_xml_parse_create_bucket(a, L(a), MAXB, &c, &e), S3E_MalformedXML);
	CHECK_STR_EQ(e.detail, "wrong root element");
	a = "<CreateBucketConfiguration><LocationConstraint>a</LocationConstraint>"
	    "<LocationConstraint>b</LocationConstraint></CreateBucketConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_create_bucket(a, L(a), MAXB, &c, &e), S3E_MalformedXML);
	a = "<CreateBucketConfiguration><LocationConstraint><x/></LocationConstraint></CreateBucketConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_create_bucket(a, L(a), MAXB, &c, &e), S3E_MalformedXML);
	a = "<CreateBucketConfiguration>junk<LocationConstraint>a</LocationConstraint></CreateBucketConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_create_bucket(a, L(a), MAXB, &c, &e), S3E_MalformedXML);
	a = "   ";
	CHECK_INT_EQ(s3_xml_parse_create_bucket(a, L(a), MAXB, &c, &e), S3E_MalformedXML);
}

static char *
delete_doc(size_t nobj, bool ns)
{
	size_t cap = 128 + nobj * 64, k = 0;
	char *d = xmalloc(cap);

	k += (size_t)snprintf(d + k, cap - k, "<Delete%s><Quiet>true</Quiet>", ns ? NSDECL : "");
	for (size_t i = 0; i < nobj; i++)
		k += (size_t)snprintf(d + k, cap - k, "<Object><Key>k%zu</Key></Object>", i);
	snprintf(d + k, cap - k, "</Delete>");
	return d;
}

static void
test_delete(void)
{
	struct s3_delete_req d;
	struct s3_xml_err e;
	const char *a = "<Delete" NSDECL "><Object><Key>a b+c &amp; &lt;d&gt;</Key>"
	                "<VersionId>v1</VersionId></Object>"
	                "<Object><Key>photos/\xE2\x82\xAC.jpg</Key><ETag>\"x\"</ETag><Size>3</Size></Object>"
	                "<Object><Key><![CDATA[<raw>]]></Key><VersionId></VersionId></Object>"
	                "<Object><Key></Key></Object></Delete>";
	char *big;

	memset(&d, 0, sizeof(d));
	CHECK_INT_EQ(s3_xml_parse_delete(a, L(a), S3_XML_DELETE_MAX_BYTES, &d, &e), S3E_NONE);
	CHECK_INT_EQ(d.n, 4);
	CHECK(!d.quiet);
	if (d.n == 4) {
		CHECK_STR_EQ(d.objects[0].key.p, "a b+c & <d>");
		CHECK(d.objects[0].has_version_id);
		CHECK_STR_EQ(d.objects[0].version_id.p, "v1");
		CHECK_STR_EQ(d.objects[1].key.p, "photos/\xE2\x82\xAC.jpg");
		CHECK(!d.objects[1].has_version_id);
		CHECK_STR_EQ(d.objects[2].key.p, "<raw>");
		CHECK(d.objects[2].has_version_id && d.objects[2].version_id.n == 0);
		CHECK(d.objects[3].key.n == 0);
	}
	s3_delete_req_release(&d);
	CHECK(d.objects == NULL && d.n == 0);
	s3_delete_req_release(&d);

	/* without namespace, keys with leading/trailing spaces kept exactly, quiet forms */
	a = "<Delete>\n <Quiet>TRUE</Quiet>\n <Object>\n  <Key> sp </Key>\n </Object>\n</Delete>";
	CHECK_INT_EQ(s3_xml_parse_delete(a, L(a), MAXB, &d, &e), S3E_NONE);
	CHECK(d.quiet);
	CHECK_STR_EQ(d.objects[0].key.p, " sp ");
	s3_delete_req_release(&d);
	a = "<Delete><Quiet>0</Quiet><Object><Key>k</Key></Object></Delete>";
	CHECK_INT_EQ(s3_xml_parse_delete(a, L(a), MAXB, &d, &e), S3E_NONE);
	CHECK(!d.quiet);
	s3_delete_req_release(&d);
	/* rclone-style numeric character references */
	a = "<Delete><Object><Key>&#34;q&#34;&#x20AC;</Key></Object></Delete>";
	CHECK_INT_EQ(s3_xml_parse_delete(a, L(a), MAXB, &d, &e), S3E_NONE);
	CHECK_STR_EQ(d.objects[0].key.p, "\"q\"\xE2\x82\xAC");
	s3_delete_req_release(&d);

	/* 1000 objects fine, 1001 MalformedXML (§5.4) */
	big = delete_doc(1000, true);
	CHECK_INT_EQ(s3_xml_parse_delete(big, L(big), S3_XML_DELETE_MAX_BYTES, &d, &e), S3E_NONE);
	CHECK_INT_EQ(d.n, 1000);
	CHECK(d.quiet);
	CHECK_STR_EQ(d.objects[999].key.p, "k999");
	s3_delete_req_release(&d);
	free(big);
	big = delete_doc(1001, false);
	CHECK_INT_EQ(s3_xml_parse_delete(big, L(big), S3_XML_DELETE_MAX_BYTES, &d, &e), S3E_MalformedXML);
	CHECK_STR_EQ(e.detail, "more than 1000 Object");
	free(big);
	big = delete_doc(5000, false);
	CHECK_INT_EQ(s3_xml_parse_delete(big, L(big), S3_XML_DELETE_MAX_BYTES, &d, &e), S3E_MalformedXML);
	free(big);

	/* malformed */
	static const char *const bad[] = {
		"<Delete></Delete>",
		"<Delete><Quiet>true</Quiet></Delete>",
		"<Delete><Object><VersionId>v</VersionId></Object></Delete>",
		"<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>",
		"<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object></Delete>",
		"<Delete><Quiet>true</Quiet><Quiet>true</Quiet><Object><Key>a</Key></Object></Delete>",
		"<Delete><Object><Key>a<b/></Key></Object></Delete>",
		"<Delete><Object>text<Key>a</Key></Object></Delete>",
		"<Delete><Object><Key>a</Key></Object>",
		"<Delete><Object><Key>a</Key></Object></Delete><Delete/>",
		"<DeleteX><Object><Key>a</Key></Object></DeleteX>",
		"<Delete><Object><Key>&foo;</Key></Object></Delete>",
		"<Delete><Object><Key>\x01</Key></Object></Delete>",
		"<Delete><Object><Key>\xC3\x28</Key></Object></Delete>",
		"not xml at all",
		"<Delete><Object><Key>a</Key></Object></Delete",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&d, 0x5A, sizeof(d));
		if (s3_xml_parse_delete(bad[i], L(bad[i]), MAXB, &d, &e) != S3E_MalformedXML) {
			fprintf(stderr, "delete bad[%zu] accepted\n", i);
			check_failures++;
		}
		CHECK(((unsigned char *)&d)[0] == 0x5A); /* out untouched */
	}
	CHECK_INT_EQ(s3_xml_parse_delete("", 0, MAXB, &d, &e), S3E_MalformedXML);
	CHECK_INT_EQ(s3_xml_parse_delete(NULL, 0, MAXB, &d, NULL), S3E_MalformedXML);
}

static void
test_versioning(void)
{
	struct s3_versioning_conf v;
	struct s3_xml_err e;
	const char *a = "<VersioningConfiguration" NSDECL "><Status>Enabled</Status></VersioningConfiguration>";

	CHECK_INT_EQ(s3_xml_parse_versioning(a, L(a), MAXB, &v, &e), S3E_NONE);
	CHECK_INT_EQ(v.status, S3_VERSIONING_ENABLED);
	CHECK_INT_EQ(v.mfa_delete, S3_MFA_DELETE_UNSET);
	a = "<VersioningConfiguration><Status>Suspended</Status><MfaDelete>Disabled</MfaDelete></VersioningConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_versioning(a, L(a), MAXB, &v, &e), S3E_NONE);
	CHECK_INT_EQ(v.status, S3_VERSIONING_SUSPENDED);
	CHECK_INT_EQ(v.mfa_delete, S3_MFA_DELETE_DISABLED);
	a = "<VersioningConfiguration/>";
	CHECK_INT_EQ(s3_xml_parse_versioning(a, L(a), MAXB, &v, &e), S3E_NONE);
	CHECK_INT_EQ(v.status, S3_VERSIONING_UNSET);
	a = "<VersioningConfiguration><Status>Enabled</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_versioning(a, L(a), MAXB, &v, &e), S3E_NotImplemented);
	a = "<VersioningConfiguration><Status>enabled</Status></VersioningConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_versioning(a, L(a), MAXB, &v, &e), S3E_MalformedXML);
	CHECK_STR_EQ(e.detail, "bad Status");
	a = "<VersioningConfiguration><Status>Disabled</Status></VersioningConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_versioning(a, L(a), MAXB, &v, &e), S3E_MalformedXML);
	a = "<VersioningConfiguration><Status> Enabled</Status></VersioningConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_versioning(a, L(a), MAXB, &v, &e), S3E_MalformedXML);
	a = "<VersioningConfiguration><Status>Enabled</Status><Status>Enabled</Status></VersioningConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_versioning(a, L(a), MAXB, &v, &e), S3E_MalformedXML);
	a = "<VersioningConfiguration><MfaDelete>Maybe</MfaDelete></VersioningConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_versioning(a, L(a), MAXB, &v, &e), S3E_MalformedXML);
	a = "<Versioning><Status>Enabled</Status></Versioning>";
	CHECK_INT_EQ(s3_xml_parse_versioning(a, L(a), MAXB, &v, &e), S3E_MalformedXML);
}

static void
test_object_lock(void)
{
	struct s3_object_lock_conf c;
	struct s3_xml_err e;
	const char *a = "<ObjectLockConfiguration" NSDECL "><ObjectLockEnabled>Enabled</ObjectLockEnabled>"
	                "<Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>30</Days></DefaultRetention></Rule>"
	                "</ObjectLockConfiguration>";

	CHECK_INT_EQ(s3_xml_parse_object_lock(a, L(a), MAXB, &c, &e), S3E_NONE);
	CHECK(c.has_rule && c.mode == S3_LOCK_COMPLIANCE && c.days == 30 && c.years == 0);
	a = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>"
	    "<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Years>100</Years></DefaultRetention></Rule>"
	    "</ObjectLockConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_object_lock(a, L(a), MAXB, &c, &e), S3E_NONE);
	CHECK(c.has_rule && c.mode == S3_LOCK_GOVERNANCE && c.years == 100 && c.days == 0);
	a = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_object_lock(a, L(a), MAXB, &c, &e), S3E_NONE);
	CHECK(!c.has_rule && c.mode == S3_LOCK_NONE);
	a = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>"
	    "<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>36500</Days></DefaultRetention></Rule>"
	    "</ObjectLockConfiguration>";
	CHECK_INT_EQ(s3_xml_parse_object_lock(a, L(a), MAXB, &c, &e), S3E_NONE);
	CHECK_INT_EQ(c.days, 36500);

	struct {
		const char *body;
		enum s3_code rc;
		const char *msg, *arg, *val;
	} t[] = {
		{ "<ObjectLockConfiguration/>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>enabled</ObjectLockEnabled></ObjectLockConfiguration>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule></Rule></ObjectLockConfiguration>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>governance</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode></DefaultRetention></Rule></ObjectLockConfiguration>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1.5</Days></DefaultRetention></Rule></ObjectLockConfiguration>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>99999999999</Days></DefaultRetention></Rule></ObjectLockConfiguration>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days></Days></DefaultRetention></Rule></ObjectLockConfiguration>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule/><Rule/></ObjectLockConfiguration>", S3E_MalformedXML, NULL, NULL, NULL },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
		  S3E_InvalidArgument, "Default retention period must be a positive integer value.", "Days", "0" },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>-5</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
		  S3E_InvalidArgument, "Default retention period must be a positive integer value.", "Days", "-5" },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>0</Years></DefaultRetention></Rule></ObjectLockConfiguration>",
		  S3E_InvalidArgument, "Default retention period must be a positive integer value.", "Years", "0" },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>36501</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
		  S3E_InvalidArgument, "Default retention period too large.", "Days", "36501" },
		{ "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>101</Years></DefaultRetention></Rule></ObjectLockConfiguration>",
		  S3E_InvalidArgument, "Default retention period too large.", "Years", "101" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum s3_code rc = s3_xml_parse_object_lock(t[i].body, L(t[i].body), MAXB, &c, &e);
		if (rc != t[i].rc) {
			fprintf(stderr, "object lock case %zu: rc %d want %d\n", i, rc, t[i].rc);
			check_failures++;
			continue;
		}
		if (t[i].msg) {
			CHECK_STR_EQ(e.message, t[i].msg);
			CHECK_STR_EQ(e.arg_name, t[i].arg);
			CHECK_STR_EQ(e.arg_value, t[i].val);
		}
	}
	/* the MissingRequestBodyError helper (§4.7 "Empty body") */
	CHECK_INT_EQ(s3_xml_require_body(0), S3E_MissingRequestBodyError);
	CHECK_INT_EQ(s3_xml_require_body(1), S3E_NONE);
}

static void
test_retention(void)
{
	struct s3_retention r;
	struct s3_xml_err e;
	/* Veeam: no namespace [SWFS#7516]; boto3: namespace, date without fraction */
	const char *a = "<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.000Z</RetainUntilDate></Retention>";
	const char *b = "<Retention" NSDECL "><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>";

	CHECK_INT_EQ(s3_xml_parse_retention(a, L(a), MAXB, &r, &e), S3E_NONE);
	CHECK(r.mode == S3_LOCK_COMPLIANCE && r.retain_until_ns == INT64_C(1893456000000000000));
	CHECK_INT_EQ(s3_xml_parse_retention(b, L(b), MAXB, &r, &e), S3E_NONE);
	CHECK(r.mode == S3_LOCK_GOVERNANCE && r.retain_until_ns == INT64_C(1893456000000000000));
	a = "<Retention><RetainUntilDate>2030-01-01T01:00:00+01:00</RetainUntilDate><Mode>GOVERNANCE</Mode></Retention>";
	CHECK_INT_EQ(s3_xml_parse_retention(a, L(a), MAXB, &r, &e), S3E_NONE);
	CHECK(r.retain_until_ns == INT64_C(1893456000000000000));
	a = "<Retention/>";
	CHECK_INT_EQ(s3_xml_parse_retention(a, L(a), MAXB, &r, &e), S3E_NONE);
	CHECK(r.mode == S3_LOCK_NONE);
	a = "<Retention" NSDECL "></Retention>";
	CHECK_INT_EQ(s3_xml_parse_retention(a, L(a), MAXB, &r, &e), S3E_NONE);

	static const char *const bad[] = {
		"<Retention><Mode>governance</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>",
		"<Retention><Mode>COMPLIANCE</Mode></Retention>",
		"<Retention><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>",
		"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01</RetainUntilDate></Retention>",
		"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>tomorrow</RetainUntilDate></Retention>",
		"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>9999-01-01T00:00:00Z</RetainUntilDate></Retention>",
		"<Retention><Mode>COMPLIANCE</Mode><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>",
		"<ObjectRetention><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></ObjectRetention>",
		"<Retention><Mode></Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (s3_xml_parse_retention(bad[i], L(bad[i]), MAXB, &r, &e) != S3E_MalformedXML) {
			fprintf(stderr, "retention bad[%zu] accepted\n", i);
			check_failures++;
		}
	CHECK_INT_EQ(s3_xml_parse_retention("", 0, MAXB, &r, &e), S3E_MalformedXML);
}

static void
test_legal_hold(void)
{
	struct s3_legal_hold h = { false };
	struct s3_xml_err e;
	const char *a = "<LegalHold" NSDECL "><Status>ON</Status></LegalHold>";

	CHECK_INT_EQ(s3_xml_parse_legal_hold(a, L(a), MAXB, &h, &e), S3E_NONE);
	CHECK(h.on);
	a = "<LegalHold><Status>OFF</Status></LegalHold>";
	CHECK_INT_EQ(s3_xml_parse_legal_hold(a, L(a), MAXB, &h, &e), S3E_NONE);
	CHECK(!h.on);
	a = "<ObjectLockLegalHold><Status>ON</Status></ObjectLockLegalHold>";
	CHECK_INT_EQ(s3_xml_parse_legal_hold(a, L(a), MAXB, &h, &e), S3E_NONE);
	CHECK(h.on);
	/* §8.6: not exactly ON/OFF, and an empty body, are MalformedXML */
	a = "<LegalHold><Status>on</Status></LegalHold>";
	CHECK_INT_EQ(s3_xml_parse_legal_hold(a, L(a), MAXB, &h, &e), S3E_MalformedXML);
	a = "<LegalHold><Status>ON </Status></LegalHold>";
	CHECK_INT_EQ(s3_xml_parse_legal_hold(a, L(a), MAXB, &h, &e), S3E_MalformedXML);
	a = "<LegalHold/>";
	CHECK_INT_EQ(s3_xml_parse_legal_hold(a, L(a), MAXB, &h, &e), S3E_MalformedXML);
	CHECK_STR_EQ(e.detail, "no Status");
	a = "<Hold><Status>ON</Status></Hold>";
	CHECK_INT_EQ(s3_xml_parse_legal_hold(a, L(a), MAXB, &h, &e), S3E_MalformedXML);
	CHECK_INT_EQ(s3_xml_parse_legal_hold("", 0, MAXB, &h, &e), S3E_MalformedXML);
	CHECK(h.on); /* untouched by the failures */
}

static void
test_complete(void)
{
	struct s3_complete_req c;
	struct s3_xml_err e;
	/* s3cmd: no namespace, unquoted ETag; rclone: &#34;-quoted; boto3: CRC32 per part */
	const char *a = "<CompleteMultipartUpload>"
	                "<Part><PartNumber>1</PartNumber><ETag>d41d8cd98f00b204e9800998ecf8427e</ETag></Part>"
	                "<Part><ETag>&#34;abc&#34;</ETag><PartNumber>3</PartNumber></Part>"
	                "<Part><PartNumber>0010</PartNumber><ETag>\"x\"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32>"
	                "<ChecksumCRC32C>c2</ChecksumCRC32C><ChecksumCRC64NVME>c3</ChecksumCRC64NVME>"
	                "<ChecksumSHA1>s1</ChecksumSHA1><ChecksumSHA256>s2</ChecksumSHA256></Part>"
	                "</CompleteMultipartUpload>";

	CHECK_INT_EQ(s3_xml_parse_complete(a, L(a), MAXB, &c, &e), S3E_NONE);
	CHECK_INT_EQ(c.n, 3);
	if (c.n == 3) {
		CHECK_INT_EQ(c.parts[0].part_number, 1);
		CHECK_STR_EQ(c.parts[0].etag.p, "d41d8cd98f00b204e9800998ecf8427e");
		CHECK(c.parts[0].crc32.p == NULL && c.parts[0].sha256.p == NULL);
		CHECK_INT_EQ(c.parts[1].part_number, 3);
		CHECK_STR_EQ(c.parts[1].etag.p, "\"abc\"");
		CHECK_INT_EQ(c.parts[2].part_number, 10);
		CHECK_STR_EQ(c.parts[2].crc32.p, "AAAAAA==");
		CHECK_STR_EQ(c.parts[2].crc32c.p, "c2");
		CHECK_STR_EQ(c.parts[2].crc64nvme.p, "c3");
		CHECK_STR_EQ(c.parts[2].sha1.p, "s1");
		CHECK_STR_EQ(c.parts[2].sha256.p, "s2");
	}
	s3_complete_req_release(&c);
	a = "<CompleteMultipartUpload" NSDECL "><Part><ETag>\"e\"</ETag><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>";
	CHECK_INT_EQ(s3_xml_parse_complete(a, L(a), MAXB, &c, &e), S3E_NONE);
	CHECK_INT_EQ(c.n, 1);
	s3_complete_req_release(&c);

	/* §7.4 order of checks */
	a = "<CompleteMultipartUpload></CompleteMultipartUpload>";
	CHECK_INT_EQ(s3_xml_parse_complete(a, L(a), MAXB, &c, &e), S3E_MalformedXML);
	a = "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>e</ETag></Part>"
	    "<Part><PartNumber>0</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>";
	CHECK_INT_EQ(s3_xml_parse_complete(a, L(a), MAXB, &c, &e), S3E_InvalidArgument);
	CHECK_STR_EQ(e.message, "PartNumber must be >= 1");
	CHECK_STR_EQ(e.arg_name, "PartNumber");
	CHECK_STR_EQ(e.arg_value, "0");
	a = "<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>";
	CHECK_INT_EQ(s3_xml_parse_complete(a, L(a), MAXB, &c, &e), S3E_InvalidArgument);
	a = "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>e</ETag></Part>"
	    "<Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>";
	CHECK_INT_EQ(s3_xml_parse_complete(a, L(a), MAXB, &c, &e), S3E_InvalidPartOrder);
	a = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>"
	    "<Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>";
	CHECK_INT_EQ(s3_xml_parse_complete(a, L(a), MAXB, &c, &e), S3E_InvalidPartOrder);
	static const char *const bad[] = {
		"<CompleteMultipartUpload><Part><ETag>e</ETag></Part></CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>4294967297</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><PartNumber>2</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>",
		"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag><ChecksumCRC32>a</ChecksumCRC32><ChecksumCRC32>b</ChecksumCRC32></Part></CompleteMultipartUpload>",
		"<Complete><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></Complete>",
		"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (s3_xml_parse_complete(bad[i], L(bad[i]), MAXB, &c, &e) != S3E_MalformedXML) {
			fprintf(stderr, "complete bad[%zu] accepted\n", i);
			check_failures++;
		}

	/* 10000 parts fine, 10001 MalformedXML */
	size_t cap = 64 + 10001 * 64, k = 0;
	char *d = xmalloc(cap);
	k += (size_t)snprintf(d + k, cap - k, "<CompleteMultipartUpload>");
	for (int i = 1; i <= 10000; i++)
		k += (size_t)snprintf(d + k, cap - k, "<Part><PartNumber>%d</PartNumber><ETag>e</ETag></Part>", i);
	snprintf(d + k, cap - k, "</CompleteMultipartUpload>");
	CHECK_INT_EQ(s3_xml_parse_complete(d, L(d), S3_XML_COMPLETE_MAX_BYTES, &c, &e), S3E_NONE);
	CHECK_INT_EQ(c.n, 10000);
	if (c.n == 10000)
		CHECK_INT_EQ(c.parts[9999].part_number, 10000);
	s3_complete_req_release(&c);
	k += (size_t)snprintf(d + k, cap - k, "<Part><PartNumber>10001</PartNumber><ETag>e</ETag></Part>");
	snprintf(d + k, cap - k, "</CompleteMultipartUpload>");
	CHECK_INT_EQ(s3_xml_parse_complete(d, L(d), S3_XML_COMPLETE_MAX_BYTES, &c, &e), S3E_MalformedXML);
	free(d);
}

static void
test_tagging(void)
{
	struct s3_tagging t;
	struct s3_xml_err e;
	char buf[4096], k129[200], v257[300];
	const char *a = "<Tagging" NSDECL "><TagSet><Tag><Key>project</Key><Value>blue</Value></Tag>"
	                "<Tag><Key>empty</Key><Value/></Tag></TagSet></Tagging>";

	CHECK_INT_EQ(s3_xml_parse_tagging(a, L(a), MAXB, S3_OBJECT_TAGS_MAX, &t, &e), S3E_NONE);
	CHECK_INT_EQ(t.n, 2);
	if (t.n == 2) {
		CHECK_STR_EQ(t.tags[0].key.p, "project");
		CHECK_STR_EQ(t.tags[0].value.p, "blue");
		CHECK_STR_EQ(t.tags[1].key.p, "empty");
		CHECK_INT_EQ(t.tags[1].value.n, 0);
	}
	s3_tagging_release(&t);
	a = "<Tagging><TagSet/></Tagging>";
	CHECK_INT_EQ(s3_xml_parse_tagging(a, L(a), MAXB, S3_OBJECT_TAGS_MAX, &t, &e), S3E_NONE);
	CHECK_INT_EQ(t.n, 0);
	s3_tagging_release(&t);

	a = "<Tagging/>";
	CHECK_INT_EQ(s3_xml_parse_tagging(a, L(a), MAXB, 10, &t, &e), S3E_MalformedXML);
	a = "<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>";
	CHECK_INT_EQ(s3_xml_parse_tagging(a, L(a), MAXB, 10, &t, &e), S3E_MalformedXML);
	a = "<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>";
	CHECK_INT_EQ(s3_xml_parse_tagging(a, L(a), MAXB, 10, &t, &e), S3E_MalformedXML);
	a = "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet><TagSet/></Tagging>";
	CHECK_INT_EQ(s3_xml_parse_tagging(a, L(a), MAXB, 10, &t, &e), S3E_MalformedXML);
	a = "<Tagging><TagSet><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></TagSet></Tagging>";
	CHECK_INT_EQ(s3_xml_parse_tagging(a, L(a), MAXB, 10, &t, &e), S3E_InvalidTag);
	CHECK_STR_EQ(e.message, "Cannot provide multiple Tags with the same key");
	a = "<Tagging><TagSet><Tag><Key></Key><Value>1</Value></Tag></TagSet></Tagging>";
	CHECK_INT_EQ(s3_xml_parse_tagging(a, L(a), MAXB, 10, &t, &e), S3E_InvalidTag);
	CHECK_STR_EQ(e.message, "The TagKey you have provided is invalid");

	/* lengths in characters, not bytes: 128 euro signs are 384 bytes and fine */
	buf[0] = '\0';
	strcat(buf, "<Tagging><TagSet><Tag><Key>");
	for (int i = 0; i < 128; i++)
		strcat(buf, "\xE2\x82\xAC");
	strcat(buf, "</Key><Value>v</Value></Tag></TagSet></Tagging>");
	CHECK_INT_EQ(s3_xml_parse_tagging(buf, L(buf), MAXB, 10, &t, &e), S3E_NONE);
	CHECK_INT_EQ(t.tags[0].key.n, 384);
	s3_tagging_release(&t);
	memset(k129, 'k', 129);
	k129[129] = '\0';
	snprintf(buf, sizeof(buf), "<Tagging><TagSet><Tag><Key>%s</Key><Value>v</Value></Tag></TagSet></Tagging>", k129);
	CHECK_INT_EQ(s3_xml_parse_tagging(buf, L(buf), MAXB, 10, &t, &e), S3E_InvalidTag);
	CHECK_STR_EQ(e.message, "The TagKey you have provided is too long, max 128");
	memset(v257, 'v', 257);
	v257[257] = '\0';
	snprintf(buf, sizeof(buf), "<Tagging><TagSet><Tag><Key>k</Key><Value>%s</Value></Tag></TagSet></Tagging>", v257);
	CHECK_INT_EQ(s3_xml_parse_tagging(buf, L(buf), MAXB, 10, &t, &e), S3E_InvalidTag);
	CHECK_STR_EQ(e.message, "The TagValue you have provided is too long, max 256");
	v257[256] = '\0';
	snprintf(buf, sizeof(buf), "<Tagging><TagSet><Tag><Key>k</Key><Value>%s</Value></Tag></TagSet></Tagging>", v257);
	CHECK_INT_EQ(s3_xml_parse_tagging(buf, L(buf), MAXB, 10, &t, &e), S3E_NONE);
	s3_tagging_release(&t);

	/* count: 10 object tags fine, 11 not; 50 bucket tags fine, 51 not */
	for (int lim = 0; lim < 2; lim++) {
		size_t max = lim ? S3_BUCKET_TAGS_MAX : S3_OBJECT_TAGS_MAX;
		for (size_t n = max; n <= max + 1; n++) {
			size_t k = (size_t)snprintf(buf, sizeof(buf), "<Tagging><TagSet>");
			for (size_t i = 0; i < n; i++)
				k += (size_t)snprintf(buf + k, sizeof(buf) - k, "<Tag><Key>k%zu</Key><Value>v</Value></Tag>", i);
			snprintf(buf + k, sizeof(buf) - k, "</TagSet></Tagging>");
			CHECK_INT_EQ(s3_xml_parse_tagging(buf, L(buf), MAXB, max, &t, &e),
			             n == max ? S3E_NONE : S3E_InvalidTag);
			if (n == max) {
				CHECK_INT_EQ(t.n, max);
				s3_tagging_release(&t);
			} else {
				CHECK_STR_EQ(e.message, lim ? "Bucket tag count cannot be greater than 50"
				                            : "Object tags cannot be greater than 10");
			}
		}
	}
}

/* Hostile documents: every parser must refuse them without expanding anything. */
static void
test_hostile(void)
{
	struct s3_delete_req d;
	struct s3_retention r;
	struct s3_xml_err e;
	char *deep, *big;
	size_t k = 0;
	const char *bomb =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		"]>\n<Delete><Object><Key>&lol9;</Key></Object></Delete>";
	const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
	                  "<Retention><Mode>&x;</Mode></Retention>";
	const char *ext = "<!DOCTYPE Delete SYSTEM \"http://127.0.0.1:1/evil.dtd\"><Delete><Object><Key>a</Key></Object></Delete>";
	const char *param = "<!DOCTYPE d [<!ENTITY % p SYSTEM \"http://127.0.0.1:1/p\"> %p;]><Delete/>";
	const char *bare_entity = "<Delete><!ENTITY x \"y\"><Object><Key>a</Key></Object></Delete>";
	/* the same DOCTYPE in UTF-16: refused because the body is read as UTF-8 only */
	static const char utf16[] = "\xFF\xFE<\0!\0D\0O\0C\0T\0Y\0P\0E\0 \0D\0e\0l\0e\0t\0e\0>\0<\0D\0e\0l\0e\0t\0e\0/\0>\0";
	const char *latin1 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><Delete><Object><Key>caf\xE9</Key></Object></Delete>";
	const char *xinclude = "<Delete xmlns:xi=\"http://www.w3.org/2001/XInclude\"><Object><Key>"
	                       "<xi:include href=\"file:///etc/passwd\" parse=\"text\"/></Key></Object></Delete>";

	CHECK_INT_EQ(s3_xml_parse_delete(bomb, L(bomb), MAXB, &d, &e), S3E_MalformedXML);
	CHECK_STR_EQ(e.detail, "doctype refused");
	CHECK_INT_EQ(s3_xml_parse_retention(xxe, L(xxe), MAXB, &r, &e), S3E_MalformedXML);
	CHECK_INT_EQ(s3_xml_parse_delete(ext, L(ext), MAXB, &d, &e), S3E_MalformedXML);
	CHECK_INT_EQ(s3_xml_parse_delete(param, L(param), MAXB, &d, &e), S3E_MalformedXML);
	CHECK_INT_EQ(s3_xml_parse_delete(bare_entity, L(bare_entity), MAXB, &d, &e), S3E_MalformedXML);
	CHECK_INT_EQ(s3_xml_parse_delete(utf16, sizeof(utf16) - 1, MAXB, &d, &e), S3E_MalformedXML);
	CHECK_INT_EQ(s3_xml_parse_delete(latin1, L(latin1), MAXB, &d, &e), S3E_MalformedXML);
	/* XInclude is never processed: the element inside the Key makes it malformed */
	CHECK_INT_EQ(s3_xml_parse_delete(xinclude, L(xinclude), MAXB, &d, &e), S3E_MalformedXML);
	CHECK_STR_EQ(e.detail, "element inside a value");

	/* depth: 16 levels fine (ignored elements), 17 refused while parsing */
	for (int depth = 16; depth <= 17; depth++) {
		char nest[512];
		k = (size_t)snprintf(nest, sizeof(nest), "<Delete><Object><Key>a</Key></Object>");
		for (int i = 1; i < depth; i++)
			k += (size_t)snprintf(nest + k, sizeof(nest) - k, "<x>");
		for (int i = 1; i < depth; i++)
			k += (size_t)snprintf(nest + k, sizeof(nest) - k, "</x>");
		snprintf(nest + k, sizeof(nest) - k, "</Delete>");
		CHECK_INT_EQ(s3_xml_parse_delete(nest, L(nest), MAXB, &d, &e),
		             depth == 16 ? S3E_NONE : S3E_MalformedXML);
		if (depth == 16)
			s3_delete_req_release(&d);
		else
			CHECK_STR_EQ(e.detail, "nesting too deep");
	}
	/* far deeper than libxml2's own limit: refused at our depth, no crash */
	deep = xmalloc(100000 * 3 + 64);
	k = 0;
	for (int i = 0; i < 100000; i++) {
		memcpy(deep + k, "<a>", 3);
		k += 3;
	}
	CHECK_INT_EQ(s3_xml_parse_delete(deep, k, 1 << 20, &d, &e), S3E_MalformedXML);
	free(deep);

	/* size: one byte over the caller's limit */
	const char *ok = "<Delete><Object><Key>a</Key></Object></Delete>";
	CHECK_INT_EQ(s3_xml_parse_delete(ok, L(ok), L(ok), &d, &e), S3E_NONE);
	s3_delete_req_release(&d);
	CHECK_INT_EQ(s3_xml_parse_delete(ok, L(ok), L(ok) - 1, &d, &e), S3E_MalformedXML);
	CHECK_STR_EQ(e.detail, "body too large");

	/* element count: many unknown siblings are refused before a tree of them exists */
	big = xmalloc(200000 * 4 + 64);
	k = (size_t)sprintf(big, "<Retention>");
	for (int i = 0; i < 200000; i++) {
		memcpy(big + k, "<a/>", 4);
		k += 4;
	}
	k += (size_t)sprintf(big + k, "</Retention>");
	CHECK_INT_EQ(s3_xml_parse_retention(big, k, 1 << 20, &r, &e), S3E_MalformedXML);
	CHECK_STR_EQ(e.detail, "too many elements");
	free(big);

	/* NUL inside the body, truncated input, a NULL err */
	static const char nul[] = "<Delete><Object><Key>a\0b</Key></Object></Delete>";
	CHECK_INT_EQ(s3_xml_parse_delete(nul, sizeof(nul) - 1, MAXB, &d, NULL), S3E_MalformedXML);
	CHECK_INT_EQ(s3_xml_parse_delete(ok, 20, MAXB, &d, NULL), S3E_MalformedXML);
	/* comments and processing instructions are harmless */
	const char *pi = "<?xml version=\"1.0\"?><!-- c --><Delete><?pi x?><Object><!--c--><Key>a<!--x-->b</Key>"
	                 "</Object></Delete><!-- tail -->";
	CHECK_INT_EQ(s3_xml_parse_delete(pi, L(pi), MAXB, &d, &e), S3E_NONE);
	CHECK_STR_EQ(d.objects[0].key.p, "ab");
	s3_delete_req_release(&d);
}

int
main(void)
{
	s3_xml_init();
	test_create_bucket();
	test_delete();
	test_versioning();
	test_object_lock();
	test_retention();
	test_legal_hold();
	test_complete();
	test_tagging();
	test_hostile();
	return check_done("test_xmlparse");
}
