/* SPDX-License-Identifier: Apache-2.0 */
/* Request-body XML: libxml2 behind a refusal of every DTD feature, then small walkers
 * that turn a namespace-agnostic tree into the structs of xmlparse.h. */
#include "xmlparse.h"

#include <limits.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "httpdate.h"

/* ---- result memory: a chain of blocks, freed at once --------------------------------- */

struct block {
	struct block *next;
	size_t used, cap;
	max_align_t data[];
};

#define BLOCK_MIN 4096

static void *
mem_alloc(struct s3_xml_mem *m, size_t n)
{
	const size_t a = alignof(max_align_t);
	struct block *b = m->head;
	void *r;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + a - 1) & ~(a - 1);
	if (!b || b->cap - b->used < n) {
		size_t cap = n > BLOCK_MIN ? n : BLOCK_MIN;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = m->head;
		b->used = 0;
		b->cap = cap;
		m->head = b;
	}
	r = (char *)b->data + b->used;
	b->used += n;
	return r;
}

static void
mem_free(struct s3_xml_mem *m)
{
	struct block *b = m->head, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	m->head = NULL;
}

/* ---- errors -------------------------------------------------------------------------- */

static enum s3_code
fail(struct s3_xml_err *err, enum s3_code c, const char *detail)
{
	if (err) {
		err->message = NULL;
		err->arg_name = NULL;
		err->arg_value[0] = '\0';
		err->detail = detail;
	}
	return c;
}

static enum s3_code
fail_msg(struct s3_xml_err *err, enum s3_code c, const char *message, const char *arg_name,
         struct slice arg_value)
{
	fail(err, c, message);
	if (err) {
		size_t k = arg_value.n < sizeof(err->arg_value) - 1 ? arg_value.n
		                                                    : sizeof(err->arg_value) - 1;
		err->message = message;
		err->arg_name = arg_name;
		if (k)
			memcpy(err->arg_value, arg_value.p, k);
		err->arg_value[k] = '\0';
	}
	return c;
}

#define MALFORMED(err, detail) fail((err), S3E_MalformedXML, (detail))
#define NOMEM(err) fail((err), S3E_InternalError, "out of memory")

enum s3_code
s3_xml_require_body(size_t n)
{
	return n == 0 ? S3E_MissingRequestBodyError : S3E_NONE;
}

void
s3_xml_init(void)
{
	xmlInitParser();
}

/* ---- the guarded parse --------------------------------------------------------------- */

/* Per-parse state reached from the SAX hooks through ctxt->_private. */
struct guard {
	int depth;
	size_t elems, max_elems;
	const char *refused; /* set when a hook stopped the parser */
	startElementNsSAX2Func start;
	endElementNsSAX2Func end;
};

static void
guard_stop(void *ctx, const char *why)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct guard *g = ctxt->_private;

	if (!g->refused)
		g->refused = why;
	xmlStopParser(ctxt);
}

/* Depth and element count are checked as elements open, so a hostile body is refused
 * before its tree exists (libxml2's own depth cap is 256 and it has no count cap). */
static void
guard_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
            int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
            int nb_defaulted, const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct guard *g = ctxt->_private;

	if (g->refused)
		return;
	if (++g->depth > S3_XML_MAX_DEPTH) {
		guard_stop(ctx, "nesting too deep");
		return;
	}
	if (++g->elems > g->max_elems) {
		guard_stop(ctx, "too many elements");
		return;
	}
	g->start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
	         nb_defaulted, attributes);
}

static void
guard_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct guard *g = ctxt->_private;

	if (g->refused)
		return;
	g->depth--;
	g->end(ctx, localname, prefix, uri);
}

/* A DOCTYPE is where entity bombs and XXE live; S3 bodies never have one. */
static void
guard_subset(void *ctx, const xmlChar *name, const xmlChar *external_id,
             const xmlChar *system_id)
{
	(void)name, (void)external_id, (void)system_id;
	guard_stop(ctx, "doctype refused");
}

static void
guard_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                  const xmlChar *system_id, xmlChar *content)
{
	(void)name, (void)type, (void)public_id, (void)system_id, (void)content;
	guard_stop(ctx, "entity declaration refused");
}

static xmlParserInputPtr
guard_resolve(void *ctx, const xmlChar *public_id, const xmlChar *system_id)
{
	(void)public_id, (void)system_id;
	guard_stop(ctx, "external entity refused");
	return NULL;
}

/* libxml2 would print to stderr; a client's bad XML is not our log's business. */
static void
guard_error(void *user, xmlErrorPtr e)
{
	(void)user, (void)e;
}

