import Foundation
@testable import RunnerDeckKit
import Testing

/// Points in time as an operator types them into the Logs view's jump.
@Suite struct TimeSpanTests {
    // 2023-11-14 22:13:20 UTC
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test func aTimeOfDayIsTheLatestSuchMomentAtOrBeforeNow() {
        #expect(TimeSpan.clockTime("22:13", now: now) == now.addingTimeInterval(-20))
        #expect(TimeSpan.clockTime("22:13:20", now: now) == now)
        // Later today has not happened yet: it is yesterday's.
        #expect(TimeSpan.clockTime("23:00", now: now) == now.addingTimeInterval(-20 - 13 * 60 - 22 * 3600 + 23 * 3600 - 86_400))
        for bad in ["24:00", "12:60", "1:05", "12:05:7", "12", "ab:cd", "12:05:00:00", ""] {
            #expect(TimeSpan.clockTime(bad, now: now) == nil, "\(bad)")
        }
    }

    @Test func aPointIsAClockTimeASpanBackOrAnISOTime() {
        #expect(TimeSpan.point("10m", now: now) == now.addingTimeInterval(-600))
        #expect(TimeSpan.point("-1h30m", now: now) == now.addingTimeInterval(-5400))
        #expect(TimeSpan.point("2023-11-14T20:00:00Z", now: now) == Date(timeIntervalSince1970: 1_699_992_000))
        #expect(TimeSpan.point("22:00", now: now) == now.addingTimeInterval(-800))
        #expect(TimeSpan.point("soon", now: now) == nil)
    }
}
