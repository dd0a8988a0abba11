#ifndef KLASTER_CLIBPQ_SHIM_H
#define KLASTER_CLIBPQ_SHIM_H
#include <libpq-fe.h>

/// PG_DIAG_SQLSTATE is a character macro ('C'); give Swift a typed constant.
static inline int klaster_pg_diag_sqlstate(void) {
    return PG_DIAG_SQLSTATE;
}

/// PG_DIAG_MESSAGE_PRIMARY ('M'): the server's message without "ERROR:  ".
static inline int klaster_pg_diag_message_primary(void) {
    return PG_DIAG_MESSAGE_PRIMARY;
}
#endif
