#ifndef KLASTER_CSQLITE_SHIM_H
#define KLASTER_CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift
/// cannot import; expose it as a function.
static inline sqlite3_destructor_type klaster_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

/// sqlite3_config and sqlite3_db_config are variadic: Swift cannot call them.
static inline int klaster_sqlite_config_single_thread_off(void) {
    return sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
}
#endif
