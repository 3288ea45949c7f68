/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private: every disk call objectlock makes on its own files (blobs, temp files, directories)
 * goes through these wrappers, so that a test can make the Nth call fail (io_test.h) the way
 * SQLite's test VFS and curl's torture runs do. RocksDB's own file I/O does not; its write
 * call is faulted through ol_io_fault_point() instead.
 *
 * Each wrapper behaves like the POSIX call it names (return value, errno), retrying EINTR.
 * Every call counts one on a global atomic counter.
 */
#ifndef HOLDFAST_OBJECTLOCK_IO_H
#define HOLDFAST_OBJECTLOCK_IO_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

int ol_io_open(const char *path, int flags, mode_t mode);
int ol_io_close(int fd); /* not counted, never faulted: the fd is gone either way */
ssize_t ol_io_write(int fd, const void *p, size_t n);
ssize_t ol_io_pwrite(int fd, const void *p, size_t n, uint64_t off);
ssize_t ol_io_read(int fd, void *p, size_t n);
ssize_t ol_io_pread(int fd, void *p, size_t n, uint64_t off);
int ol_io_fsync(int fd);
int ol_io_fdatasync(int fd);
int ol_io_rename(const char *from, const char *to);
int ol_io_link(const char *from, const char *to);
int ol_io_unlink(const char *path);
int ol_io_mkdir(const char *path, mode_t mode);
int ol_io_stat(const char *path, struct stat *out);
int ol_io_fstat(int fd, struct stat *out);
DIR *ol_io_opendir(const char *path);
/* NULL with errno 0 at the end, NULL with errno set on failure. */
struct dirent *ol_io_readdir(DIR *d);
int ol_io_closedir(DIR *d); /* not counted */

int ol_io_fchmod(int fd, mode_t mode);
/* The immutable inode flag (FS_IOC_GETFLAGS / FS_IOC_SETFLAGS, FS_IMMUTABLE_FL) of the file
 * open at @fd (read-only is enough). 0, or -1 with errno: ENOTTY / EOPNOTSUPP / EINVAL when
 * the filesystem has no such flags, EPERM without CAP_LINUX_IMMUTABLE. Reading the flags
 * counts as one call; setting reads them first and changes only this one (one more call,
 * none when the flag is already as wanted). */
int ol_io_get_immutable(int fd, bool *on);
int ol_io_set_immutable(int fd, bool on);

/* Write all @n bytes, looping over short writes. 0, or -1 with errno. */
int ol_io_write_all(int fd, const void *p, size_t n);
/* Open @path as a directory and fsync it (counted as the open and the fsync). 0 or -1. */
int ol_io_fsync_dir(const char *path);

/* For calls that are not POSIX ones (the RocksDB commit): counts one call and returns 0, or
 * the errno of the armed fault (EIO for a short-write fault) when this is the Nth call. */
int ol_io_fault_point(void);

#endif
