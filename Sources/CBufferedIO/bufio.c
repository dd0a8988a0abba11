// Buffered socket I/O beneath libmosquitto: see include/klaster_bufio.h.
#define _GNU_SOURCE
#include "klaster_bufio.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

// Under ThreadSanitizer the interposers are left out: its runtime intercepts
// read/write/close itself (weak definitions that ours would replace, blinding
// it to descriptor-based synchronisation). attach then fails with ENOTSUP and
// the owner runs unbuffered; the buffered path is single-threaded per
// descriptor, so TSan has nothing of it to check but the slot table below.
#if defined(__has_feature)
#  if __has_feature(thread_sanitizer)
#    define KLASTER_BUFIO_DISABLED 1
#  endif
#endif
#if defined(__SANITIZE_THREAD__)
#  define KLASTER_BUFIO_DISABLED 1
#endif

enum { max_fd = 4096, in_capacity = 64 * 1024, out_capacity = 256 * 1024 };

struct bufio {
    unsigned long long reads, writes;   // system calls, for klaster_bufio_stats_get
    size_t in_pos, in_len;      // unread bytes are in[in_pos ..< in_len]
    size_t out_len;             // unsent bytes are out[0 ..< out_len]
    unsigned char in[in_capacity];
    unsigned char out[out_capacity];
};

// Per-descriptor state, indexed by descriptor number. Every thread's read,
// write and close look their descriptor up here, but only the thread that
// attached a descriptor ever finds it (a descriptor number is unique while
// open, and close detaches before the number can be reused), so the state
// behind a slot is never shared. Release/acquire on the slot pointer makes the
// initialised state visible with the pointer; that matters only if a
// descriptor is handed to another thread between cycles, which the owner
// does not do, but costs nothing on x86.
static _Atomic(struct bufio *) slots[max_fd];
// Wake-up descriptors whose writes are swallowed: same ownership argument.
static _Atomic(unsigned char) wakeups[max_fd];

static __thread int capture_active;
static __thread int captured_wakeup = -1;

static inline struct bufio *lookup(int fd) {
    if (fd < 0 || fd >= max_fd) return NULL;
    return atomic_load_explicit(&slots[fd], memory_order_acquire);
}

static ssize_t sys_read(int fd, void *buf, size_t n) { return syscall(SYS_read, fd, buf, n); }
static ssize_t sys_write(int fd, const void *buf, size_t n) { return syscall(SYS_write, fd, buf, n); }
// MSG_NOSIGNAL: a peer that went away is an error return, never SIGPIPE.
static ssize_t sys_send(int fd, const void *buf, size_t n) { return syscall(SYS_sendto, fd, buf, n, MSG_NOSIGNAL, NULL, 0); }

int klaster_bufio_attach(int fd) {
#ifdef KLASTER_BUFIO_DISABLED
    (void)fd;
    errno = ENOTSUP;
    return -1;
#else
    if (fd < 0 || fd >= max_fd) { errno = EINVAL; return -1; }
    if (lookup(fd)) return 0;
    struct bufio *b = malloc(sizeof *b);
    if (!b) { errno = ENOMEM; return -1; }
    b->reads = b->writes = 0;
    b->in_pos = b->in_len = b->out_len = 0;
    atomic_store_explicit(&slots[fd], b, memory_order_release);
    return 0;
#endif
}

void klaster_bufio_detach(int fd) {
    if (fd < 0 || fd >= max_fd) return;
    struct bufio *b = atomic_exchange_explicit(&slots[fd], NULL, memory_order_acq_rel);
    free(b);
}

int klaster_bufio_attached(int fd) { return lookup(fd) != NULL; }

size_t klaster_bufio_readable(int fd) {
    struct bufio *b = lookup(fd);
    return b ? b->in_len - b->in_pos : 0;
}

size_t klaster_bufio_unsent(int fd) {
    struct bufio *b = lookup(fd);
    return b ? b->out_len : 0;
}