static bool
contains(const char *p, size_t n, const char *needle)
{
	return memmem(p, n, needle, strlen(needle)) != NULL;
}

/*
 * Parse (p, n) into a tree with the root named @root (or @root_alt, may be NULL).
 * Refuses before libxml2 sees the bytes: empty, over the limit, any "<!DOCTYPE" or
 * "<!ENTITY" (the text is read as UTF-8 regardless of its declaration, so this byte scan
 * cannot be dodged with another encoding). The SAX hooks and the subset check after the
 * parse are the second line.
 */
static enum s3_code
parse_doc(const char *p, size_t n, size_t max_bytes, size_t max_elems, const char *root,
          const char *root_alt, xmlDocPtr *docp, struct s3_xml_err *err)
{
	const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	                 XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC;
	struct guard g = { 0, 0, max_elems, NULL, NULL, NULL };
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr top;
	bool oom;

	if (!p || n == 0)
		return MALFORMED(err, "empty body");
	if (n > max_bytes || n > INT_MAX)
		return MALFORMED(err, "body too large");
	if (contains(p, n, "<!DOCTYPE") || contains(p, n, "<!ENTITY"))
		return MALFORMED(err, "doctype refused");

	s3_xml_init();
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return NOMEM(err);
	g.start = ctxt->sax->startElementNs;
	g.end = ctxt->sax->endElementNs;
	ctxt->sax->startElementNs = guard_start;
	ctxt->sax->endElementNs = guard_end;
	ctxt->sax->internalSubset = guard_subset;
	ctxt->sax->externalSubset = guard_subset;
	ctxt->sax->entityDecl = guard_entity_decl;
	ctxt->sax->resolveEntity = guard_resolve;
	ctxt->sax->serror = guard_error;
	ctxt->_private = &g;

	doc = xmlCtxtReadMemory(ctxt, p, (int)n, NULL, "UTF-8", opts);
	oom = ctxt->errNo == XML_ERR_NO_MEMORY;
	xmlFreeParserCtxt(ctxt);

	if (g.refused) {
		xmlFreeDoc(doc);
		return MALFORMED(err, g.refused);
	}
	if (!doc)
		return oom ? NOMEM(err) : MALFORMED(err, "not well-formed");
	if (doc->intSubset || doc->extSubset) {
		xmlFreeDoc(doc);
		return MALFORMED(err, "doctype refused");
	}
	top = xmlDocGetRootElement(doc);
	if (!top || (strcmp((const char *)top->name, root) != 0 &&
	             !(root_alt && strcmp((const char *)top->name, root_alt) == 0))) {
		xmlFreeDoc(doc);
		return MALFORMED(err, "wrong root element");
	}
	*docp = doc;
	return S3E_NONE;
}

/* ---- tree walking -------------------------------------------------------------------- */

static bool
named(const xmlNode *n, const char *local)
{
	/* local name only: with SAX2 the prefix lives in n->ns, never in n->name */
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

static bool
blank(const xmlChar *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return false;
	return true;
}

/* A non-element child of a container: comments, PIs and whitespace are fine, anything
 * else (text, an entity reference) does not validate. */
static bool
ignorable(const xmlNode *c)
{
	switch (c->type) {
	case XML_COMMENT_NODE:
	case XML_PI_NODE:
		return true;
	case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		return blank(c->content);
	default:
		return false;
	}
}

/* Check that every non-element child of @n is ignorable. */
static bool
container_ok(const xmlNode *n)
{
	for (const xmlNode *c = n->children; c; c = c->next)
		if (c->type != XML_ELEMENT_NODE && !ignorable(c))
			return false;
	return true;
}

/* The text of a value element, copied into @m: its text children concatenated; an
 * element child makes it MalformedXML. */
static enum s3_code
text_of(struct s3_xml_mem *m, const xmlNode *n, struct slice *out, struct s3_xml_err *err)
{
	size_t total = 0, k = 0;
	const xmlNode *c;
	char *d;

	for (c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
			total += strlen((const char *)c->content);
		else if (c->type != XML_COMMENT_NODE && c->type != XML_PI_NODE)
			return MALFORMED(err, "element inside a value");
	}
	d = mem_alloc(m, total + 1);
	if (!d)
		return NOMEM(err);
	for (c = n->children; c; c = c->next)
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			size_t l = strlen((const char *)c->content);
			memcpy(d + k, c->content, l);
			k += l;
		}
	d[total] = '\0';
	out->p = d;
	out->n = total;
	return S3E_NONE;
}

/* Remember a single-valued child; a second one is MalformedXML. */
static bool
once(const xmlNode **slot, const xmlNode *c)
{
	if (*slot)
		return false;
	*slot = c;
	return true;
}

