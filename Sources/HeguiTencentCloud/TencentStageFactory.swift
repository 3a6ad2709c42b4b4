public import Hegui

/// Builds `type: tencent` stages (tier 3, 高级) from a pipeline file.
///
/// ```yaml
/// - type: tencent
///   when: {env: [TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY]}
///   timeout_ms: 15000            # the whole stage, retries included (a pipeline key)
///   region: ap-guangzhou
///   biz_type: ecommerce_live
///   request_timeout_ms: 5000
///   max_attempts: 3
/// ```
///
/// Options (all optional): `endpoint` (a URL; default `https://tms.tencentcloudapi.com`),
/// `region` (default `ap-guangzhou`), `connect_timeout_ms` (default 5000),
/// `request_timeout_ms` (one HTTP request; default 10000), `max_attempts` (1–10, the first
/// included; default 3), `backoff_base_ms` (default 500), `backoff_max_ms` (default 8000),
/// `biz_type` (the strategy, `BizType`), and `send_item_id` (send each item's id as `DataId`;
/// default `true`).
///
/// `HEGUI_TMS_ENDPOINT` and `HEGUI_TMS_REGION` in the environment override the file, so that a
/// fixed pipeline file can be pointed at a test server. Credentials come from
/// `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and `TENCENTCLOUD_SESSION_TOKEN`; without
/// them the stage cannot be built, and the pipeline keeps it as an unavailable step that items
/// escalate past.
public struct TencentStageFactory: StageFactory {
  /// `tencent`.
  public let type = "tencent"
  /// The options of a `tencent` stage.
  public let optionKeys = [
    "endpoint", "region", "connect_timeout_ms", "request_timeout_ms", "max_attempts", "backoff_base_ms",
    "backoff_max_ms", "biz_type", "send_item_id",
  ]

  /// Creates the factory.
  public init() {}

  /// Registers the `tencent` type in a registry.
  ///
  /// ```swift
  /// var registry = StageRegistry.standard
  /// TencentStageFactory.register(in: &registry)
  /// ```
  public static func register(in registry: inout StageRegistry) {
    registry.register(TencentStageFactory())
  }

  /// Builds a ``CloudModerationStage`` with its own ``TextModerationClient``.
  ///
  /// - Parameter definition: The stage's entry; its `environment` supplies credentials and the
  ///   `HEGUI_TMS_*` overrides.
  /// - Returns: The stage.
  /// - Throws: `HeguiError` (`invalidConfiguration`) naming the option's `file:line:column`
  ///   for an invalid option, or the stage's place for missing credentials or an invalid
  ///   environment variable. The message never contains a credential.
  public func makeStage(_ definition: StageDefinition) throws -> any ModerationStage {
    let options = definition.options
    var configuration = TencentCloudConfiguration()
    if let endpoint = try options.string("endpoint") {
      do {
        configuration.endpoint = try TencentCloudEndpoint(endpoint)
      } catch {
        throw options.error("endpoint", error.message)
      }
    }
    if let region = try options.string("region") {
      configuration.region = region
      do {
        try configuration.validate()
      } catch {
        throw options.error("region", error.message)
      }
    }
    if let value = try milliseconds("connect_timeout_ms", in: options) { configuration.connectTimeout = value }
    if let value = try milliseconds("request_timeout_ms", in: options) { configuration.requestTimeout = value }
    if let value = try milliseconds("backoff_base_ms", in: options) { configuration.retry.baseDelay = value }
    if let value = try milliseconds("backoff_max_ms", in: options) { configuration.retry.maximumDelay = value }
    if let attempts = try options.int("max_attempts") {
      guard (1...10).contains(attempts) else {
        throw options.error(
          "max_attempts", "'max_attempts' must be between 1 and 10 (each attempt may be billed), found \(attempts)")
      }
      configuration.retry.maxAttempts = attempts
    }
    let bizType = try options.string("biz_type")
    if let bizType, bizType.wholeMatch(of: #/[A-Za-z0-9_]{3,32}/#) == nil {
      throw options.error("biz_type", "'biz_type' must be 3–32 letters, digits or underscores, found '\(bizType)'")
    }
    let sendItemID = try options.bool("send_item_id") ?? true

    do {
      configuration = try configuration.applyingEnvironment(definition.environment)
      let credentials = try TencentCloudCredentials.fromEnvironment(definition.environment)
      let client = try TextModerationClient(configuration: configuration, credentials: credentials)
      return CloudModerationStage(
        name: definition.name, client: client, options: TextModerationOptions(bizType: bizType),
        sendsItemIDAsDataID: sendItemID)
    } catch {
      throw HeguiError(
        .invalidConfiguration, "stage '\(definition.name)': \(error.message)", at: definition.location,
        underlying: error)
    }
  }

  private func milliseconds(_ key: String, in options: StageOptions) throws(HeguiError) -> Duration? {
    guard let value = try options.int(key) else { return nil }
    guard value > 0 else {
      throw options.error(key, "'\(key)' must be a positive number of milliseconds, found \(value)")
    }
    return .milliseconds(value)
  }
}

extension StageRegistry {
  /// Registers the `tencent` stage type (``CloudModerationStage``, built by
  /// ``TencentStageFactory``).
  public mutating func registerTencentStage() {
    register(TencentStageFactory())
  }
}