static int flush(int fd, struct bufio *b) {
    size_t sent = 0;
    int rc = 0;
    while (sent < b->out_len) {
        ssize_t w = sys_send(fd, b->out + sent, b->out_len - sent);
        b->writes++;
        if (w >= 0) { sent += (size_t)w; continue; }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) { rc = 1; break; }
        b->out_len = 0;
        return -1;
    }
    if (sent > 0 && sent < b->out_len) memmove(b->out, b->out + sent, b->out_len - sent);
    b->out_len -= sent;
    return rc;
}

int klaster_bufio_flush(int fd) {
    struct bufio *b = lookup(fd);
    if (!b || b->out_len == 0) return 0;
    return flush(fd, b);
}

void klaster_bufio_capture_wakeup_begin(void) {
    capture_active = 1;
    captured_wakeup = -1;
}

int klaster_bufio_capture_wakeup_end(void) {
    capture_active = 0;
    int fd = captured_wakeup;
    captured_wakeup = -1;
#ifdef KLASTER_BUFIO_DISABLED
    return -1;
#else
    if (fd >= 0 && fd < max_fd) {
        atomic_store_explicit(&wakeups[fd], 1, memory_order_release);
        return fd;
    }
    return -1;
#endif
}

void klaster_bufio_release_wakeup(int fd) {
    if (fd >= 0 && fd < max_fd) atomic_store_explicit(&wakeups[fd], 0, memory_order_release);
}

klaster_bufio_stats klaster_bufio_stats_get(int fd) {
    struct bufio *b = lookup(fd);
    klaster_bufio_stats s = { b ? b->reads : 0, b ? b->writes : 0 };
    return s;
}

#ifndef KLASTER_BUFIO_DISABLED

// The interposers. The executable's definitions take precedence over the C
// library's for every shared library that calls these through the PLT, which
// is how libmosquitto reaches them; descriptors that are not ours go straight
// to the kernel, exactly as the C library's wrappers would.

ssize_t read(int fd, void *buf, size_t n) {
    struct bufio *b = lookup(fd);
    if (!b) return sys_read(fd, buf, n);
    size_t have = b->in_len - b->in_pos;
    if (have == 0) {
        if (n >= in_capacity) {
            b->reads++;
            return sys_read(fd, buf, n);
        }
        ssize_t r = sys_read(fd, b->in, in_capacity);
        b->reads++;
        if (r <= 0) return r;           // EOF, or an error with errno set (EAGAIN: dry)
        b->in_pos = 0;
        b->in_len = (size_t)r;
        have = (size_t)r;
    }
    size_t k = n < have ? n : have;
    memcpy(buf, b->in + b->in_pos, k);
    b->in_pos += k;
    return (ssize_t)k;
}

ssize_t write(int fd, const void *buf, size_t n) {
    if (fd >= 0 && fd < max_fd && atomic_load_explicit(&wakeups[fd], memory_order_relaxed)) {
        // Nobody reads the other end: the byte would only fill the pair.
        return (ssize_t)n;
    }
    struct bufio *b = lookup(fd);
    if (!b) return sys_write(fd, buf, n);
    if (n > out_capacity - b->out_len) {
        int rc = flush(fd, b);
        if (rc < 0) return -1;
        if (n > out_capacity - b->out_len) {
            if (b->out_len == 0) {       // larger than the whole buffer: straight through
                b->writes++;
                return sys_send(fd, buf, n);
            }
            errno = EAGAIN;              // the caller keeps its packet and retries on POLLOUT
            return -1;
        }
    }
    memcpy(b->out + b->out_len, buf, n);
    b->out_len += n;
    return (ssize_t)n;
}

int close(int fd) {
    if (fd >= 0 && fd < max_fd) {
        if (atomic_load_explicit(&slots[fd], memory_order_relaxed)) klaster_bufio_detach(fd);
        if (atomic_load_explicit(&wakeups[fd], memory_order_relaxed)) klaster_bufio_release_wakeup(fd);
    }
    return (int)syscall(SYS_close, fd);
}

int socketpair(int domain, int type, int protocol, int sv[2]) {
    int rc = (int)syscall(SYS_socketpair, domain, type, protocol, sv);
    if (rc == 0 && capture_active) captured_wakeup = sv[1];
    return rc;
}

#endif
