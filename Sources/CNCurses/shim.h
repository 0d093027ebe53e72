#ifndef RUNNERDECK_CNCURSES_SHIM_H
#define RUNNERDECK_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#include <ncursesw/curses.h>
#include <ncursesw/term.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>
#include <sys/ioctl.h>

/* Function-like macros and globals of curses do not import into Swift: wrap them. */

/* What the terminfo database says of `term` before curses takes the screen:
   0 no entry, 1 an entry without cursor addressing (e.g. dumb), 2 usable. */
static inline int rd_terminfo_probe(const char *term) {
    int err = 0;
    if (setupterm((char *)term, STDOUT_FILENO, &err) != OK) return 0;
    char *cup = tigetstr((char *)"cup");
    int usable = cup != NULL && cup != (char *)-1;
    TERMINAL *probe = cur_term;
    set_curterm(NULL);
    del_curterm(probe);
    return usable ? 2 : 1;
}

/// The `colors` number of a terminfo entry (-1 when it has none or does not exist).
static inline int rd_terminfo_colors(const char *term) {
    int err = 0;
    if (setupterm((char *)term, STDOUT_FILENO, &err) != OK) return -1;
    int colors = tigetnum((char *)"colors");
    TERMINAL *probe = cur_term;
    set_curterm(NULL);
    del_curterm(probe);
    return colors;
}

/// The `colors` number of the terminal curses draws on (-1 when none).
static inline int rd_screen_colors(void) { return tigetnum((char *)"colors"); }

static inline int rd_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline int rd_attr_bold(void) { return (int)A_BOLD; }
static inline int rd_attr_reverse(void) { return (int)A_REVERSE; }
static inline int rd_attr_underline(void) { return (int)A_UNDERLINE; }
static inline int rd_attr_dim(void) { return (int)A_DIM; }
static inline int rd_attr_normal(void) { return (int)A_NORMAL; }
static inline int rd_key_resize(void) { return KEY_RESIZE; }
static inline int rd_err(void) { return ERR; }

static inline void rd_getmaxyx(WINDOW *w, int *rows, int *cols) {
    int y = 0, x = 0;
    if (w) { getmaxyx(w, y, x); }
    *rows = y; *cols = x;
}

static inline WINDOW *rd_stdscr(void) { return stdscr; }
/* True when the terminal has an alternate screen (rmcup), so leaving curses brings the shell's screen back. */
static inline int rd_has_alternate_screen(void) {
    const char *cap = tigetstr("rmcup");
    return cap != NULL && cap != (const char *)-1 && cap[0] != 0;
}

/* ACS line characters (valid only after the screen exists). */
static inline chtype rd_acs_hline(void) { return ACS_HLINE; }
static inline chtype rd_acs_vline(void) { return ACS_VLINE; }

static inline int rd_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

/* True when the current locale's character set is UTF-8 (call after setlocale). */
static inline int rd_locale_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    if (!cs) return 0;
    return strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0;
}

/* Terminal size from the kernel (used on SIGWINCH). Returns 0 on success. */
static inline int rd_tty_size(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row; *cols = ws.ws_col;
    return 0;
}

/* ---- Signals ----------------------------------------------------------------------------
 * One wake-up pipe (write end) receives a byte per event: 'W' for SIGWINCH, 'Q' for
 * SIGINT/SIGTERM/SIGHUP (the UI loop then ends cleanly and restores the terminal).
 * A second termination signal, or any crash signal (SIGILL/SIGTRAP/SIGSEGV/SIGBUS/SIGFPE/SIGABRT,
 * which is how Swift traps arrive), restores the terminal with endwin() right in the handler,
 * puts back the previous handler and re-raises, so the process dies as it would have.
 */
/* All signal state lives in one function-local static: header statics are not emitted for Swift.
 * NOTE for Swift callers: call these rd_* signal functions from ONE Swift source file only
 * (Dashboard/Terminal/Signals.swift), since each object file gets its own copy of static inline code. */
struct rd_signal_state {
    volatile sig_atomic_t wake_fd;
    volatile sig_atomic_t curses_active;
    volatile sig_atomic_t quit_signal;
    volatile sig_atomic_t saved_stderr;
    struct sigaction old_actions[32];
};

static inline struct rd_signal_state *rd_sig(void) {
    static struct rd_signal_state state = { -1, 0, 0, -1 };
    return &state;
}

static inline void rd_restore_and_reraise(int sig) {
    if (rd_sig()->saved_stderr >= 0) {
        /* stderr was sent to the log while curses ran: give the crash report the terminal back. */
        dup2(rd_sig()->saved_stderr, STDERR_FILENO);
    }
    if (rd_sig()->curses_active) {
        rd_sig()->curses_active = 0;
        endwin();
        /* Leave the alternate screen and show the cursor even if endwin could not. */
        static const char reset[] = "\033[?1049l\033[?25h\033[0m\r\n";
        ssize_t ignored = write(STDOUT_FILENO, reset, sizeof(reset) - 1);
        (void)ignored;
    }
    if (sig > 0 && sig < 32) {
        sigaction(sig, &rd_sig()->old_actions[sig], NULL);
    } else {
        signal(sig, SIG_DFL);
    }
    raise(sig);
}