/* xs:int: optional sign, one or more digits, within int32 (Go/VGW reject the rest as
 * MalformedXML too). */
static bool
parse_int32(struct slice s, int64_t *out)
{
	size_t i = 0;
	int64_t v = 0;
	bool neg = false;

	if (s.n && (s.p[0] == '+' || s.p[0] == '-')) {
		neg = s.p[0] == '-';
		i = 1;
	}
	if (i == s.n)
		return false;
	for (; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return false;
		v = v * 10 + (s.p[i] - '0');
		if (v > (int64_t)INT32_MAX + 1)
			return false;
	}
	if (neg)
		v = -v;
	if (v > INT32_MAX || v < INT32_MIN)
		return false;
	*out = v;
	return true;
}

static enum s3_lock_mode
lock_mode(struct slice s)
{
	/* exact: "governance" is MalformedXML [S3T] */
	if (slice_eq_cstr(s, "GOVERNANCE"))
		return S3_LOCK_GOVERNANCE;
	if (slice_eq_cstr(s, "COMPLIANCE"))
		return S3_LOCK_COMPLIANCE;
	return S3_LOCK_NONE;
}

static size_t
utf8_chars(struct slice s)
{
	size_t k = 0;

	for (size_t i = 0; i < s.n; i++)
		if (((unsigned char)s.p[i] & 0xC0) != 0x80)
			k++;
	return k;
}

static const struct slice no_arg = { "", 0 };

/* ---- CreateBucketConfiguration ------------------------------------------------------- */

void
s3_create_bucket_conf_release(struct s3_create_bucket_conf *c)
{
	if (!c)
		return;
	mem_free(&c->mem);
	memset(c, 0, sizeof(*c));
}

enum s3_code
s3_xml_parse_create_bucket(const char *p, size_t n, size_t max_bytes,
                           struct s3_create_bucket_conf *out, struct s3_xml_err *err)
{
	struct s3_create_bucket_conf r;
	xmlDocPtr doc = NULL;
	const xmlNode *top, *loc = NULL;
	enum s3_code rc;

	memset(&r, 0, sizeof(r));
	r.location.p = "";
	if (n == 0) { /* s3cmd mb and rclone send no body (§4.1) */
		*out = r;
		return S3E_NONE;
	}
	if ((rc = parse_doc(p, n, max_bytes, 64, "CreateBucketConfiguration", NULL, &doc, err)))
		return rc;
	top = xmlDocGetRootElement(doc);
	rc = S3E_NONE;
	if (!container_ok(top))
		rc = MALFORMED(err, "text in CreateBucketConfiguration");
	for (const xmlNode *c = top->children; c && !rc; c = c->next)
		if (named(c, "LocationConstraint") && !once(&loc, c))
			rc = MALFORMED(err, "repeated LocationConstraint");
	if (!rc && loc)
		rc = text_of(&r.mem, loc, &r.location, err);
	xmlFreeDoc(doc);
	if (rc) {
		mem_free(&r.mem);
		return rc;
	}
	*out = r;
	return S3E_NONE;
}

/* ---- Delete -------------------------------------------------------------------------- */

void
s3_delete_req_release(struct s3_delete_req *d)
{
	if (!d)
		return;
	mem_free(&d->mem);
	memset(d, 0, sizeof(*d));
}

/* xs:boolean plus the case variants SDKs have been seen to send */
static bool
parse_bool(struct slice s, bool *out)
{
	if (slice_case_eq_cstr(s, "true") || slice_eq_cstr(s, "1"))
		*out = true;
	else if (slice_case_eq_cstr(s, "false") || slice_eq_cstr(s, "0"))
		*out = false;
	else
		return false;
	return true;
}

static enum s3_code
delete_object(struct s3_xml_mem *m, const xmlNode *obj, struct s3_delete_obj *o,
              struct s3_xml_err *err)
{
	const xmlNode *key = NULL, *vid = NULL, *etag = NULL, *mtime = NULL, *size = NULL;
	enum s3_code rc;

