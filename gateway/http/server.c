/* SPDX-License-Identifier: Apache-2.0 */
/* libmicrohttpd glue: daemon options in one table, the request object born in the URI log
 * callback (the only place the request-target is still exactly as sent, which SigV4 needs),
 * and the three-phase access handler of STYLE.md. */
#include "server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../crypto/crypto.h"
#include "../base/buf.h"
#include "../base/log.h"

enum { PHASE_NEW, PHASE_BODY, PHASE_DONE };

struct gw_server {
	struct MHD_Daemon *d;
	struct gw_handler h;
	uint16_t port;
	bool tls;
	atomic_int inflight;      /* requests created and not yet completed */
	atomic_uint_fast64_t seq; /* request id counter */
	uint32_t boot;            /* random per process: ids differ across restarts */
};

static void
request_ids(struct gw_server *s, struct gw_request *req)
{
	uint64_t n = atomic_fetch_add(&s->seq, 1);
	uint8_t rnd[32];

	/* AWS ids are 16 upper-case hex chars: 32 bits of boot nonce + 32 bits of counter keeps
	 * them unique within a run and unlikely to repeat across runs. */
	snprintf(req->request_id, sizeof(req->request_id), "%08X%08X", (unsigned)s->boot,
	         (unsigned)(n & 0xffffffffu));
	if (cr_random_bytes(rnd, sizeof(rnd)) != CR_OK)
		memset(rnd, 0, sizeof(rnd));
	cr_base64_encode(rnd, sizeof(rnd), req->host_id, sizeof(req->host_id));
}

