// Makes the shared test support (TestServer, TempDir, runProcess, waitUntil) visible in every file of
// this test target without a per-file import.
@_exported import TestSupport
