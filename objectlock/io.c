/* SPDX-License-Identifier: Apache-2.0 */
/* The ol_io layer: POSIX disk calls behind one counter that a test can fault (io.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "io.h"
#include "io_test.h"

/* Counted calls since start (for ol_io_calls) and since arming (to find the Nth). */
static atomic_uint_fast64_t calls_total;
static atomic_uint_fast64_t calls_armed;
static atomic_uint_fast64_t fault_nth;
static atomic_int fault_kind;
static atomic_bool fault_fired;
static atomic_int link_errno;

#define FAULT_SHORT (-1)

void
ol_io_fault_set(uint64_t nth, enum ol_io_fault kind)
{
	/* Disarm first so that a call racing with re-arming cannot see a half-set fault. */
	atomic_store(&fault_nth, 0);
	atomic_store(&fault_fired, false);
	atomic_store(&calls_armed, 0);
	atomic_store(&fault_kind, (int)kind);
	if (kind != OL_IO_FAULT_NONE)
		atomic_store(&fault_nth, nth);
}

bool
ol_io_fault_fired(void)
{
	return atomic_load(&fault_fired);
}

uint64_t
ol_io_calls(void)
{
	return atomic_load(&calls_total);
}

/* Count one call; returns 0, an errno to fail with, or FAULT_SHORT. */
static int
tick(void)
{
	uint64_t nth, c;

	atomic_fetch_add(&calls_total, 1);
	nth = atomic_load(&fault_nth);
	c = atomic_fetch_add(&calls_armed, 1) + 1;
	if (nth == 0 || c != nth)
		return 0;
	/* Exactly one call sees c == nth, so the fault fires once. */
	atomic_store(&fault_fired, true);
	switch ((enum ol_io_fault)atomic_load(&fault_kind)) {
	case OL_IO_FAULT_EIO:
		return EIO;
	case OL_IO_FAULT_ENOSPC:
		return ENOSPC;
	case OL_IO_FAULT_SHORT:
		return FAULT_SHORT;
	case OL_IO_FAULT_NONE:
		break;
	}
	return 0;
}

/* For calls where a short transfer means nothing, a short fault lets the call proceed. */
static int
tick_plain(void)
{
	int f = tick();

	return f == FAULT_SHORT ? 0 : f;
}

int
ol_io_fault_point(void)
{
	int f = tick();

	/* The commit point has no "half": a short fault there is a failed write. */
	return f == FAULT_SHORT ? EIO : f;
}

int
ol_io_open(const char *path, int flags, mode_t mode)
{
	int f = tick_plain(), fd;

	if (f) {
		errno = f;
		return -1;
	}
	do
		fd = open(path, flags, mode);
	while (fd < 0 && errno == EINTR);
	return fd;
}

int
ol_io_close(int fd)
{
	/* Linux closes the fd even when close() reports EINTR: never retry. */
	return close(fd);
}

/* Shared by the four transfer calls: how many bytes to really move. */
static int
transfer_fault(size_t *n)
{
	int f = tick();

	if (f == FAULT_SHORT) {
		if (*n >= 2)
			*n /= 2;
		return 0;
	}
	return f;
}