	if (!container_ok(obj))
		return MALFORMED(err, "text in Object");
	for (const xmlNode *c = obj->children; c; c = c->next) {
		if (named(c, "Key") && !once(&key, c))
			return MALFORMED(err, "repeated Key");
		if (named(c, "VersionId") && !once(&vid, c))
			return MALFORMED(err, "repeated VersionId");
		if (named(c, "ETag") && !once(&etag, c))
			return MALFORMED(err, "repeated ETag");
		if (named(c, "LastModifiedTime") && !once(&mtime, c))
			return MALFORMED(err, "repeated LastModifiedTime");
		if (named(c, "Size") && !once(&size, c))
			return MALFORMED(err, "repeated Size");
	}
	o->has_etag = etag != NULL;
	if (etag && (rc = text_of(m, etag, &o->etag, err)))
		return rc;
	o->has_mtime = mtime != NULL;
	if (mtime && (rc = text_of(m, mtime, &o->mtime, err)))
		return rc;
	o->has_size = size != NULL;
	if (size && (rc = text_of(m, size, &o->size, err)))
		return rc;
	if (!key)
		return MALFORMED(err, "Object without Key");
	if ((rc = text_of(m, key, &o->key, err)))
		return rc;
	o->has_version_id = vid != NULL;
	if (vid && (rc = text_of(m, vid, &o->version_id, err)))
		return rc;
	return S3E_NONE;
}

enum s3_code
s3_xml_parse_delete(const char *p, size_t n, size_t max_bytes, struct s3_delete_req *out,
                    struct s3_xml_err *err)
{
	struct s3_delete_req r;
	xmlDocPtr doc = NULL;
	const xmlNode *top, *quiet = NULL;
	size_t count = 0, k = 0;
	struct slice qs;
	enum s3_code rc = S3E_NONE;

	memset(&r, 0, sizeof(r));
	/* room for 1000 Objects of Key, VersionId, ETag, LastModifiedTime, Size and a few
	 * strays; past that the count check below could not be reached anyway */
	if ((rc = parse_doc(p, n, max_bytes, (S3_DELETE_MAX_OBJECTS + 1) * 8 + 16, "Delete", NULL,
	                    &doc, err)))
		return rc;
	top = xmlDocGetRootElement(doc);
	if (!container_ok(top)) {
		rc = MALFORMED(err, "text in Delete");
		goto out;
	}
	for (const xmlNode *c = top->children; c; c = c->next) {
		if (named(c, "Object"))
			count++;
		else if (named(c, "Quiet") && !once(&quiet, c)) {
			rc = MALFORMED(err, "repeated Quiet");
			goto out;
		}
	}
	if (count == 0) {
		rc = MALFORMED(err, "no Object");
		goto out;
	}
	if (count > S3_DELETE_MAX_OBJECTS) { /* §5.4: AWS says MalformedXML, not a 1000 cap */
		rc = MALFORMED(err, "more than 1000 Object");
		goto out;
	}
	if (quiet) {
		if ((rc = text_of(&r.mem, quiet, &qs, err)))
			goto out;
		if (!parse_bool(qs, &r.quiet)) {
			rc = MALFORMED(err, "bad Quiet");
			goto out;
		}
	}
	r.objects = mem_alloc(&r.mem, count * sizeof(*r.objects));
	if (!r.objects) {
		rc = NOMEM(err);
		goto out;
	}
	memset(r.objects, 0, count * sizeof(*r.objects));
	for (const xmlNode *c = top->children; c; c = c->next)
		if (named(c, "Object") && (rc = delete_object(&r.mem, c, &r.objects[k++], err)))
			goto out;
	r.n = count;
out:
	xmlFreeDoc(doc);
	if (rc) {
		mem_free(&r.mem);
		return rc;
	}
	*out = r;
	return S3E_NONE;
}

/* ---- VersioningConfiguration ---------------------------------------------------------- */

enum s3_code
s3_xml_parse_versioning(const char *p, size_t n, size_t max_bytes,
                        struct s3_versioning_conf *out, struct s3_xml_err *err)
{
	struct s3_versioning_conf r = { S3_VERSIONING_UNSET, S3_MFA_DELETE_UNSET };
	struct s3_xml_mem m = { NULL };
	xmlDocPtr doc = NULL;
	const xmlNode *top, *st = NULL, *mfa = NULL;
	struct slice v;
	enum s3_code rc;

	if ((rc = parse_doc(p, n, max_bytes, 64, "VersioningConfiguration", NULL, &doc, err)))
		return rc;
	top = xmlDocGetRootElement(doc);
	if (!container_ok(top)) {
		rc = MALFORMED(err, "text in VersioningConfiguration");
		goto out;
	}
	for (const xmlNode *c = top->children; c; c = c->next) {
		if ((named(c, "Status") && !once(&st, c)) || (named(c, "MfaDelete") && !once(&mfa, c))) {
			rc = MALFORMED(err, "repeated element");
			goto out;
		}
	}
	if (st) {
		if ((rc = text_of(&m, st, &v, err)))
			goto out;
		if (slice_eq_cstr(v, "Enabled"))
			r.status = S3_VERSIONING_ENABLED;
		else if (slice_eq_cstr(v, "Suspended"))
			r.status = S3_VERSIONING_SUSPENDED;
		else {
			rc = MALFORMED(err, "bad Status"); /* §4.6 */
			goto out;
		}
	}
	if (mfa) {
		if ((rc = text_of(&m, mfa, &v, err)))
			goto out;
		if (slice_eq_cstr(v, "Enabled"))
			r.mfa_delete = S3_MFA_DELETE_ENABLED;
		else if (slice_eq_cstr(v, "Disabled"))
			r.mfa_delete = S3_MFA_DELETE_DISABLED;
		else {
			rc = MALFORMED(err, "bad MfaDelete");
			goto out;
		}
	}
	if (r.mfa_delete == S3_MFA_DELETE_ENABLED) /* §4.6: MFA delete is not offered */
		rc = fail(err, S3E_NotImplemented, "MfaDelete Enabled");
out:
	xmlFreeDoc(doc);
	mem_free(&m);
	if (rc)
		return rc;
	*out = r;
	return S3E_NONE;
}

