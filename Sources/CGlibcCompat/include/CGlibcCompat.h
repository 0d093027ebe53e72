#ifndef RD_GLIBC_COMPAT_H
#define RD_GLIBC_COMPAT_H
// Nothing to import: this target only defines arc4random for glibc before 2.36 (see arc4random.c).
#endif
