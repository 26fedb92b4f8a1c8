// The GraphQL schema, SDL first. Money, prices and quantities are decimal strings formatted from the
// ledger's integers (never floats); times are ISO 8601 UTC strings. The audit API's part is in audit/schema.ts.
import { auditTypeDefs } from './audit/schema.ts';

export const typeDefs = /* GraphQL */ `
"""An ISO 8601 UTC instant, e.g. 2026-11-20T14:03:00.000Z."""
scalar DateTime

"""An exact decimal number as text, e.g. "2365.12". Never a float."""
scalar Decimal

enum CandleInterval { M1 M5 M15 H1 D1 }
enum OrderStatus { submitted denied accepted partially_filled pending_cancel filled canceled rejected expired }

type PageInfo { hasNextPage: Boolean! endCursor: String }

type Instrument {
  symbol: String!
  description: String!
  quoteCurrency: String!
  """Price step, e.g. "0.01" (USD per oz)."""
  tickSize: Decimal!
  """Quantity step in lots, e.g. "0.01"."""
  lotStep: Decimal!
  contractSize: Decimal!
  minOrderLots: Decimal!
  maxOrderLots: Decimal!
  latestQuote: Quote
}

type Quote { symbol: String! bid: Decimal! ask: Decimal! mid: Decimal! spread: Decimal! at: DateTime! }

type Tick { symbol: String! at: DateTime! bid: Decimal! ask: Decimal! mid: Decimal! spread: Decimal! source: String! sequence: String! }
type TickPage { nodes: [Tick!]! pageInfo: PageInfo! }

type Candle {
  symbol: String! interval: CandleInterval! bucket: DateTime!
  open: Decimal! high: Decimal! low: Decimal! close: Decimal! bidClose: Decimal! askClose: Decimal!
  tickCount: Int! spreadMin: Decimal! spreadMax: Decimal! spreadAvg: Decimal!
}

type Account {
  id: ID!
  currency: String!
  balance: Decimal!
  equity: Decimal!
  unrealizedPnl: Decimal!
  realizedPnl: Decimal!
  feesPaid: Decimal!
  peakEquity: Decimal!
  maxDrawdown: Decimal!
  tradingState: AccountTradingState!
  positions: [Position!]!
  orders(status: [OrderStatus!], first: Int = 50, after: String): OrderPage!
  fills(first: Int = 50, after: String): FillPage!
  """Fills its brokers reported that the post-trade checks refused, newest first."""
  refusedFills(first: Int = 50, after: String): RefusedFillPage!
  riskDecisions(first: Int = 50, after: String, deniedOnly: Boolean = false): RiskDecisionPage!
  equityCurve(from: DateTime, to: DateTime, first: Int = 500): [EquityPoint!]!
  kpis: Kpis
}

type AccountTradingState { state: String! reason: String reasonCode: String changedBy: String at: DateTime }

type Position {
  accountId: ID! symbol: String!
  """Signed lots: positive long, negative short."""
  qty: Decimal!
  avgOpenPrice: Decimal
  markPrice: Decimal!
  realizedPnl: Decimal!
  unrealizedPnl: Decimal!
  lastFillPrice: Decimal!
}

type Order {
  id: ID! accountId: ID! clientOrderId: String! symbol: String! side: String! kind: String! timeInForce: String!
  qty: Decimal! limitPrice: Decimal stopPrice: Decimal reduceOnly: Boolean!
  status: OrderStatus! statusReason: String denialReasons: [String!]!
  filledQty: Decimal! avgFillPrice: Decimal
  placedAt: DateTime! updatedAt: DateTime!
  fills: [Fill!]!
  riskDecision: RiskDecision
}
type OrderPage { nodes: [Order!]! pageInfo: PageInfo! }

type Fill {
  id: ID! orderId: ID! accountId: ID! symbol: String! side: String!
  qty: Decimal! price: Decimal! fee: Decimal! cashFlow: Decimal! realizedPnl: Decimal!
  closedQty: Decimal! openedQty: Decimal! positionQty: Decimal! orderStatus: OrderStatus! at: DateTime!
}
type FillPage { nodes: [Fill!]! pageInfo: PageInfo! }

"""
A fill a broker reported that the post-trade checks refused: nothing was booked and the order kept working.
The same fillId may be refused more than once (the broker reported it again).
"""
type RefusedFill {
  fillId: ID! orderId: ID! accountId: ID! symbol: String! side: String!
  qty: Decimal! price: Decimal!
  """The symbol the broker named (reportedSide: the side), null when it named none."""
  reportedSymbol: String reportedSide: String
  limitPrice: Decimal
  """The latest quote the fill was checked against; null when there was none (FILL.NO_MARKET_QUOTE)."""
  quote: Quote
  bandBps: Int!
  """FILL.SYMBOL_MISMATCH, FILL.SIDE_MISMATCH, FILL.WORSE_THAN_LIMIT, FILL.OUTSIDE_MARKET_BAND or FILL.NO_MARKET_QUOTE."""
  code: String! reason: String!
  """The user id of the token that reported the fill (reportedByRole: its role)."""
  reportedBy: String! reportedByRole: String!
  at: DateTime!
}
type RefusedFillPage { nodes: [RefusedFill!]! pageInfo: PageInfo! }

type RiskCheck { name: String! passed: Boolean! observed: String limit: String }
type RiskDecision { accountId: ID! orderId: ID! accepted: Boolean! reasons: [String!]! checks: [RiskCheck!]! failedChecks: Int! at: DateTime! }
type RiskDecisionPage { nodes: [RiskDecision!]! pageInfo: PageInfo! }

type EquityPoint { at: DateTime! kind: String! balance: Decimal! unrealizedPnl: Decimal! equity: Decimal! peakEquity: Decimal! drawdown: Decimal! }

"""
Performance of an account's closed round trips. A trade is a round trip: a position in one instrument from
flat back to flat; a fill that flips the position closes one and opens the next. A trade's P&L is the
realized P&L of its closing fills less the fees of its fills; the round trip still open is not counted.
Money is in the account currency's major units (USD: dollars), like Account.balance; ratios are plain
decimals. docs/read-models.md defines each field and its degenerate cases.
"""
type Kpis {
  """Closed round trips: wins + losses + breakeven."""
  trades: Int!
  wins: Int!
  losses: Int!
  """Round trips that closed at exactly 0: trades, neither wins nor losses."""
  breakeven: Int!
  """Per fill, not per trade: fills that closed quantity (a round trip closed in 13 partial fills counts 13 here)."""
  closingFills: Int!
  grossProfit: Decimal!
  """A positive amount: the sum of losing trades' P&L without its sign."""
  grossLoss: Decimal!
  netTradePnl: Decimal!
  """grossProfit / grossLoss; null without a losing trade."""
  profitFactor: Decimal
  """wins / trades; null without trades."""
  winRate: Decimal
  """grossProfit / wins; null without a win."""
  averageWin: Decimal
  """grossLoss / losses, a positive amount; null without a loss."""
  averageLoss: Decimal
  """netTradePnl / trades, per round trip; null without trades."""
  expectancy: Decimal
  maxDrawdown: Decimal!
  maxDrawdownRatio: Decimal
  sharpe: Decimal
}

type ControlState {
  scope: String! kind: String! symbol: String accountId: String
  tradingState: String! stopEngaged: Boolean! stopReason: String engagedBy: String engagedAt: DateTime
  releaseRequestedBy: String releaseRequestedAt: DateTime updatedAt: DateTime!
}

type ProjectionStatus {
  name: String! state: String! checkpoint: String lagEvents: String lagCapped: Boolean! lagSeconds: Float
  eventsApplied: String! lastError: String updatedAt: DateTime!
}

type Query {
  instruments: [Instrument!]!
  instrument(symbol: String!): Instrument
  latestQuote(symbol: String!): Quote
  ticks(symbol: String!, from: DateTime!, to: DateTime!, first: Int = 500, after: String): TickPage!
  candles(symbol: String!, interval: CandleInterval!, from: DateTime!, to: DateTime!, first: Int = 500): [Candle!]!
  """Accounts this token may see: a trader's own, every account for the desk's other roles."""
  accounts: [Account!]!
  account(id: ID!): Account
  controlStates: [ControlState!]!
  """Refused fills of every account this token may see (a trader's own), newest first; code filters by refusal code."""
  refusedFills(first: Int = 50, after: String, code: String): RefusedFillPage!
  projections: [ProjectionStatus!]!
  """Signals of a model, newest first; shadow: true for the challenger's, false for the champion's, omitted for both."""
  signals(model: String!, from: DateTime!, to: DateTime!, shadow: Boolean, first: Int = 100): [Signal!]!
  """Registered model versions and their status (registered, champion, shadow, retired)."""
  modelVersions(name: String): [ModelVersion!]!
}

type Signal {
  id: ID! model: String! version: Int! symbol: String! score: Float! direction: String! shadow: Boolean!
  featureSpecDigest: String! featuresDigest: String! inferenceMicros: Int! tickEventId: String! at: DateTime!
}

type ModelVersion {
  name: String! version: Int! status: String! sha256: String! featureSpecDigest: String!
  """JSON text: accuracy, log loss, AUC on the test window."""
  metrics: String!
  """JSON text: the training window."""
  trainingWindow: String!
  artefactLocation: String! registeredAt: DateTime! promotedAt: DateTime retiredAt: DateTime retireReason: String
  driftDetections: Int! lastMaxPsi: Float
}

type Subscription {
  quotes(symbol: String!): Quote!
  """The candle of the current bucket, updated on every tick."""
  formingCandle(symbol: String!, interval: CandleInterval!): Candle!
  orders(accountId: ID!): Order!
  fills(accountId: ID!): Fill!
  positions(accountId: ID!): Position!
  riskDecisions(accountId: ID!): RiskDecision!
  controlStates: ControlState!
}
` + auditTypeDefs;
