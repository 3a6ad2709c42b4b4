internal import AsyncHTTPClient
internal import Foundation
internal import NIOCore
internal import NIOHTTP1

/// One HTTP request, fully prepared: the bytes that were signed are the bytes sent.
package struct TransportRequest: Sendable {
  /// The URL to post to.
  package var url: String
  /// The headers, in the order they are sent.
  package var headers: [(name: String, value: String)]
  /// The body.
  package var body: [UInt8]
}

/// An HTTP response: status and body.
package struct TransportResponse: Sendable {
  /// The HTTP status code.
  package var status: Int
  /// The body bytes.
  package var body: [UInt8]

  /// Creates a response.
  package init(status: Int, body: [UInt8]) {
    self.status = status
    self.body = body
  }
}

/// A transport failure, classified for the retry policy.
package struct TransportFailure: Error, Sendable, CustomStringConvertible {
  /// What went wrong.
  package enum Kind: Sendable, Hashable {
    /// The connect or request timeout expired (retried).
    case timeout
    /// The connection was reset or closed before a response arrived (retried).
    case connectionReset
    /// Anything else: connection refused, DNS, TLS, cancellation (not retried).
    case other
  }

  /// The classification.
  package var kind: Kind
  /// What the HTTP library reported.
  package var underlying: any Error

  /// Creates a failure.
  package init(_ kind: Kind, underlying: any Error) {
    self.kind = kind
    self.underlying = underlying
  }

  /// What the HTTP library reported.
  package var description: String { String(describing: underlying) }
}

/// Sends prepared requests. The client uses AsyncHTTPClient; tests may substitute another.
package protocol TencentCloudTransport: Sendable {
  /// Posts a request and returns the response, or throws ``TransportFailure``.
  func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse
}

/// The AsyncHTTPClient transport.
struct HTTPClientTransport: TencentCloudTransport {
  /// Responses larger than this are not TMS responses (a full one is a few kilobytes).
  static let maximumResponseBytes = 4 << 20

  let client: HTTPClient

  func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
    var outgoing = HTTPClientRequest(url: request.url)
    outgoing.method = .POST
    for header in request.headers {
      outgoing.headers.add(name: header.name, value: header.value)
    }
    outgoing.body = .bytes(ByteBuffer(bytes: request.body))
    do {
      let response = try await client.execute(outgoing, timeout: TimeAmount(timeout))
      let body = try await response.body.collect(upTo: Self.maximumResponseBytes)
      return TransportResponse(status: Int(response.status.code), body: Array(body.readableBytesView))
    } catch {
      throw Self.classify(error)
    }
  }

  /// Sorts an AsyncHTTPClient or NIO error into timeout, reset or other.
  static func classify(_ error: any Error) -> TransportFailure {
    if let error = error as? HTTPClientError {
      switch error {
      case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
        .getConnectionFromPoolTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout:
        return TransportFailure(.timeout, underlying: error)
      case .remoteConnectionClosed:
        return TransportFailure(.connectionReset, underlying: error)
      default:
        return TransportFailure(.other, underlying: error)
      }
    }
    if let error = error as? IOError {
      switch error.errnoCode {
      case ECONNRESET, EPIPE, ECONNABORTED:
        return TransportFailure(.connectionReset, underlying: error)
      case ETIMEDOUT:
        return TransportFailure(.timeout, underlying: error)
      default:
        return TransportFailure(.other, underlying: error)
      }
    }
    if let error = error as? ChannelError {
      switch error {
      case .connectTimeout:
        return TransportFailure(.timeout, underlying: error)
      case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed:
        return TransportFailure(.connectionReset, underlying: error)
      default:
        return TransportFailure(.other, underlying: error)
      }
    }
    return TransportFailure(.other, underlying: error)
  }
}
