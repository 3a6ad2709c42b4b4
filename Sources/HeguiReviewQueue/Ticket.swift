public import Foundation
public import Hegui

/// Where a ticket is in its life: pending → claimed → decided.
public enum TicketState: String, Sendable, Hashable, Codable, CaseIterable {
  /// Waiting for a reviewer (including a claim whose lease ran out).
  case pending
  /// A reviewer holds a live lease on it.
  case claimed
  /// A reviewer decided it. Final.
  case decided
}

/// What a reviewer decided.
public enum ReviewVerdict: String, Sendable, Hashable, Codable, CaseIterable {
  /// The text may go live as it is (通过).
  case approve
  /// The text must not go live (驳回).
  case reject
  /// The text may go live once edited as the note says (修改后发布); until then it is blocked.
  case requireEdit = "require-edit"
}

/// A reviewer's decision on a ticket. Decisions are append-only: never updated, never deleted.
public struct Decision: Sendable, Hashable, Codable, Identifiable {
  /// The decision's id (in decision order).
  public var id: Int64
  /// The ticket decided.
  public var ticket: Int64
  /// Who decided.
  public var reviewer: String
  /// What they decided.
  public var verdict: ReviewVerdict
  /// Why, or what to edit (may be empty for `approve` and `reject`).
  public var note: String
  /// When.
  public var decidedAt: Date

  /// Creates a decision value.
  public init(id: Int64, ticket: Int64, reviewer: String, verdict: ReviewVerdict, note: String, decidedAt: Date) {
    self.id = id
    self.ticket = ticket
    self.reviewer = reviewer
    self.verdict = verdict
    self.note = note
    self.decidedAt = decidedAt
  }
}

/// A reviewer's lease on a ticket.
public struct Claim: Sendable, Hashable, Codable {
  /// Who holds it.
  public var reviewer: String
  /// When it was taken (or last renewed).
  public var claimedAt: Date
  /// When it runs out: after that the ticket is pending again and anyone may claim it.
  public var expiresAt: Date

  /// Creates a claim value.
  public init(reviewer: String, claimedAt: Date, expiresAt: Date) {
    self.reviewer = reviewer
    self.claimedAt = claimedAt
    self.expiresAt = expiresAt
  }
}

/// An item waiting for (or decided by) a person: the text, why it is here, and its state.
public struct Ticket: Sendable, Hashable, Codable, Identifiable {
  /// The ticket's id (in enqueue order).
  public var id: Int64
  /// SHA-256 of the item's normalised text (hex): one ticket per normalised text.
  public var textHash: String
  /// The item first enqueued with this text.
  public var item: ModerationItem
  /// The findings that sent it here (every finding of the trail).
  public var findings: [FindingRecord]
  /// The trail of the stages before review, as it was when the ticket was created.
  public var trail: [StageRecord]
  /// Its state now (a claim whose lease ran out reads as `pending`).
  public var state: TicketState
  /// The live claim, when ``state`` is `claimed`.
  public var claim: Claim?
  /// The decision, when ``state`` is `decided`.
  public var decision: Decision?
  /// When it was created.
  public var createdAt: Date
  /// When it last changed.
  public var updatedAt: Date
  /// How many times an item with this text was seen (enqueued, or answered from precedent).
  public var occurrences: Int

  /// Creates a ticket value.
  public init(
    id: Int64, textHash: String, item: ModerationItem, findings: [FindingRecord], trail: [StageRecord],
    state: TicketState, claim: Claim?, decision: Decision?, createdAt: Date, updatedAt: Date, occurrences: Int
  ) {
    self.id = id
    self.textHash = textHash
    self.item = item
    self.findings = findings
    self.trail = trail
    self.state = state
    self.claim = claim
    self.decision = decision
    self.createdAt = createdAt
    self.updatedAt = updatedAt
    self.occurrences = occurrences
  }
}

/// One sighting of a ticket's text: an item enqueued (new or duplicate) or answered from precedent.
public struct Occurrence: Sendable, Hashable, Codable {
  /// How the item met the queue.
  public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The item created the ticket.
    case new
    /// The same normalised text was already waiting: the item joined its ticket.
    case duplicate
    /// The text was already decided: the item was answered from that decision.
    case precedent
  }

  /// The item's id.
  public var itemID: String
  /// How it met the queue.
  public var kind: Kind
  /// When.
  public var at: Date

  /// Creates an occurrence value.
  public init(itemID: String, kind: Kind, at: Date) {
    self.itemID = itemID
    self.kind = kind
    self.at = at
  }
}

/// What enqueueing an item did.
public enum EnqueueResult: Sendable, Hashable {
  /// The item waits in a ticket: a new one, or the ticket of the same normalised text.
  case ticket(id: Int64, isNew: Bool)
  /// The same normalised text was already decided: here is that decision (no new ticket).
  case precedent(Decision)
}

/// A decided ticket as exported for audits: one JSON object per line.
public struct AuditRecord: Sendable, Hashable, Codable {
  /// The decision.
  public var decision: Decision
  /// The ticket's id, hash, text, context and reasons.
  public var ticket: Ticket
  /// Every item that met this ticket (the first, duplicates, and those answered from precedent).
  public var occurrences: [Occurrence]

  /// Creates an audit record.
  public init(decision: Decision, ticket: Ticket, occurrences: [Occurrence]) {
    self.decision = decision
    self.ticket = ticket
    self.occurrences = occurrences
  }
}