ssize_t
ol_io_write(int fd, const void *p, size_t n)
{
	int f = transfer_fault(&n);
	ssize_t r;

	if (f) {
		errno = f;
		return -1;
	}
	do
		r = write(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

ssize_t
ol_io_pwrite(int fd, const void *p, size_t n, uint64_t off)
{
	int f = transfer_fault(&n);
	ssize_t r;

	if (f) {
		errno = f;
		return -1;
	}
	if (off > INT64_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	do
		r = pwrite(fd, p, n, (off_t)off);
	while (r < 0 && errno == EINTR);
	return r;
}

ssize_t
ol_io_read(int fd, void *p, size_t n)
{
	int f = transfer_fault(&n);
	ssize_t r;

	if (f) {
		errno = f;
		return -1;
	}
	do
		r = read(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

ssize_t
ol_io_pread(int fd, void *p, size_t n, uint64_t off)
{
	int f = transfer_fault(&n);
	ssize_t r;

	if (f) {
		errno = f;
		return -1;
	}
	if (off > INT64_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	do
		r = pread(fd, p, n, (off_t)off);
	while (r < 0 && errno == EINTR);
	return r;
}

int
ol_io_fsync(int fd)
{
	int f = tick_plain();

	if (f) {
		errno = f;
		return -1;
	}
	return fsync(fd);
}

int
ol_io_fdatasync(int fd)
{
	int f = tick_plain();

	if (f) {
		errno = f;
		return -1;
	}
	return fdatasync(fd);
}

int
ol_io_rename(const char *from, const char *to)
{
	int f = tick_plain();

	if (f) {
		errno = f;
		return -1;
	}
	return rename(from, to);
}

void
ol_io_link_errno_set(int sys_errno)
{
	atomic_store(&link_errno, sys_errno);
}

int
ol_io_link(const char *from, const char *to)
{
	int f = tick_plain();

	if (!f)
		f = atomic_load(&link_errno);
	if (f) {
		errno = f;
		return -1;
	}
	return link(from, to);
}

int
ol_io_unlink(const char *path)
{
	int f = tick_plain();

	if (f) {
		errno = f;
		return -1;
	}
	return unlink(path);
}

int
ol_io_mkdir(const char *path, mode_t mode)
{
	int f = tick_plain();

	if (f) {
		errno = f;
		return -1;
	}
	return mkdir(path, mode);
}

int
ol_io_stat(const char *path, struct stat *out)
{
	int f = tick_plain();

	if (f) {
		errno = f;
		return -1;
	}
	return stat(path, out);
}

int
ol_io_fstat(int fd, struct stat *out)
{
	int f = tick_plain();

	if (f) {
		errno = f;
		return -1;
	}
	return fstat(fd, out);
}

int
ol_io_fchmod(int fd, mode_t mode)
{
	int f = tick_plain();

	if (f) {
		errno = f;
		return -1;
	}
	return fchmod(fd, mode);
}

/* FS_IOC_GETFLAGS is declared with a long, but every filesystem reads and writes an int
 * (e2fsprogs' chattr passes an int too). */
static int
get_flags(int fd, int *flags)
{
	int f = tick_plain();

	if (f) {
		errno = f;
		return -1;
	}
	return ioctl(fd, FS_IOC_GETFLAGS, flags);
}

int
ol_io_get_immutable(int fd, bool *on)
{
	int flags = 0;

	if (get_flags(fd, &flags) != 0)
		return -1;
	*on = (flags & FS_IMMUTABLE_FL) != 0;
	return 0;
}

int
ol_io_set_immutable(int fd, bool on)
{
	int flags = 0, want, f;

	if (get_flags(fd, &flags) != 0)
		return -1;
	want = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
	if (want == flags)
		return 0;
	f = tick_plain();
	if (f) {
		errno = f;
		return -1;
	}
	return ioctl(fd, FS_IOC_SETFLAGS, &want);
}

DIR *
ol_io_opendir(const char *path)
{
	int f = tick_plain();

	if (f) {
		errno = f;
		return NULL;
	}
	return opendir(path);
}

struct dirent *
ol_io_readdir(DIR *d)
{
	int f = tick_plain();

	if (f) {
		errno = f;
		return NULL;
	}
	errno = 0;
	return readdir(d);
}

int
ol_io_closedir(DIR *d)
{
	return closedir(d);
}

int
ol_io_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = ol_io_write(fd, c, n);

		if (w < 0)
			return -1;
		if (w == 0) {
			/* write(2) returning 0 for n > 0 means the device took nothing: treat it
			 * as full rather than spin. */
			errno = ENOSPC;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int
ol_io_fsync_dir(const char *path)
{
	int fd, rc, saved;

	fd = ol_io_open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = ol_io_fsync(fd);
	saved = errno;
	ol_io_close(fd);
	errno = saved;
	return rc;
}
