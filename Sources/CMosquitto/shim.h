#ifndef KLASTER_CMOSQUITTO_SHIM_H
#define KLASTER_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <mqtt_protocol.h>
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
