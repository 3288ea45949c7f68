/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP side (libmicrohttpd; the only code that sees <microhttpd.h>). The server owns the
 * daemon and one struct gw_request per request; the application plugs in a struct gw_handler
 * with three phases — headers, body chunks, end — and answers through gw_respond*().
 *
 * Every response gets x-amz-request-id, x-amz-id-2, Server and (from MHD) Date and
 * Content-Length. Threading: handlers run on the daemon's worker threads, any number at once;
 * one request is only ever touched by one thread at a time.
 */
#ifndef HOLDFAST_GW_SERVER_H
#define HOLDFAST_GW_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../s3/errors.h"

struct gw_request {
	void *conn;           /* struct MHD_Connection *, private to http/ */
	void *response;       /* struct MHD_Response * queued, private to http/ */
	const char *method;   /* borrowed from MHD, valid for the request's life */
	char *target;         /* the request-target exactly as sent (path?query), owned */
	char request_id[17];  /* 16 upper-case hex chars, as AWS */
	char host_id[45];     /* opaque base64 */
	int phase;            /* private to http/ */
	bool responded;
	void *app;            /* the handler's per-request state, freed in ->done */
};

struct gw_handler {
	void *ctx;
	/* Headers are complete. Answer now (an error, or a body-less success) or leave the
	 * request unanswered to receive the body (MHD then sends 100 Continue). */
	void (*begin)(void *ctx, struct gw_request *req);
	/* Next piece of the body. Answering here ends the upload (the rest is discarded). */
	void (*body)(void *ctx, struct gw_request *req, const char *p, size_t n);
	/* The body is complete; the request must be answered now. */
	void (*end)(void *ctx, struct gw_request *req);
	/* The request is over (answered and sent, or the connection broke): release req->app.
	 * @ok is false when the response was not sent whole. */
	void (*done)(void *ctx, struct gw_request *req, bool ok);
};

struct gw_server_opts {
	const char *host;      /* IP literal */
	uint16_t port;         /* 0 = any free port (see gw_server_port) */
	unsigned threads;      /* 0 = 2 x online CPUs */
	unsigned max_connections;
	unsigned connection_timeout_s;
	const char *tls_cert_pem; /* both NULL = plain HTTP */
	const char *tls_key_pem;
};

struct gw_server;

int gw_server_start(const struct gw_server_opts *o, const struct gw_handler *h,
                    struct gw_server **out, struct gw_err *err);
/* The port actually bound (useful with port 0). */
uint16_t gw_server_port(const struct gw_server *s);
bool gw_server_is_tls(const struct gw_server *s);
/* Stop accepting, let requests in flight finish for up to @grace_ms, then close everything
 * and free @s. NULL-safe. */
void gw_server_stop(struct gw_server *s, unsigned grace_ms);

/* ---- request side ---- */

/* Value of header @name (case-insensitive), or NULL. Borrowed for the request's life. */
const char *gw_request_header(struct gw_request *req, const char *name);

/* Call @cb for every request header in arrival order (names as sent). Returns the count. */
size_t gw_request_headers(struct gw_request *req,
                          void (*cb)(void *ctx, const char *name, size_t nlen, const char *value,
                                     size_t vlen),
                          void *ctx);

struct gw_header {
	const char *name;
	const char *value;
};

/* Body producer for streamed responses: write up to @cap bytes of the body at @pos to @buf
 * and return how many (> 0), or -1 when the body cannot be produced (the connection is then
 * closed, so the client sees a short body rather than a wrong one). */
typedef long (*gw_body_fn)(void *ctx, uint64_t pos, char *buf, size_t cap);

/* Queue a complete response (the body is copied). At most one response per request;
 * a second call returns GW_EINVAL. HEAD responses are sent without the body. */
int gw_respond(struct gw_request *req, int status, const struct gw_header *hdrs, size_t nhdrs,
               const void *body, size_t n);
/* Queue a response whose @size-byte body is produced by @fn in order; @free_fn(@ctx) runs
 * when the response is done with (sent, failed, or never sent). Memory stays flat whatever
 * the size. On failure @free_fn has already been called. */
int gw_respond_stream(struct gw_request *req, int status, const struct gw_header *hdrs,
                      size_t nhdrs, uint64_t size, gw_body_fn fn, void *ctx,
                      void (*free_fn)(void *ctx));
/* Queue a response whose body is @size bytes of file @fd from @offset (sendfile where the
 * transport allows). Takes ownership of @fd (closed when done, also on failure). */
int gw_respond_fd(struct gw_request *req, int status, const struct gw_header *hdrs,
                  size_t nhdrs, int fd, uint64_t offset, uint64_t size);

/* Queue the S3 <Error> document for @code (status from the table). @resource may be NULL
 * (then the request path is used). */
int gw_respond_error(struct gw_request *req, enum s3_code code, const char *message,
                     const struct s3_error_extra *extras, size_t nextras);

#endif