/* ---- ObjectLockConfiguration ---------------------------------------------------------- */

static enum s3_code
default_retention(struct s3_xml_mem *m, const xmlNode *dr, struct s3_object_lock_conf *r,
                  struct slice *days_text, struct slice *years_text, int64_t *days,
                  int64_t *years, struct s3_xml_err *err)
{
	const xmlNode *mode = NULL, *d = NULL, *y = NULL;
	struct slice v;
	enum s3_code rc;

	if (!container_ok(dr))
		return MALFORMED(err, "text in DefaultRetention");
	for (const xmlNode *c = dr->children; c; c = c->next)
		if ((named(c, "Mode") && !once(&mode, c)) || (named(c, "Days") && !once(&d, c)) ||
		    (named(c, "Years") && !once(&y, c)))
			return MALFORMED(err, "repeated element");
	if (!mode)
		return MALFORMED(err, "DefaultRetention without Mode");
	if ((rc = text_of(m, mode, &v, err)))
		return rc;
	if ((r->mode = lock_mode(v)) == S3_LOCK_NONE)
		return MALFORMED(err, "bad Mode");
	if ((d && y) || (!d && !y))
		return MALFORMED(err, "need exactly one of Days and Years");
	if (d) {
		if ((rc = text_of(m, d, days_text, err)))
			return rc;
		if (!parse_int32(*days_text, days))
			return MALFORMED(err, "bad Days");
	} else {
		if ((rc = text_of(m, y, years_text, err)))
			return rc;
		if (!parse_int32(*years_text, years))
			return MALFORMED(err, "bad Years");
	}
	return S3E_NONE;
}

enum s3_code
s3_xml_parse_object_lock(const char *p, size_t n, size_t max_bytes,
                         struct s3_object_lock_conf *out, struct s3_xml_err *err)
{
	static const char positive[] = "Default retention period must be a positive integer value.";
	static const char too_large[] = "Default retention period too large.";
	struct s3_object_lock_conf r = { false, S3_LOCK_NONE, 0, 0 };
	struct s3_xml_mem m = { NULL };
	xmlDocPtr doc = NULL;
	const xmlNode *top, *en = NULL, *rule = NULL, *dr = NULL;
	struct slice v, dt = { NULL, 0 }, yt = { NULL, 0 };
	int64_t days = 0, years = 0;
	enum s3_code rc;

	if ((rc = parse_doc(p, n, max_bytes, 64, "ObjectLockConfiguration", NULL, &doc, err)))
		return rc;
	top = xmlDocGetRootElement(doc);
	if (!container_ok(top)) {
		rc = MALFORMED(err, "text in ObjectLockConfiguration");
		goto out;
	}
	for (const xmlNode *c = top->children; c; c = c->next)
		if ((named(c, "ObjectLockEnabled") && !once(&en, c)) ||
		    (named(c, "Rule") && !once(&rule, c))) {
			rc = MALFORMED(err, "repeated element");
			goto out;
		}
	/* §4.7: absent, "Disabled" or "enabled" are all MalformedXML: lock never turns off */
	if (!en) {
		rc = MALFORMED(err, "no ObjectLockEnabled");
		goto out;
	}
	if ((rc = text_of(&m, en, &v, err)))
		goto out;
	if (!slice_eq_cstr(v, "Enabled")) {
		rc = MALFORMED(err, "ObjectLockEnabled is not Enabled");
		goto out;
	}
	if (rule) {
		if (!container_ok(rule)) {
			rc = MALFORMED(err, "text in Rule");
			goto out;
		}
		for (const xmlNode *c = rule->children; c; c = c->next)
			if (named(c, "DefaultRetention") && !once(&dr, c)) {
				rc = MALFORMED(err, "repeated DefaultRetention");
				goto out;
			}
		if (!dr) {
			rc = MALFORMED(err, "Rule without DefaultRetention");
			goto out;
		}
		if ((rc = default_retention(&m, dr, &r, &dt, &yt, &days, &years, err)))
			goto out;
		r.has_rule = true;
		/* MalformedXML checks are all done: now the value checks, in §4.7 order */
		if (dt.p && days <= 0)
			rc = fail_msg(err, S3E_InvalidArgument, positive, "Days", dt);
		else if (dt.p && days > 36500)
			rc = fail_msg(err, S3E_InvalidArgument, too_large, "Days", dt);
		else if (yt.p && years <= 0)
			rc = fail_msg(err, S3E_InvalidArgument, positive, "Years", yt);
		else if (yt.p && years > 100)
			rc = fail_msg(err, S3E_InvalidArgument, too_large, "Years", yt);
		r.days = (uint32_t)(dt.p ? days : 0);
		r.years = (uint32_t)(yt.p ? years : 0);
	}
out:
	xmlFreeDoc(doc);
	mem_free(&m);
	if (rc)
		return rc;
	*out = r;
	return S3E_NONE;
}

