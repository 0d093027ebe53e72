import NIOCore
import NIOPosix

/// One query to one server and its answer, over UDP (a connected socket, so only the server's
/// datagrams arrive) or TCP (two-byte length framing). Every exchange is bounded by its timeout and
/// ends early when the calling task is cancelled.
enum DNSTransport {
    /// The answer whose ID is `id`; other datagrams are dropped (a late answer to an earlier try, or noise).
    static func exchange(_ query: [UInt8], id: UInt16, server: DNSServer, overTCP: Bool, timeout: Duration) async throws -> [UInt8] {
        let label = server.description
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: server.host, port: server.port)
        } catch {
            throw DNSError.badServer("\(server.host) is not an IP address")
        }
        let amount = TimeAmount.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let promise = loop.makePromise(of: [UInt8].self)
        let channel: any Channel
        do {
            if overTCP {
                channel = try await ClientBootstrap(group: loop)
                    .connectTimeout(amount)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(StreamReplyHandler(promise: promise, id: id, server: label))
                        }
                    }
                    .connect(to: address).get()
            } else {
                channel = try await DatagramBootstrap(group: loop)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(DatagramReplyHandler(promise: promise, id: id, server: label))
                        }
                    }
                    .connect(to: address).get()
            }
        } catch {
            let failure: DNSError = (error as? ChannelError) == .connectTimeout(amount)
                ? .timeout(server: label) : .network(server: label, message: "\(error)")
            promise.fail(failure)
            throw failure
        }
        let timer = loop.scheduleTask(in: amount) { promise.fail(DNSError.timeout(server: label)) }
        var payload = ByteBuffer()
        if overTCP {
            payload.writeInteger(UInt16(query.count))
            payload.writeBytes(query)
            channel.writeAndFlush(payload).whenFailure { promise.fail(DNSError.network(server: label, message: "\($0)")) }
        } else {
            payload.writeBytes(query)
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: payload))
                .whenFailure { promise.fail(DNSError.network(server: label, message: "\($0)")) }
        }
        defer {
            timer.cancel()
            channel.close(promise: nil)
        }
        return try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
        }
    }

    static func isAnswer(_ bytes: [UInt8], to id: UInt16) -> Bool {
        bytes.count >= 12 && UInt16(bytes[0]) << 8 | UInt16(bytes[1]) == id && bytes[2] & 0x80 != 0
    }
}

final class DatagramReplyHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let promise: EventLoopPromise<[UInt8]>
    let id: UInt16
    let server: String

    init(promise: EventLoopPromise<[UInt8]>, id: UInt16, server: String) {
        self.promise = promise
        self.id = id
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).data.readableBytesView)
        if DNSTransport.isAnswer(bytes, to: id) { promise.succeed(bytes) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(DNSError.network(server: server, message: "\(error)"))
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DNSError.network(server: server, message: "socket closed"))
        context.fireChannelInactive()
    }
}

final class StreamReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<[UInt8]>
    let id: UInt16
    let server: String
    var received = ByteBuffer()

    init(promise: EventLoopPromise<[UInt8]>, id: UInt16, server: String) {
        self.promise = promise
        self.id = id
        self.server = server
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        received.writeBuffer(&part)
        guard let length = received.getInteger(at: received.readerIndex, as: UInt16.self),
              received.readableBytes >= 2 + Int(length),
              let bytes = received.getBytes(at: received.readerIndex + 2, length: Int(length)) else { return }
        if DNSTransport.isAnswer(bytes, to: id) {
            promise.succeed(bytes)
        } else {
            promise.fail(DNSError.malformed("the TCP answer is not a response to the query"))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(DNSError.network(server: server, message: "\(error)"))
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(DNSError.network(server: server, message: "connection closed before the answer was complete"))
        context.fireChannelInactive()
    }
}
