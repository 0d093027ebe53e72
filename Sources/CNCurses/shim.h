#ifndef RUNNERDECK_CNCURSES_SHIM_H
#define RUNNERDECK_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#endif
