#ifndef KLASTER_CLINUX_SHIM_H
#define KLASTER_CLINUX_SHIM_H
/* Linux calls that Swift's Glibc module does not expose, for the ingest
 * pipeline's thread hand-off and its socket loop. Header only: nothing to link. */
#include <errno.h>
#include <sys/eventfd.h>

/* errno as plain functions, for the "clear, call mosquitto_loop_read, inspect"
 * pattern that tells a read burst when the socket would block. */
static inline void klaster_errno_clear(void) { errno = 0; }
static inline int klaster_errno_get(void) { return errno; }
static inline int klaster_errno_would_block(void) { return errno == EAGAIN || errno == EWOULDBLOCK; }

/* A non-blocking, close-on-exec eventfd (sys/eventfd.h is not in Swift's Glibc module). */
static inline int klaster_eventfd(void) { return eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }
#endif
