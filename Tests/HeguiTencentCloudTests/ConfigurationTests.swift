import HeguiTencentCloud
import Testing

@Suite("Configuration, environment and credentials")
struct ConfigurationTests {
  @Test("defaults: tms.tencentcloudapi.com over https, ap-guangzhou, 3 attempts")
  func defaults() {
    let configuration = TencentCloudConfiguration()
    #expect(configuration.endpoint.url == "https://tms.tencentcloudapi.com/")
    #expect(configuration.endpoint.hostHeader == "tms.tencentcloudapi.com")
    #expect(configuration.region == "ap-guangzhou")
    #expect(configuration.retry.maxAttempts == 3)
    #expect(configuration.connectTimeout == .seconds(5))
    #expect(configuration.requestTimeout == .seconds(10))
  }

  @Test("HEGUI_TMS_ENDPOINT and HEGUI_TMS_REGION override the configuration")
  func environment() throws {
    let configuration = try TencentCloudConfiguration(region: "ap-shanghai").applyingEnvironment([
      "HEGUI_TMS_ENDPOINT": "http://127.0.0.1:8080", "HEGUI_TMS_REGION": "ap-beijing",
    ])
    #expect(configuration.endpoint.url == "http://127.0.0.1:8080/")
    #expect(configuration.endpoint.hostHeader == "127.0.0.1:8080")
    #expect(configuration.region == "ap-beijing")
    let unchanged = try TencentCloudConfiguration(region: "ap-shanghai").applyingEnvironment(["HEGUI_TMS_REGION": ""])
    #expect(unchanged.region == "ap-shanghai")
  }

  @Test(
    "endpoints: host header with non-default ports, IPv6 in brackets",
    arguments: [
      ("https://tms.tencentcloudapi.com", "tms.tencentcloudapi.com", "https://tms.tencentcloudapi.com/"),
      ("https://tms.tencentcloudapi.com:443/", "tms.tencentcloudapi.com", "https://tms.tencentcloudapi.com/"),
      ("tms.intl.tencentcloudapi.com", "tms.intl.tencentcloudapi.com", "https://tms.intl.tencentcloudapi.com/"),
      (
        "https://tms.ap-guangzhou.tencentcloudapi.com:8443", "tms.ap-guangzhou.tencentcloudapi.com:8443",
        "https://tms.ap-guangzhou.tencentcloudapi.com:8443/"
      ),
      ("http://localhost:9000", "localhost:9000", "http://localhost:9000/"),
      ("http://[::1]:9000", "[::1]:9000", "http://[::1]:9000/"),
    ])
  func endpoints(input: String, host: String, url: String) throws {
    let endpoint = try TencentCloudEndpoint(input)
    #expect(endpoint.hostHeader == host)
    #expect(endpoint.url == url)
  }

  @Test(
    "invalid endpoints are configuration errors",
    arguments: [
      "ftp://tms.tencentcloudapi.com", "http://tms.tencentcloudapi.com", "https://tms.tencentcloudapi.com/v3",
      "https://tms.tencentcloudapi.com/?x=1", "https://user:pass@tms.tencentcloudapi.com", "https://", "",
    ])
  func invalidEndpoints(input: String) {
    #expect {
      try TencentCloudEndpoint(input)
    } throws: { error in
      (error as? TencentCloudError)?.code == .configuration
    }
  }

  @Test("an invalid HEGUI_TMS_ENDPOINT names the variable")
  func invalidEnvironment() {
    #expect {
      try TencentCloudConfiguration().applyingEnvironment(["HEGUI_TMS_ENDPOINT": "http://example.com"])
    } throws: { error in
      let error = error as? TencentCloudError
      return error?.code == .configuration && error?.message.contains("HEGUI_TMS_ENDPOINT") == true
    }
    #expect(throws: TencentCloudError.self) {
      try TencentCloudConfiguration().applyingEnvironment(["HEGUI_TMS_REGION": "AP Guangzhou"])
    }
  }

  @Test("credentials come from TENCENTCLOUD_SECRET_ID / _SECRET_KEY / _SESSION_TOKEN")
  func credentialsFromEnvironment() throws {
    let credentials = try TencentCloudCredentials.fromEnvironment([
      "TENCENTCLOUD_SECRET_ID": "AKIDexample", "TENCENTCLOUD_SECRET_KEY": "key-example",
      "TENCENTCLOUD_SESSION_TOKEN": "token-example",
    ])
    let text = "\(credentials) \(String(reflecting: credentials))"
    #expect(!text.contains("AKIDexample"))
    #expect(!text.contains("key-example"))
    #expect(!text.contains("token-example"))
    var dumped = ""
    dump(credentials, to: &dumped)
    #expect(!dumped.contains("key-example"))
    #expect(!dumped.contains("AKIDexample"))
  }

  @Test("missing credentials name the variables, never a value")
  func missingCredentials() {
    #expect {
      try TencentCloudCredentials.fromEnvironment(["TENCENTCLOUD_SECRET_ID": "AKIDonly"])
    } throws: { error in
      let error = error as? TencentCloudError
      return error?.code == .configuration && error?.message.contains("TENCENTCLOUD_SECRET_KEY") == true
        && error?.description.contains("AKIDonly") == false
    }
    #expect(throws: TencentCloudError.self) {
      try TencentCloudCredentials(secretID: "AKID x", secretKey: "k")
    }
  }

  @Test("full-jitter backoff stays under a doubling cap")
  func backoff() {
    let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(500), maximumDelay: .seconds(3))
    #expect(policy.delayCap(beforeRetry: 1) == .milliseconds(500))
    #expect(policy.delayCap(beforeRetry: 2) == .seconds(1))
    #expect(policy.delayCap(beforeRetry: 3) == .seconds(2))
    #expect(policy.delayCap(beforeRetry: 4) == .seconds(3))
    #expect(policy.delayCap(beforeRetry: 40) == .seconds(3))
    #expect(policy.delay(beforeRetry: 2, random: 0) == .zero)
    #expect(policy.delay(beforeRetry: 2, random: 0.5) == .milliseconds(500))
    #expect(throws: TencentCloudError.self) { try RetryPolicy(maxAttempts: 0).validate() }
  }

  @Test(
    "service error codes: transient ones are retried, configuration ones are not",
    arguments: [
      ("RequestLimitExceeded", TencentCloudError.Code.rateLimited, true),
      ("RequestLimitExceeded.UinLimitExceeded", .rateLimited, true),
      ("InternalError", .serviceUnavailable, true),
      ("InternalError.ErrTextTimeOut", .serviceUnavailable, true),
      ("ServiceUnavailable", .serviceUnavailable, true),
      ("ResourceUnavailable", .serviceUnavailable, true),
      ("AuthFailure.SignatureFailure", .configuration, false),
      ("AuthFailure.SignatureExpire", .configuration, false),
      ("UnauthorizedOperation.Unauthorized", .configuration, false),
      ("InvalidParameterValue.ErrTextContentLen", .configuration, false),
      ("InvalidParameter", .configuration, false),
      ("MissingParameter", .configuration, false),
      ("UnknownParameter", .configuration, false),
      ("UnsupportedRegion", .configuration, false),
      ("LimitExceeded", .configuration, false),
      ("NoSuchVersion", .configuration, false),
      ("FailedOperation", .serviceError, false),
      ("InternalErrorish", .serviceError, false),
    ])
  func classification(code: String, expected: TencentCloudError.Code, retryable: Bool) {
    let (kind, isRetryable) = TextModerationClient.classify(serviceCode: code)
    #expect(kind == expected)
    #expect(isRetryable == retryable)
  }
}
