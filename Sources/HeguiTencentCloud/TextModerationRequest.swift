internal import Foundation

/// One `TextModeration` call (API version 2020-12-29): the text and the optional context Tencent
/// uses to judge it.
///
/// `Content` is sent as base64 of the UTF-8 text. Tencent limits it to 10,000 Unicode
/// characters before encoding; ``TextModerationClient/moderate(_:options:)`` splits longer texts,
/// ``TextModerationClient/textModeration(_:)`` rejects them.
public struct TextModerationRequest: Sendable, Hashable {
  /// The text (sent base64-encoded as `Content`).
  public var content: String
  /// The moderation strategy (`BizType`) configured in the console; `nil` for the default.
  public var bizType: String?
  /// Your id for this text (`DataId`, at most 64 of `A-Z a-z 0-9 _ - @ #`), echoed back.
  public var dataID: String?
  /// Links several texts into one conversation for context review (`SessionId`).
  public var sessionID: String?
  /// The account that wrote the text (`User`).
  public var user: TextModerationUser?
  /// The device it came from (`Device`).
  public var device: TextModerationDevice?

  /// Creates a request.
  ///
  /// - Parameters:
  ///   - content: The text.
  ///   - bizType: The strategy (`BizType`), or `nil` for the default strategy.
  ///   - dataID: Your id (`DataId`).
  ///   - sessionID: The conversation id (`SessionId`).
  ///   - user: The author's account (`User`).
  ///   - device: The author's device (`Device`).
  public init(
    content: String, bizType: String? = nil, dataID: String? = nil, sessionID: String? = nil,
    user: TextModerationUser? = nil, device: TextModerationDevice? = nil
  ) {
    self.content = content
    self.bizType = bizType
    self.dataID = dataID
    self.sessionID = sessionID
    self.user = user
    self.device = device
  }

  /// The exact JSON body: keys sorted, `/` not escaped, `nil` fields omitted. These bytes are
  /// hashed for the signature and sent unchanged.
  func body() throws -> [UInt8] {
    let wire = Wire(
      content: Data(content.utf8).base64EncodedString(), bizType: bizType, dataID: dataID, sessionID: sessionID,
      user: user, device: device)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array(try encoder.encode(wire))
  }

  private struct Wire: Encodable {
    var content: String
    var bizType: String?
    var dataID: String?
    var sessionID: String?
    var user: TextModerationUser?
    var device: TextModerationDevice?

    enum CodingKeys: String, CodingKey {
      case content = "Content", bizType = "BizType", dataID = "DataId", sessionID = "SessionId", user = "User"
      case device = "Device"
    }
  }
}

/// The account that wrote a text (`User`); every field is optional.
public struct TextModerationUser: Sendable, Hashable, Codable {
  /// Your user id (`UserId`); with ``accountType`` it identifies one account.
  public var userID: String?
  /// The nickname (`Nickname`).
  public var nickname: String?
  /// `AccountType`: 1 WeChat uin, 2 QQ, 3 WeChat group uin, 4 QQ group, 5 WeChat openid,
  /// 6 QQ openid, 7 another string.
  public var accountType: Int?
  /// `Gender`: 0 unknown, 1 male, 2 female.
  public var gender: Int?
  /// `Age`: 0 unknown.
  public var age: Int?
  /// `Level`: 0 unknown, 1 low, 2 medium, 3 high.
  public var level: Int?
  /// The phone number (`Phone`).
  public var phone: String?
  /// The avatar URL (`HeadUrl`).
  public var headURL: String?
  /// The profile text (`Desc`, at most 5,000 characters).
  public var profile: String?
  /// The room of a group chat or livestream (`RoomId`).
  public var roomID: String?
  /// The receiver of a message (`ReceiverId`).
  public var receiverID: String?
  /// When the message was written, in milliseconds since 1970 (`SendTime`).
  public var sendTime: Int64?

  /// Creates a user; pass only what you know.
  public init(
    userID: String? = nil, nickname: String? = nil, accountType: Int? = nil, gender: Int? = nil, age: Int? = nil,
    level: Int? = nil, phone: String? = nil, headURL: String? = nil, profile: String? = nil, roomID: String? = nil,
    receiverID: String? = nil, sendTime: Int64? = nil
  ) {
    self.userID = userID
    self.nickname = nickname
    self.accountType = accountType
    self.gender = gender
    self.age = age
    self.level = level
    self.phone = phone
    self.headURL = headURL
    self.profile = profile
    self.roomID = roomID
    self.receiverID = receiverID
    self.sendTime = sendTime
  }

  enum CodingKeys: String, CodingKey {
    case userID = "UserId", nickname = "Nickname", accountType = "AccountType", gender = "Gender", age = "Age"
    case level = "Level", phone = "Phone", headURL = "HeadUrl", profile = "Desc", roomID = "RoomId"
    case receiverID = "ReceiverId", sendTime = "SendTime"
  }
}

/// The device a text came from (`Device`); every field is optional.
public struct TextModerationDevice: Sendable, Hashable, Codable {
  /// The IPv4 address (`IP`).
  public var ip: String?
  /// The MAC address (`Mac`).
  public var mac: String?
  /// The device fingerprint token (`TokenId`).
  public var tokenID: String?
  /// The device id (`DeviceId`).
  public var deviceID: String?
  /// The IMEI (`IMEI`, 15–17 digits).
  public var imei: String?
  /// The iOS advertising id (`IDFA`).
  public var idfa: String?
  /// The iOS vendor id (`IDFV`).
  public var idfv: String?

  /// Creates a device; pass only what you know.
  public init(
    ip: String? = nil, mac: String? = nil, tokenID: String? = nil, deviceID: String? = nil, imei: String? = nil,
    idfa: String? = nil, idfv: String? = nil
  ) {
    self.ip = ip
    self.mac = mac
    self.tokenID = tokenID
    self.deviceID = deviceID
    self.imei = imei
    self.idfa = idfa
    self.idfv = idfv
  }

  enum CodingKeys: String, CodingKey {
    case ip = "IP", mac = "Mac", tokenID = "TokenId", deviceID = "DeviceId", imei = "IMEI", idfa = "IDFA"
    case idfv = "IDFV"
  }
}
