internal import Foundation
internal import NIOConcurrencyHelpers
internal import NIOCore
internal import NIOHTTP1
internal import NIOPosix

#if canImport(Glibc)
  internal import Glibc
#elseif canImport(Darwin)
  internal import Darwin
#endif

/// A fake Tencent Cloud TMS server for tests: HTTP/1.1 on `127.0.0.1`, an ephemeral port.
///
/// It checks what the real service checks — method and path, action, version, region, the
/// `Authorization` format, a known SecretId, timestamp skew (against an injectable clock), the
/// signature over whichever headers `SignedHeaders` lists (constant-time comparison), and the
/// body rules — and answers HTTP 200 with `{"Response": …}` in the real shape, scripted from a
/// keyword table (seeded with the official example, 优惠券 → Ad / Block). Faults can be queued,
/// one per request. Every request is recorded.
///
/// ```swift
/// let server = try await FakeTMSServer.start()
/// server.inject(.rateLimit, times: 2)
/// // … point the client at server.endpoint with FakeTMSServer.secretID / secretKey …
/// try await server.stop()
/// ```
public final class FakeTMSServer: Sendable {
  /// The SecretId the fake knows by default.
  public static let secretID = "AKIDHeguiFakeServer00000000000000000"
  /// The SecretKey of ``secretID``.
  public static let secretKey = "HeguiFakeServerSecretKey00000000"
  /// The regions the fake accepts by default.
  public static let defaultRegions: Set<String> = [
    "ap-guangzhou", "ap-shanghai", "ap-beijing", "ap-chengdu", "ap-nanjing", "ap-hongkong", "ap-singapore",
    "na-siliconvalley",
  ]

  private let state: NIOLockedValueBox<State>
  private let channel: any Channel

  /// The port the server listens on.
  public let port: Int

  /// `http://127.0.0.1:<port>`, for `HEGUI_TMS_ENDPOINT` or ``TencentCloudEndpoint``.
  public var endpoint: String { "http://127.0.0.1:\(port)" }

  private init(state: NIOLockedValueBox<State>, channel: any Channel, port: Int) {
    self.state = state
    self.channel = channel
    self.port = port
  }

  /// Starts a server on `127.0.0.1` and an ephemeral port.
  ///
  /// - Parameters:
  ///   - keys: SecretId → SecretKey pairs the server accepts.
  ///   - keywords: The keyword table answers are scripted from.
  ///   - regions: The regions accepted.
  /// - Returns: The running server.
  /// - Throws: If the socket cannot be bound.
  public static func start(
    keys: [String: String] = [secretID: secretKey], keywords: [FakeTMSKeyword] = [.officialExample],
    regions: Set<String> = defaultRegions
  ) async throws -> FakeTMSServer {
    let state = NIOLockedValueBox(
      State(
        service: FakeTMSService(keys: keys, tokens: [:], regions: regions, keywords: keywords, now: 0),
        clock: { Int64(Date().timeIntervalSince1970) }))
    let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
          try channel.pipeline.syncOperations.addHandler(RequestHandler(state: state))
        }
      }
    let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
    guard let port = channel.localAddress?.port else {
      try? await channel.close()
      throw FakeTMSServerError(message: "the fake TMS server has no local port")
    }
    return FakeTMSServer(state: state, channel: channel, port: port)
  }

  /// Stops listening and closes the server socket.
  public func stop() async throws {
    try await channel.close()
  }

  /// Queues a fault for the next `times` requests (faults are used in the order queued).
  public func inject(_ fault: FakeTMSFault, times: Int = 1) {
    state.withLockedValue { $0.faults += Array(repeating: fault, count: max(0, times)) }
  }

  /// Drops the faults not used yet.
  public func clearFaults() {
    state.withLockedValue { $0.faults.removeAll() }
  }

  /// Replaces the server's clock (Unix seconds), e.g. to skew it.
  public func setClock(_ now: @escaping @Sendable () -> Int64) {
    state.withLockedValue { $0.clock = now }
  }

  /// Replaces the keyword table.
  public func setKeywords(_ keywords: [FakeTMSKeyword]) {
    state.withLockedValue { $0.service.keywords = keywords }
  }

  /// Accepts a key pair.
  public func addKey(secretID: String, secretKey: String) {
    state.withLockedValue { $0.service.keys[secretID] = secretKey }
  }

  /// Makes a SecretId temporary: its requests must carry one of its tokens as `X-TC-Token`.
  public func addSessionToken(_ token: String, for secretID: String) {
    state.withLockedValue { _ = $0.service.tokens[secretID, default: []].insert(token) }
  }

  /// Every request received so far, in order.
  public var requests: [FakeTMSRecordedRequest] {
    state.withLockedValue { $0.requests }
  }

  /// Decides what to do with a request and records it.
  fileprivate static func reply(
    to request: FakeTMSRecordedRequest, state: NIOLockedValueBox<State>
  ) -> FakeTMSReply {
    state.withLockedValue { state in
      let fault = state.faults.isEmpty ? nil : state.faults.removeFirst()
      var service = state.service
      service.now = state.clock()
      let reply = service.reply(to: request, fault: fault)
      var recorded = request
      switch reply {
      case .reset: recorded.answer = "reset"
      case let .http(_, _, _, _, answer): recorded.answer = answer
      }
      state.requests.append(recorded)
      return reply
    }
  }
}

