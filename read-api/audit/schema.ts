// The audit API's part of the schema: compliance's three questions, answered from the event store through
// the audit port as `nicegold audit replay | explain | export` answer them (the same JSON, field for field).
// compliance and admin only; every question is recorded in the compliance audit log before it is answered.
export const auditTypeDefs = /* GraphQL */ `
"""JSON as the ledger recorded it: event data, integers in units as text (e.g. qty "6" is 0.06 lots)."""
scalar JSON

type AuditAsOf {
  at: DateTime!
  """The account stream's last revision folded, and when that event was recorded."""
  revision: String! lastEventRecordedAt: DateTime!
  eventsFolded: Int! eventsRecordedLater: Int!
}
type AuditActor { userId: String! role: String! }
type AuditLimits {
  maxOrderNotional: Decimal! maxPositionQty: Decimal! maxOpenOrders: Int! priceCollarBps: Int! maxQuoteAgeMs: Int!
  maxSubmitsPerWindow: Int! submitWindowMs: Int! maxDailyLoss: Decimal! maxDrawdownBps: Int! dailyCutoffHourUtc: Int!
}
type AuditTradingState { state: String! reason: String reasonCode: String changedBy: AuditActor! since: String! }
type AuditOrder {
  orderId: ID! clientOrderId: String! symbol: String! side: String! kind: String! timeInForce: String!
  qty: Decimal! limitPrice: Decimal stopPrice: Decimal reduceOnly: Boolean! status: String! filledQty: Decimal! placedAt: DateTime!
}
type AuditPosition { symbol: String! qty: Decimal! costBasis: Decimal! realizedPnl: Decimal! }
type AuditFigures {
  balance: Decimal! equity: Decimal! unrealizedPnl: Decimal! realizedPnl: Decimal! feesPaid: Decimal! peakEquity: Decimal!
  drawdownBps: Int! dailyPnl: Decimal!
}
"""An account as GET /v1/accounts/:id presents one, as the ledger knew it at the instant asked."""
type AuditAccount {
  accountId: ID! currency: String! revision: String balance: Decimal! limits: AuditLimits limitsVersion: Int!
  trading: AuditTradingState! workingOrders: [AuditOrder!]! positions: [AuditPosition!]! figures: AuditFigures!
}
type AccountAsOf { asOf: AuditAsOf! account: AuditAccount! }

type AuditRiskCheck { name: String! passed: Boolean! observed: String! limit: String! }
type AuditRiskDecision { at: DateTime! orderId: ID! accepted: Boolean! reasons: [String!]! checks: [AuditRiskCheck!]! }
type AuditLimitsSet { by: AuditActor at: DateTime! reason: String }
"""The account as the decision saw it, just before the order was placed (units as integer text)."""
type AuditDecisionContext {
  """The limits in force, in units as recorded (RiskLimitsSet's data)."""
  limits: JSON
  limitsVersion: Int! limitsSet: AuditLimitsSet tradingState: JSON! positionQty: String! workingOrders: Int! balance: String!
}
"""One event of the order's life: what, when, by whom, through which command."""
type AuditStep {
  revision: String! type: String! occurredAt: DateTime! recordedAt: DateTime!
  actor: AuditActor commandId: String correlationId: String data: JSON!
}
type OrderExplanation {
  accountId: ID! orderId: ID!
  """OrderPlaced's data without the instrument facts."""
  order: JSON!
  decision: AuditRiskDecision context: AuditDecisionContext!
  """The order's status after every event recorded so far."""
  status: String!
  steps: [AuditStep!]!
}

"""A tamper-evident trail, line for line the JSON Lines file nicegold audit export writes; check it with nicegold audit verify."""
type AuditTrail {
  streamId: String! from: DateTime to: DateTime
  events: Int! finalHash: String!
  """The key that signed it, null when unsigned (the API hands out unsigned trails unless its reader has a signing key)."""
  keyId: String
  lines: [String!]!
  """The file: every line followed by a newline."""
  jsonl: String!
}

extend type Query {
  """compliance, admin. The account as the ledger knew it at an instant (nicegold audit replay). Recorded in the compliance audit log."""
  accountAsOf(accountId: ID!, at: DateTime!): AccountAsOf!
  """
  compliance, admin. Why an order was accepted or denied and everything that happened to it (nicegold audit explain).
  Without accountId the order's account is looked up in the orders read model. Recorded in the compliance audit log.
  """
  explainOrder(orderId: ID!, accountId: ID): OrderExplanation!
  """
  compliance, admin. The trail of one stream (streamId) or account (accountId), events recorded from / to the instants
  given (nicegold audit export). Up to 10,000 events; a larger trail is downloaded from GET /audit/trail. Recorded in the compliance audit log.
  """
  auditTrail(accountId: ID, streamId: String, from: DateTime, to: DateTime): AuditTrail!
}
`;