/* ---- Retention ------------------------------------------------------------------------ */

enum s3_code
s3_xml_parse_retention(const char *p, size_t n, size_t max_bytes, struct s3_retention *out,
                       struct s3_xml_err *err)
{
	struct s3_retention r = { S3_LOCK_NONE, 0 };
	struct s3_xml_mem m = { NULL };
	xmlDocPtr doc = NULL;
	const xmlNode *top, *mode = NULL, *date = NULL;
	struct slice v;
	enum s3_code rc;

	if ((rc = parse_doc(p, n, max_bytes, 64, "Retention", NULL, &doc, err)))
		return rc;
	top = xmlDocGetRootElement(doc);
	if (!container_ok(top)) {
		rc = MALFORMED(err, "text in Retention");
		goto out;
	}
	for (const xmlNode *c = top->children; c; c = c->next)
		if ((named(c, "Mode") && !once(&mode, c)) ||
		    (named(c, "RetainUntilDate") && !once(&date, c))) {
			rc = MALFORMED(err, "repeated element");
			goto out;
		}
	if (mode) {
		if ((rc = text_of(&m, mode, &v, err)))
			goto out;
		if ((r.mode = lock_mode(v)) == S3_LOCK_NONE) {
			rc = MALFORMED(err, "bad Mode"); /* §8.4 #6 */
			goto out;
		}
	}
	if (!mode != !date) {
		rc = MALFORMED(err, "need both Mode and RetainUntilDate"); /* §8.4 #7 */
		goto out;
	}
	if (date) {
		if ((rc = text_of(&m, date, &v, err)))
			goto out;
		if (s3_rfc3339_parse(v.p, v.n, &r.retain_until_ns) != 0) {
			rc = MALFORMED(err, "bad RetainUntilDate");
			goto out;
		}
	}
out:
	xmlFreeDoc(doc);
	mem_free(&m);
	if (rc)
		return rc;
	*out = r;
	return S3E_NONE;
}

/* ---- LegalHold ------------------------------------------------------------------------ */

enum s3_code
s3_xml_parse_legal_hold(const char *p, size_t n, size_t max_bytes, struct s3_legal_hold *out,
                        struct s3_xml_err *err)
{
	struct s3_legal_hold r = { false };
	struct s3_xml_mem m = { NULL };
	xmlDocPtr doc = NULL;
	const xmlNode *top, *st = NULL;
	struct slice v;
	enum s3_code rc;

	if ((rc = parse_doc(p, n, max_bytes, 64, "LegalHold", "ObjectLockLegalHold", &doc, err)))
		return rc;
	top = xmlDocGetRootElement(doc);
	if (!container_ok(top)) {
		rc = MALFORMED(err, "text in LegalHold");
		goto out;
	}
	for (const xmlNode *c = top->children; c; c = c->next)
		if (named(c, "Status") && !once(&st, c)) {
			rc = MALFORMED(err, "repeated Status");
			goto out;
		}
	if (!st) {
		rc = MALFORMED(err, "no Status");
		goto out;
	}
	if ((rc = text_of(&m, st, &v, err)))
		goto out;
	if (slice_eq_cstr(v, "ON"))
		r.on = true;
	else if (!slice_eq_cstr(v, "OFF"))
		rc = MALFORMED(err, "bad Status"); /* exact, §8.6 [S3T] */
out:
	xmlFreeDoc(doc);
	mem_free(&m);
	if (rc)
		return rc;
	*out = r;
	return S3E_NONE;
}

