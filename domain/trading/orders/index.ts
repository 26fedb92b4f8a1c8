export {
  ORDER_KINDS,
  ORDER_SIDES,
  TIMES_IN_FORCE,
  isFinal,
  isWorking,
  newOrder,
  remainingQty,
  statusAfter,
  transition,
  type NewOrder,
  type Order,
  type OrderKind,
  type OrderSide,
  type OrderStatus,
  type OrderTransition,
  type TimeInForce,
} from './order.ts';
export { XAUUSD_FACTS, assertValidInstrumentFacts, cashValue, pickInstrumentFacts, qtyStepOf, type InstrumentFacts } from './instrument.ts';
