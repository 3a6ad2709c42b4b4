import Foundation
import HeguiTencentCloud
import Testing

@Suite("TextModeration response decoding")
struct ResponseDecodingTests {
  /// The official `examples.json` response (tccli `tms/v20201229`), abridged only in LibName.
  static let officialExample = #"""
    {"Response": {
      "BizType": "TencentCloudDefault", "Label": "Ad", "SubLabel": "", "Suggestion": "Block",
      "Keywords": ["优惠券"], "Score": 100,
      "DetailResults": [
        {"Label": "Polity", "Suggestion": "Pass", "Keywords": [], "Score": 0, "LibType": 0, "LibId": "", "LibName": "",
         "SubLabel": "", "Tags": null, "HitInfos": []},
        {"Label": "Porn", "Suggestion": "Pass", "Keywords": [], "Score": 2, "LibType": 0, "LibId": "", "LibName": "",
         "SubLabel": "", "Tags": null, "HitInfos": []},
        {"Label": "Abuse", "Suggestion": "Pass", "Keywords": [], "Score": 0, "LibType": 0, "LibId": "", "LibName": "",
         "SubLabel": "", "Tags": null, "HitInfos": []},
        {"Label": "Ad", "Suggestion": "Block", "Keywords": ["优惠券"], "Score": 100, "LibType": 2, "LibId": "",
         "LibName": "default_1_0_ad", "SubLabel": "", "Tags": null,
         "HitInfos": [{"Type": "Keyword", "Keyword": "优惠券", "LibName": "default_1_0_ad",
                       "Positions": [{"Start": 7, "End": 10}]}]},
        {"Label": "Illegal", "Suggestion": "Pass", "Keywords": [], "Score": 0, "LibType": 0, "LibId": "", "LibName": "",
         "SubLabel": "", "Tags": null, "HitInfos": []},
        {"Label": "Terror", "Suggestion": "Pass", "Keywords": [], "Score": 0, "LibType": 0, "LibId": "", "LibName": "",
         "SubLabel": "", "Tags": null, "HitInfos": []}
      ],
      "RiskDetails": null, "Extra": "", "DataId": "CSFb_MJRV5piaczW", "ContextText": "", "SentimentAnalysis": {},
      "RequestId": "d636333a-0d14-4962-8287-e6e8af0a10f2"
    }}
    """#

  static func decode(_ json: String) throws -> TextModerationResponse {
    struct Wrapper: Decodable {
      var response: TextModerationResponse
      enum CodingKeys: String, CodingKey { case response = "Response" }
    }
    return try JSONDecoder().decode(Wrapper.self, from: Data(json.utf8)).response
  }

  @Test("the official example decodes, nulls and {} included")
  func officialExample() throws {
    let response = try Self.decode(Self.officialExample)
    #expect(response.suggestion == .block)
    #expect(response.label == .ad)
    #expect(response.subLabel == "")
    #expect(response.score == 100)
    #expect(response.keywords == ["优惠券"])
    #expect(response.detailResults.count == 6)
    #expect(response.riskDetails.isEmpty)
    #expect(response.dataID == "CSFb_MJRV5piaczW")
    #expect(response.bizType == "TencentCloudDefault")
    #expect(response.requestID == "d636333a-0d14-4962-8287-e6e8af0a10f2")
    let ad = try #require(response.detailResults.first { $0.label == .ad })
    #expect(ad.suggestion == .block)
    #expect(ad.libType == 2)
    #expect(ad.tags.isEmpty)
    #expect(ad.hitInfos.first?.keyword == "优惠券")
    #expect(ad.hitInfos.first?.positions.first?.start == 7)
    #expect(ad.hitInfos.first?.positions.first?.end == 10)
    #expect(response.detailResults.first { $0.label == .porn }?.score == 2)
  }

  @Test("every field may be null or missing")
  func nulls() throws {
    let allNull = try Self.decode(
      #"{"Response": {"BizType": null, "Label": null, "SubLabel": null, "Suggestion": null, "Keywords": null, "Score": null, "DetailResults": null, "RiskDetails": null, "Extra": null, "DataId": null, "SessionId": null, "HitSnippetInfos": null, "RequestId": null}}"#
    )
    #expect(allNull.suggestion == nil)
    #expect(allNull.label == nil)
    #expect(allNull.keywords.isEmpty)
    #expect(allNull.detailResults.isEmpty)
    let empty = try Self.decode(#"{"Response": {}}"#)
    #expect(empty.suggestion == nil)
    #expect(empty.requestID == nil)
    let nestedNulls = try Self.decode(
      #"{"Response": {"DetailResults": [{"Label": null, "HitInfos": [{"Keyword": null, "Positions": null}, null]}, null]}}"#
    )
    #expect(nestedNulls.detailResults.count == 1)
    #expect(nestedNulls.detailResults[0].hitInfos.count == 1)
    #expect(nestedNulls.detailResults[0].hitInfos[0].positions.isEmpty)
  }

  @Test("unknown labels and suggestions are kept as strings; unknown keys are ignored")
  func unknownValues() throws {
    let response = try Self.decode(
      #"{"Response": {"Label": "Moan", "Suggestion": "Escalate", "NewField": {"x": [1, 2]}, "DetailResults": [{"Label": "Sexy", "Suggestion": "Review", "Surprise": true}]}}"#
    )
    #expect(response.label?.rawValue == "Moan")
    #expect(response.label?.chineseName == "Moan")
    #expect(response.suggestion?.rawValue == "Escalate")
    #expect(response.suggestion?.isKnown == false)
    #expect(response.detailResults.first?.label?.rawValue == "Sexy")
  }

  @Test("fields of an unexpected type decode as nil instead of failing the response")
  func wrongTypes() throws {
    let response = try Self.decode(
      #"{"Response": {"Label": 7, "Suggestion": "Block", "Score": "88", "Keywords": "优惠券", "DetailResults": {"Label": "Ad"}, "RequestId": "r-1"}}"#
    )
    #expect(response.label == nil)
    #expect(response.suggestion == .block)
    #expect(response.score == 88)
    #expect(response.keywords.isEmpty)
    #expect(response.detailResults.isEmpty)
    #expect(response.requestID == "r-1")
    let floatScore = try Self.decode(#"{"Response": {"Score": 99.6}}"#)
    #expect(floatScore.score == 100)
  }
}
