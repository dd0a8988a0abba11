// Buffered socket I/O beneath libmosquitto.
//
// libmosquitto (2.0) reads every MQTT packet with at least three read(2)
// calls (fixed header byte, remaining-length bytes, body), writes every
// PUBACK with its own write(2), and in threaded mode writes one wake-up byte
// to an internal socket pair for every packet it queues. For a stream of
// small QoS 1 messages that is five system calls per message, and the kernel
// becomes most of the CPU. libmosquitto has no I/O hooks, so this library
// interposes read(2), write(2) and close(2) (and socketpair(2), to learn the
// wake-up pair) for the descriptors it is told about and passes every other
// descriptor straight to the C library:
//
// - an attached socket is read 64 KiB at a time into a buffer that serves
//   libmosquitto's small reads; its writes are collected and leave in one
//   write(2) when the owner calls klaster_bufio_flush;
// - a registered wake-up descriptor swallows writes (nobody reads its other
//   end when the owner drives the loop by hand, so those bytes only ever
//   filled the pair and then failed with EAGAIN, one system call each).
//
// Rules for the owner (KlasterMQTT's MosquittoClient): one thread drives an
// attached descriptor; poll(2) cannot see bytes already in the read buffer,
// so check klaster_bufio_readable first; flush after every mosquitto_loop_write
// and poll for POLLOUT while klaster_bufio_unsent is non-zero. close(2) of an
// attached descriptor detaches it first, so a reused descriptor number never
// inherits a buffer. Plain TCP only: TLS reads go through OpenSSL's own buffers.
#ifndef KLASTER_BUFIO_H
#define KLASTER_BUFIO_H

#include <stddef.h>

/// Starts buffering `fd` (a connected, non-blocking socket). 0, or -1 with errno
/// (EINVAL for a descriptor out of range, ENOMEM). Attaching twice is a no-op.
int klaster_bufio_attach(int fd);

/// Stops buffering `fd`, dropping what its buffers hold. No-op when not attached.
void klaster_bufio_detach(int fd);

/// Whether `fd` is attached.
int klaster_bufio_attached(int fd);

/// Bytes read from the socket and not yet handed to the reader.
size_t klaster_bufio_readable(int fd);

/// Bytes written by the writer and not yet sent.
size_t klaster_bufio_unsent(int fd);

/// Sends what the write buffer holds. 0 when it is empty afterwards, 1 when
/// the socket would block with bytes left (poll for POLLOUT), -1 on an error
/// (errno set; the bytes are dropped: the connection is gone).
int klaster_bufio_flush(int fd);

/// Between begin and end, on the calling thread, socketpair(2) records the
/// write end of the pair it creates: end returns it (or -1) and registers
/// it as a wake-up descriptor whose writes are swallowed.
void klaster_bufio_capture_wakeup_begin(void);
int klaster_bufio_capture_wakeup_end(void);

/// Forgets a wake-up descriptor (close(2) does this too).
void klaster_bufio_release_wakeup(int fd);

/// System calls made for an attached descriptor since it was attached
/// (zeros when it is not): for tests and profiles.
typedef struct {
    unsigned long long reads;
    unsigned long long writes;
} klaster_bufio_stats;
klaster_bufio_stats klaster_bufio_stats_get(int fd);

#endif