/// The server's mutable state, behind a lock.
private struct State {
  var service: FakeTMSService
  var clock: @Sendable () -> Int64
  var faults: [FakeTMSFault] = []
  var requests: [FakeTMSRecordedRequest] = []
}

/// The fake server could not start.
public struct FakeTMSServerError: Error, CustomStringConvertible, Sendable {
  /// What went wrong.
  public var message: String
  /// Same as ``message``.
  public var description: String { message }
}

/// Collects one request (head, body, end) and answers it.
private final class RequestHandler: ChannelInboundHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let state: NIOLockedValueBox<State>
  private var head: HTTPRequestHead?
  private var body: [UInt8] = []

  init(state: NIOLockedValueBox<State>) {
    self.state = state
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case let .head(head):
      self.head = head
      body = []
    case var .body(buffer):
      body += buffer.readBytes(length: buffer.readableBytes) ?? []
    case .end:
      guard let head else { return }
      self.head = nil
      let request = FakeTMSRecordedRequest(
        method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body,
        answer: "")
      answer(FakeTMSServer.reply(to: request, state: state), keepAlive: head.isKeepAlive, context: context)
    }
  }

  private func answer(_ reply: FakeTMSReply, keepAlive: Bool, context: ChannelHandlerContext) {
    switch reply {
    case .reset:
      // SO_LINGER 0 makes close() send RST instead of FIN.
      let channel = context.channel
      if let provider = channel as? any SocketOptionProvider {
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
      } else {
        channel.close(promise: nil)
      }
    case let .http(status, contentType, body, delay, _):
      if let delay {
        context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(delay)) {
          self.write(status: status, contentType: contentType, body: body, keepAlive: keepAlive, context: context)
        }
      } else {
        write(status: status, contentType: contentType, body: body, keepAlive: keepAlive, context: context)
      }
    }
  }

  private func write(status: Int, contentType: String, body: [UInt8], keepAlive: Bool, context: ChannelHandlerContext) {
    guard context.channel.isActive else { return }
    var headers = HTTPHeaders()
    headers.add(name: "Content-Type", value: contentType)
    headers.add(name: "Content-Length", value: String(body.count))
    if !keepAlive { headers.add(name: "Connection", value: "close") }
    let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
    context.write(wrapOutboundOut(.head(head)), promise: nil)
    context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
    let channel = context.channel
    context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
      if !keepAlive { channel.close(promise: nil) }
    }
  }
}
