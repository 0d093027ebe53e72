// Makes the shared test support (TestServer, ManualClock, TempDir, closedPort, waitUntil) visible
// in every file of this test target without a per-file import.
@_exported import TestSupport
