import CNCurses

/// The only Swift file that calls the shim's signal functions: their state is a static inside
/// static inline C code, of which every object file would get its own copy.
enum SignalBridge {
    /// SIGWINCH → 'W' on `wakeFD`; SIGINT/SIGTERM/SIGHUP → 'Q'; crash signals restore the terminal and re-raise.
    static func install(wakeFD: Int32) { rd_install_signal_handlers(wakeFD) }
    static func uninstall() { rd_uninstall_signal_handlers() }
    /// Tells the handlers whether curses owns the terminal (so they call endwin).
    static func setCursesActive(_ active: Bool) { rd_set_curses_active(active ? 1 : 0) }
    /// The termination signal received, or 0.
    static func quitSignal() -> Int32 { rd_take_quit_signal() }
    /// Stops the process (Ctrl-Z) and returns when it is continued; the caller restores the terminal first.
    static func stopSelf() { rd_stop_self() }
    /// Sends stderr to `fd` while curses runs; nil puts it back.
    static func redirectStderr(to fd: Int32?) { rd_redirect_stderr(fd ?? -1) }
}
