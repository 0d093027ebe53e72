// arc4random for glibc before 2.36 (issue 17).
//
// The jump-host package links GCC 12's libstdc++.a, whose std::random_device calls arc4random: glibc
// added it in 2.36, so that one reference would make the binary refuse to start on every older glibc
// (Ubuntu 22.04 has 2.35). Defined here, the reference binds to this definition instead, and the
// binary's glibc floor is what the Swift runtime needs (2.35). Same contract as glibc's: 32 random
// bits from the kernel's CSPRNG; getrandom(2) (glibc 2.25) blocks only until the pool is first
// seeded, and a failure other than an interruption cannot be reported, so it aborts.
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/random.h>

uint32_t arc4random(void) {
    uint32_t value;
    for (;;) {
        ssize_t count = getrandom(&value, sizeof value, 0);
        if (count == (ssize_t)sizeof value) return value;
        if (count < 0 && errno != EINTR) abort();
    }
}