/* ---- CompleteMultipartUpload ---------------------------------------------------------- */

void
s3_complete_req_release(struct s3_complete_req *c)
{
	if (!c)
		return;
	mem_free(&c->mem);
	memset(c, 0, sizeof(*c));
}

static enum s3_code
complete_part(struct s3_xml_mem *m, const xmlNode *part, struct s3_complete_part *o,
              int64_t *num, struct slice *num_text, struct s3_xml_err *err)
{
	static const char *const ck_names[5] = { "ChecksumCRC32", "ChecksumCRC32C",
		                                 "ChecksumCRC64NVME", "ChecksumSHA1",
		                                 "ChecksumSHA256" };
	struct slice *ck_out[5] = { &o->crc32, &o->crc32c, &o->crc64nvme, &o->sha1, &o->sha256 };
	const xmlNode *pn = NULL, *etag = NULL, *ck[5] = { NULL, NULL, NULL, NULL, NULL };
	enum s3_code rc;

	if (!container_ok(part))
		return MALFORMED(err, "text in Part");
	for (const xmlNode *c = part->children; c; c = c->next) {
		if ((named(c, "PartNumber") && !once(&pn, c)) || (named(c, "ETag") && !once(&etag, c)))
			return MALFORMED(err, "repeated element in Part");
		for (int k = 0; k < 5; k++)
			if (named(c, ck_names[k]) && !once(&ck[k], c))
				return MALFORMED(err, "repeated checksum in Part");
	}
	if (!pn)
		return MALFORMED(err, "Part without PartNumber");
	if (!etag)
		return MALFORMED(err, "Part without ETag");
	if ((rc = text_of(m, pn, num_text, err)))
		return rc;
	if (!parse_int32(*num_text, num))
		return MALFORMED(err, "bad PartNumber");
	if ((rc = text_of(m, etag, &o->etag, err)))
		return rc;
	for (int k = 0; k < 5; k++)
		if (ck[k] && (rc = text_of(m, ck[k], ck_out[k], err)))
			return rc;
	return S3E_NONE;
}

enum s3_code
s3_xml_parse_complete(const char *p, size_t n, size_t max_bytes, struct s3_complete_req *out,
                      struct s3_xml_err *err)
{
	struct s3_complete_req r;
	xmlDocPtr doc = NULL;
	const xmlNode *top;
	size_t count = 0, k = 0;
	int64_t *nums = NULL;
	struct slice *texts = NULL;
	enum s3_code rc = S3E_NONE;

	memset(&r, 0, sizeof(r));
	/* a Part holds PartNumber, ETag and up to five checksums */
	if ((rc = parse_doc(p, n, max_bytes, (size_t)(S3_COMPLETE_MAX_PARTS + 1) * 10 + 16,
	                    "CompleteMultipartUpload", NULL, &doc, err)))
		return rc;
	top = xmlDocGetRootElement(doc);
	if (!container_ok(top)) {
		rc = MALFORMED(err, "text in CompleteMultipartUpload");
		goto out;
	}
	for (const xmlNode *c = top->children; c; c = c->next)
		if (named(c, "Part"))
			count++;
	if (count == 0) {
		rc = MALFORMED(err, "no Part");
		goto out;
	}
	if (count > S3_COMPLETE_MAX_PARTS) {
		rc = MALFORMED(err, "more than 10000 Part");
		goto out;
	}
	r.parts = mem_alloc(&r.mem, count * sizeof(*r.parts));
	nums = malloc(count * sizeof(*nums));
	texts = malloc(count * sizeof(*texts));
	if (!r.parts || !nums || !texts) {
		rc = NOMEM(err);
		goto out;
	}
	memset(r.parts, 0, count * sizeof(*r.parts));
	for (const xmlNode *c = top->children; c; c = c->next)
		if (named(c, "Part")) {
			if ((rc = complete_part(&r.mem, c, &r.parts[k], &nums[k], &texts[k], err)))
				goto out;
			k++;
		}
	/* §7.4 order: every part's number >= 1, then strictly ascending (gaps allowed) */
	for (k = 0; k < count; k++)
		if (nums[k] < 1) {
			rc = fail_msg(err, S3E_InvalidArgument, "PartNumber must be >= 1", "PartNumber",
			              texts[k]);
			goto out;
		}
	for (k = 1; k < count; k++)
		if (nums[k] <= nums[k - 1]) {
			rc = fail(err, S3E_InvalidPartOrder, "part numbers not ascending");
			goto out;
		}
	for (k = 0; k < count; k++)
		r.parts[k].part_number = (uint32_t)nums[k];
	r.n = count;
out:
	free(nums);
	free(texts);
	xmlFreeDoc(doc);
	if (rc) {
		mem_free(&r.mem);
		return rc;
	}
	*out = r;
	return S3E_NONE;
}

