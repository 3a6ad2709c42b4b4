/// An error from the review queue: what went wrong, with which file or ticket, and what caused it.
///
/// Switch on ``code`` to react (a reviewer who lost a race gets ``Code/alreadyDecided`` or
/// ``Code/claimedByOther``); show ``description`` to people. Errors about the database file
/// (``Code/notADatabase``, ``Code/foreignDatabase``, ``Code/newerSchema``, ``Code/readOnly``)
/// are raised before anything is written: the file is left as it was.
public struct ReviewQueueError: Error, CustomStringConvertible, Sendable {
  /// The kind of failure. New codes may be added; switch with a `default`.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    fileprivate enum Value: String, Sendable {
      case notADatabase, foreignDatabase, newerSchema, corrupt, readOnly, notFound, io, busy, database
      case ticketNotFound, alreadyDecided, claimedByOther, notClaimed, invalidArgument
    }
    fileprivate let value: Value

    /// The file is not an SQLite database (SQLite: "file is not a database").
    public static let notADatabase = Code(value: .notADatabase)
    /// The file is an SQLite database, but not a Hegui review queue (another `application_id`).
    public static let foreignDatabase = Code(value: .foreignDatabase)
    /// The queue was written by a newer Hegui, with a schema this one does not know.
    public static let newerSchema = Code(value: .newerSchema)
    /// The database is damaged (SQLite: "database disk image is malformed").
    public static let corrupt = Code(value: .corrupt)
    /// The file or its folder cannot be written (the queue needs its `-wal` and `-shm` files
    /// beside it).
    public static let readOnly = Code(value: .readOnly)
    /// There is no queue at the path (when opening read-only).
    public static let notFound = Code(value: .notFound)
    /// A file-system failure, including a queue file deleted or replaced while it was open.
    public static let io = Code(value: .io)
    /// Other processes kept the queue busy (SQLite allows one writer at a time) for longer than
    /// the busy timeout, retries included. Nothing was changed; trying again later may succeed.
    public static let busy = Code(value: .busy)
    /// Any other SQLite failure.
    public static let database = Code(value: .database)
    /// No ticket has this id.
    public static let ticketNotFound = Code(value: .ticketNotFound)
    /// The ticket is already decided: decisions are final and append-only.
    public static let alreadyDecided = Code(value: .alreadyDecided)
    /// Another reviewer holds a live claim on the ticket.
    public static let claimedByOther = Code(value: .claimedByOther)
    /// The reviewer does not hold a claim on the ticket (when releasing it).
    public static let notClaimed = Code(value: .notClaimed)
    /// An argument is invalid (an empty reviewer name, a `require-edit` without a note, …).
    public static let invalidArgument = Code(value: .invalidArgument)

    /// The code's name.
    public var description: String { value.rawValue }
  }

  /// What kind of failure this is.
  public var code: Code
  /// A message a person can act on.
  public var message: String
  /// The database file concerned, when there is one.
  public var path: String?
  /// The error that caused this one, if any.
  public var underlying: (any Error & Sendable)?

  /// Creates an error.
  public init(_ code: Code, _ message: String, path: String? = nil, underlying: (any Error & Sendable)? = nil) {
    self.code = code
    self.message = message
    self.path = path
    self.underlying = underlying
  }

  /// `path: message`, or the message alone.
  public var description: String {
    if let path { return "\(path): \(message)" }
    return message
  }
}