static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct gw_server *s = cls;
	struct gw_request *req = calloc(1, sizeof(*req));

	if (!req)
		return NULL; /* the access handler answers 500 for a NULL request object */
	req->conn = conn;
	req->target = strdup(uri ? uri : "");
	request_ids(s, req);
	atomic_fetch_add(&s->inflight, 1);
	return req;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct gw_server *s = cls;
	struct gw_request *req = *con_cls;

	(void)conn;
	if (!req)
		return;
	if (s->h.done)
		s->h.done(s->h.ctx, req, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	if (req->response)
		MHD_destroy_response(req->response);
	free(req->target);
	free(req);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
              enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *ci;
	int one = 1;

	(void)cls;
	(void)socket_ctx;
	if (toe != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	/* small S3 responses must not wait ~40 ms on the client's delayed ACK */
	if (ci)
		setsockopt(ci->connect_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

const char *
gw_request_header(struct gw_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

struct header_walk {
	void (*cb)(void *ctx, const char *name, size_t nlen, const char *value, size_t vlen);
	void *ctx;
	size_t n;
};

static enum MHD_Result
header_walk_one(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                const char *value, size_t value_size)
{
	struct header_walk *w = cls;

	(void)kind;
	w->cb(w->ctx, key, key_size, value ? value : "", value ? value_size : 0);
	w->n++;
	return MHD_YES;
}

size_t
gw_request_headers(struct gw_request *req,
                   void (*cb)(void *ctx, const char *name, size_t nlen, const char *value,
                              size_t vlen),
                   void *ctx)
{
	struct header_walk w = { cb, ctx, 0 };

	MHD_get_connection_values_n(req->conn, MHD_HEADER_KIND, header_walk_one, &w);
	return w.n;
}

/* Common headers, then queue. Takes ownership of @r. */
static int
queue(struct gw_request *req, int status, const struct gw_header *hdrs, size_t nhdrs,
      struct MHD_Response *r)
{
	MHD_add_response_header(r, "Server", "Holdfast");
	MHD_add_response_header(r, "x-amz-request-id", req->request_id);
	MHD_add_response_header(r, "x-amz-id-2", req->host_id);
	/* MHD refuses empty header values, yet S3 returns user metadata stored empty: one
	 * space is what clients read back as "" (field values are trimmed, RFC 9110 §5.5) */
	for (size_t i = 0; i < nhdrs; i++)
		MHD_add_response_header(r, hdrs[i].name, hdrs[i].value[0] ? hdrs[i].value : " ");
	req->response = r;
	req->responded = true;
	if (MHD_queue_response(req->conn, (unsigned)status, r) != MHD_YES)
		return GW_ERR;
	return GW_OK;
}

int
gw_respond(struct gw_request *req, int status, const struct gw_header *hdrs, size_t nhdrs,
           const void *body, size_t n)
{
	struct MHD_Response *r;

	if (req->responded)
		return GW_EINVAL;
	r = MHD_create_response_from_buffer(n, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return GW_ENOMEM;
	return queue(req, status, hdrs, nhdrs, r);
}

struct stream_ctx {
	gw_body_fn fn;
	void *ctx;
	void (*free_fn)(void *ctx);
};

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream_ctx *sc = cls;
	long n = sc->fn(sc->ctx, pos, buf, max);

	/* MHD: END_OF_STREAM before the announced size closes the connection, which is what a
	 * failed read must do: the client sees a short body, never wrong bytes */
	return n > 0 ? (ssize_t)n : MHD_CONTENT_READER_END_WITH_ERROR;
}

static void
stream_free(void *cls)
{
	struct stream_ctx *sc = cls;

	if (sc->free_fn)
		sc->free_fn(sc->ctx);
	free(sc);
}

int
gw_respond_stream(struct gw_request *req, int status, const struct gw_header *hdrs,
                  size_t nhdrs, uint64_t size, gw_body_fn fn, void *ctx,
                  void (*free_fn)(void *ctx))
{
	struct stream_ctx *sc;
	struct MHD_Response *r;

	if (req->responded) {
		if (free_fn)
			free_fn(ctx);
		return GW_EINVAL;
	}
	sc = malloc(sizeof(*sc));
	if (!sc) {
		if (free_fn)
			free_fn(ctx);
		return GW_ENOMEM;
	}
	*sc = (struct stream_ctx){ fn, ctx, free_fn };
	/* 256 KiB blocks: few syscalls per MiB, still flat memory per connection */
	r = MHD_create_response_from_callback(size, 256 * 1024, stream_read, sc, stream_free);
	if (!r) {
		stream_free(sc);
		return GW_ENOMEM;
	}
	return queue(req, status, hdrs, nhdrs, r);
}

int
gw_respond_fd(struct gw_request *req, int status, const struct gw_header *hdrs, size_t nhdrs,
              int fd, uint64_t offset, uint64_t size)
{
	struct MHD_Response *r;

	if (req->responded) {
		close(fd);
		return GW_EINVAL;
	}
	r = MHD_create_response_from_fd_at_offset64(size, fd, offset);
	if (!r) {
		close(fd);
		return GW_ENOMEM;
	}
	return queue(req, status, hdrs, nhdrs, r);
}

int
gw_respond_error(struct gw_request *req, enum s3_code code, const char *message,
                 const struct s3_error_extra *extras, size_t nextras)
{
	const struct s3_error_def *d = s3_error_def(code);
	struct gw_header h[] = { { "Content-Type", "application/xml" } };
	char resource[1100];
	struct buf b;
	const char *q;
	size_t plen;
	int rc;

	/* Resource is the path without the query: presigned URLs carry signatures there */
	q = strchr(req->target, '?');
	plen = q ? (size_t)(q - req->target) : strlen(req->target);
	if (plen >= sizeof(resource))
		plen = sizeof(resource) - 1;
	memcpy(resource, req->target, plen);
	resource[plen] = '\0';
	buf_init(&b, 64 * 1024);
	rc = s3_error_xml(&b, code, message, resource, extras, nextras, req->request_id,
	                  req->host_id);
	if (rc == GW_OK) {
		/* 304 carries no body (spec §10.1) */
		if (d->status == 304)
			rc = gw_respond(req, d->status, NULL, 0, "", 0);
		else
			rc = gw_respond(req, d->status, h, 1, b.ptr, b.len);
	}
	buf_release(&b);
	return rc;
}

/* Does the request announce a body (RFC 9112 §6.3: Transfer-Encoding or a non-zero
 * Content-Length)? */
static bool
has_body(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");

	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding"))
		return true;
	return cl && strspn(cl, "0") != strlen(cl);
}

static enum MHD_Result
on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size,
          void **con_cls)
{
	struct gw_server *s = cls;
	struct gw_request *req = *con_cls;

	(void)url;
	(void)version;
	if (!req) {
		/* allocation failed in on_uri: answer without a request object */
		static const char msg[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
		                          "<Code>InternalError</Code><Message>out of memory"
		                          "</Message></Error>";
		struct MHD_Response *r = MHD_create_response_from_buffer(
			sizeof(msg) - 1, (void *)(uintptr_t)msg, MHD_RESPMEM_PERSISTENT);
		enum MHD_Result ret;
		if (!r)
			return MHD_NO;
		ret = MHD_queue_response(conn, 500, r);
		MHD_destroy_response(r);
		return ret;
	}
	req->method = method;
	switch (req->phase) {
	case PHASE_NEW:
		req->phase = PHASE_BODY;
		/* A response queued in MHD's first call makes it close the connection (it cannot
		 * know the body will not follow). Requests without a body are therefore handled on
		 * the second call, which keeps keep-alive connections open; requests with a body
		 * start at once, so errors are answered before 100 Continue. */
		if (!has_body(conn))
			return MHD_YES;
		s->h.begin(s->h.ctx, req);
		return MHD_YES;
	case PHASE_BODY:
		if (req->responded) {
			/* answered early: drop the rest of the body */
			*upload_data_size = 0;
			return MHD_YES;
		}
		if (*upload_data_size) {
			s->h.body(s->h.ctx, req, upload_data, *upload_data_size);
			*upload_data_size = 0;
			return MHD_YES;
		}
		req->phase = PHASE_DONE;
		if (!has_body(conn)) {
			s->h.begin(s->h.ctx, req);
			if (req->responded)
				return MHD_YES;
		}
		s->h.end(s->h.ctx, req);
		if (!req->responded)
			gw_respond_error(req, S3E_InternalError, "handler gave no response", NULL, 0);
		return MHD_YES;
	default:
		*upload_data_size = 0;
		return MHD_YES;
	}
}

static void
on_mhd_log(void *cls, const char *fm, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fm, ap);
	msg[strcspn(msg, "\n")] = '\0';
	gw_log(GW_LOG_DEBUG, "http", "%s", msg);
}

int
gw_server_start(const struct gw_server_opts *o, const struct gw_handler *h,
                struct gw_server **out, struct gw_err *err)
{
	struct gw_server *s = NULL;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr *sa;
	const union MHD_DaemonInfo *di;
	unsigned flags, threads = o->threads;
	long ncpu;
	bool v6 = strchr(o->host, ':') != NULL;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (v6) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(o->port);
		if (inet_pton(AF_INET6, o->host, &sin6.sin6_addr) != 1)
			return gw_err_set(err, GW_EINVAL, "bad listen host '%s'", o->host);
		sa = (struct sockaddr *)&sin6;
	} else {
		sin.sin_family = AF_INET;
		sin.sin_port = htons(o->port);
		if (inet_pton(AF_INET, o->host, &sin.sin_addr) != 1)
			return gw_err_set(err, GW_EINVAL, "bad listen host '%s'", o->host);
		sa = (struct sockaddr *)&sin;
	}
	if (threads == 0) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		threads = ncpu > 0 ? (unsigned)ncpu * 2 : 4;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	s->h = *h;
	s->tls = o->tls_cert_pem != NULL;
	if (cr_random_bytes(&s->boot, sizeof(s->boot)) != CR_OK)
		s->boot = (uint32_t)time(NULL);

	/* A pool of poll(2) threads, not epoll: with MHD_USE_EPOLL, libmicrohttpd 0.9.75 misses
	 * a client that closes in the middle of a request body about 40 % of the time (seen
	 * here), leaving the request in flight and its temp file staged until the connection
	 * timeout; with poll it never did. ITC lets MHD_quiesce_daemon wake the pool threads
	 * for a clean stop. */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (v6)
		flags |= MHD_USE_IPv6;
	if (s->tls)
		flags |= MHD_USE_TLS;

	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_SOCK_ADDR, 0, sa },
		{ MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)threads, NULL },
		{ MHD_OPTION_CONNECTION_LIMIT, (intptr_t)o->max_connections, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)o->connection_timeout_s, NULL },
		/* headers must fit in here; S3 caps the header section at 8 KiB */
		{ MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL },
		{ MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, s },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s },
		{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s },
		{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL },
		{ s->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0,
		  (void *)(uintptr_t)o->tls_cert_pem },
		{ s->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0,
		  (void *)(uintptr_t)o->tls_key_pem },
		{ MHD_OPTION_END, 0, NULL },
	};
	s->d = MHD_start_daemon(flags, o->port, NULL, NULL, on_access, s, MHD_OPTION_ARRAY, opts,
	                        MHD_OPTION_END);
	if (!s->d) {
		free(s);
		return gw_err_set(err, GW_EIO, "cannot listen on %s%s%s:%u (in use, or bad TLS "
		                  "certificate/key)", v6 ? "[" : "", o->host, v6 ? "]" : "",
		                  (unsigned)o->port);
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : o->port;
	*out = s;
	return GW_OK;
}

uint16_t
gw_server_port(const struct gw_server *s)
{
	return s->port;
}

bool
gw_server_is_tls(const struct gw_server *s)
{
	return s->tls;
}

void
gw_server_stop(struct gw_server *s, unsigned grace_ms)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	MHD_socket lsock;

	if (!s)
		return;
	lsock = MHD_quiesce_daemon(s->d);
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	/* bounded wait: in-flight requests finish whole, idle keep-alives are simply closed */
	for (unsigned waited = 0; atomic_load(&s->inflight) > 0 && waited < grace_ms; waited += 10)
		nanosleep(&ts, NULL);
	if (atomic_load(&s->inflight) > 0)
		gw_log(GW_LOG_WARN, "shutdown", "%d request(s) still running after %u ms; closing",
		       atomic_load(&s->inflight), grace_ms);
	MHD_stop_daemon(s->d);
	free(s);
}