static void rd_crash_handler(int sig) {
    rd_restore_and_reraise(sig);
}

static void rd_quit_handler(int sig) {
    if (rd_sig()->quit_signal != 0 || rd_sig()->wake_fd < 0) {
        /* Second request (or no UI loop): restore now and die of the signal. */
        rd_restore_and_reraise(sig);
        return;
    }
    rd_sig()->quit_signal = sig;
    char c = 'Q';
    ssize_t ignored = write(rd_sig()->wake_fd, &c, 1);
    (void)ignored;
}

static void rd_winch_handler(int sig) {
    (void)sig;
    if (rd_sig()->wake_fd >= 0) {
        char c = 'W';
        ssize_t ignored = write(rd_sig()->wake_fd, &c, 1);
        (void)ignored;
    }
}

/* Ctrl-Z: the UI loop suspends (endwin, stop, repaint on return), never a handler behind its back.
   Installed before newterm, so ncurses does not install its own SIGTSTP handler (which runs on
   whichever thread the signal lands on, and after a few rounds left SIGTSTP ignored). */
static void rd_tstp_handler(int sig) {
    (void)sig;
    if (rd_sig()->wake_fd >= 0) {
        char c = 'Z';
        ssize_t ignored = write(rd_sig()->wake_fd, &c, 1);
        (void)ignored;
    }
}

static inline void rd_install_one(int sig, void (*handler)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = flags;
    sigaction(sig, &sa, &rd_sig()->old_actions[sig]);
}

/* Installs every handler; `wake_fd` is the write end of the UI loop's pipe. */
static inline void rd_install_signal_handlers(int wake_fd) {
    rd_sig()->wake_fd = wake_fd;
    rd_sig()->quit_signal = 0;
    rd_install_one(SIGWINCH, rd_winch_handler, SA_RESTART);
    rd_install_one(SIGINT, rd_quit_handler, SA_RESTART);
    rd_install_one(SIGTERM, rd_quit_handler, SA_RESTART);
    rd_install_one(SIGHUP, rd_quit_handler, SA_RESTART);
    rd_install_one(SIGTSTP, rd_tstp_handler, SA_RESTART);
    rd_install_one(SIGILL, rd_crash_handler, SA_NODEFER);
    rd_install_one(SIGTRAP, rd_crash_handler, SA_NODEFER);
    rd_install_one(SIGSEGV, rd_crash_handler, SA_NODEFER);
    rd_install_one(SIGBUS, rd_crash_handler, SA_NODEFER);
    rd_install_one(SIGFPE, rd_crash_handler, SA_NODEFER);
    rd_install_one(SIGABRT, rd_crash_handler, SA_NODEFER);
    signal(SIGPIPE, SIG_IGN);
}

/* Puts back the handlers that were there before rd_install_signal_handlers. */
static inline void rd_uninstall_signal_handlers(void) {
    int sigs[] = { SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT };
    for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        sigaction(sigs[i], &rd_sig()->old_actions[sigs[i]], NULL);
    }
    rd_sig()->wake_fd = -1;
}

/* Stops the process as Ctrl-Z does (the terminal already restored by the caller) and returns once it
   is continued (fg). SIGSTOP, not SIGTSTP: it cannot be caught, so it can never land, a moment later
   and on another thread, in our own SIGTSTP handler instead of stopping the job. Sent to this thread,
   not to the process: a process-directed stop is taken by whichever thread the kernel picks (often the
   main one), and the calling thread ran on until that thread got to it. On a loaded machine it ran far
   enough to repaint, putting the terminal back in curses' modes and on the alternate screen just as
   the shell took it over. (The rest of the job got the terminal's SIGTSTP itself.) */
static inline void rd_stop_self(void) {
    pthread_kill(pthread_self(), SIGSTOP);
}

/* Sends stderr to `fd` (the log, or /dev/null) while curses runs; -1 puts it back. */
static inline void rd_redirect_stderr(int fd) {
    if (fd >= 0) {
        if (rd_sig()->saved_stderr < 0) rd_sig()->saved_stderr = dup(STDERR_FILENO);
        dup2(fd, STDERR_FILENO);
    } else if (rd_sig()->saved_stderr >= 0) {
        dup2(rd_sig()->saved_stderr, STDERR_FILENO);
        close(rd_sig()->saved_stderr);
        rd_sig()->saved_stderr = -1;
    }
}

static inline FILE *rd_stdout(void) { return stdout; }
static inline FILE *rd_stdin(void) { return stdin; }

static inline void rd_set_curses_active(int active) { rd_sig()->curses_active = active; }
static inline int rd_take_quit_signal(void) { return (int)rd_sig()->quit_signal; }

#endif