/* ---- Tagging -------------------------------------------------------------------------- */

void
s3_tagging_release(struct s3_tagging *t)
{
	if (!t)
		return;
	mem_free(&t->mem);
	memset(t, 0, sizeof(*t));
}

static enum s3_code
one_tag(struct s3_xml_mem *m, const xmlNode *tag, struct s3_tag *o, struct s3_xml_err *err)
{
	const xmlNode *key = NULL, *val = NULL;
	enum s3_code rc;

	if (!container_ok(tag))
		return MALFORMED(err, "text in Tag");
	for (const xmlNode *c = tag->children; c; c = c->next)
		if ((named(c, "Key") && !once(&key, c)) || (named(c, "Value") && !once(&val, c)))
			return MALFORMED(err, "repeated element in Tag");
	if (!key || !val)
		return MALFORMED(err, "Tag without Key or Value");
	if ((rc = text_of(m, key, &o->key, err)) || (rc = text_of(m, val, &o->value, err)))
		return rc;
	return S3E_NONE;
}

enum s3_code
s3_xml_parse_tagging(const char *p, size_t n, size_t max_bytes, size_t max_tags,
                     struct s3_tagging *out, struct s3_xml_err *err)
{
	struct s3_tagging r;
	xmlDocPtr doc = NULL;
	const xmlNode *top, *set = NULL;
	size_t count = 0, k = 0;
	enum s3_code rc = S3E_NONE;

	memset(&r, 0, sizeof(r));
	if (max_tags > 1000)
		max_tags = 1000;
	if ((rc = parse_doc(p, n, max_bytes, 1024 + max_tags * 4, "Tagging", NULL, &doc, err)))
		return rc;
	top = xmlDocGetRootElement(doc);
	if (!container_ok(top)) {
		rc = MALFORMED(err, "text in Tagging");
		goto out;
	}
	for (const xmlNode *c = top->children; c; c = c->next)
		if (named(c, "TagSet") && !once(&set, c)) {
			rc = MALFORMED(err, "repeated TagSet");
			goto out;
		}
	if (!set) {
		rc = MALFORMED(err, "no TagSet");
		goto out;
	}
	if (!container_ok(set)) {
		rc = MALFORMED(err, "text in TagSet");
		goto out;
	}
	for (const xmlNode *c = set->children; c; c = c->next)
		if (named(c, "Tag"))
			count++;
	if (count > max_tags) {
		rc = fail_msg(err, S3E_InvalidTag,
		              max_tags == S3_OBJECT_TAGS_MAX ? "Object tags cannot be greater than 10"
		              : max_tags == S3_BUCKET_TAGS_MAX
		                      ? "Bucket tag count cannot be greater than 50"
		                      : "Too many tags",
		              NULL, no_arg);
		goto out;
	}
	if (count) {
		r.tags = mem_alloc(&r.mem, count * sizeof(*r.tags));
		if (!r.tags) {
			rc = NOMEM(err);
			goto out;
		}
		for (const xmlNode *c = set->children; c; c = c->next)
			if (named(c, "Tag") && (rc = one_tag(&r.mem, c, &r.tags[k++], err)))
				goto out;
	}
	for (k = 0; k < count; k++) {
		const struct s3_tag *t = &r.tags[k];
		if (t->key.n == 0)
			rc = fail_msg(err, S3E_InvalidTag, "The TagKey you have provided is invalid", NULL,
			              no_arg);
		else if (utf8_chars(t->key) > S3_TAG_KEY_MAX_CHARS)
			rc = fail_msg(err, S3E_InvalidTag,
			              "The TagKey you have provided is too long, max 128", NULL, no_arg);
		else if (utf8_chars(t->value) > S3_TAG_VALUE_MAX_CHARS)
			rc = fail_msg(err, S3E_InvalidTag,
			              "The TagValue you have provided is too long, max 256", NULL, no_arg);
		if (rc)
			goto out;
	}
	for (k = 0; k < count; k++)
		for (size_t j = 0; j < k; j++)
			if (r.tags[j].key.n == r.tags[k].key.n &&
			    memcmp(r.tags[j].key.p, r.tags[k].key.p, r.tags[k].key.n) == 0) {
				rc = fail_msg(err, S3E_InvalidTag,
				              "Cannot provide multiple Tags with the same key", NULL, no_arg);
				goto out;
			}
	r.n = count;
out:
	xmlFreeDoc(doc);
	if (rc) {
		mem_free(&r.mem);
		return rc;
	}
	*out = r;
	return S3E_NONE;
}
