#ifndef RUNNERDECK_CSQLITE_SHIM_H
#define RUNNERDECK_CSQLITE_SHIM_H
#include <sqlite3.h>

/* Macros that do not import into Swift (a cast to a function pointer, an extended result code): wrap them. */

/* SQLite copies the bound text or blob before sqlite3_bind_* returns. */
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

/* What a COMMIT fails with when the commit hook returned non-zero (SQLite rolled the transaction back). */
static inline int csqlite_constraint_commithook(void) { return SQLITE_CONSTRAINT_COMMITHOOK; }

#endif
