// Errors in words. The chain names every failure (`SlippageExceeded`, `InsufficientMargin`);
// the page shows the name, what it means for the trader, and what to do about it. For names
// not listed here it falls back to the error's documentation in the runtime's metadata.

const WORDS: Record<string, string> = {
  // options
  SlippageExceeded: 'The price moved past your slippage tolerance before the trade was included. Get a new quote, or allow more slippage.',
  DeadlineExpired: 'The trade was not included before its deadline. Send it again with a later deadline.',
  InsufficientMargin: 'Your equity would fall below the initial margin. Deposit more margin or trade a smaller size.',
  InsufficientCollateral: 'Your margin account cannot pay what this needs now. Deposit more margin.',
  StalePrice: 'A price this market needs is too old: the oracle has not updated it in time. Trading resumes with a fresh price.',
  CircuitOpen: 'A price this market needs jumped and is held by the circuit breaker until operators confirm it.',
  MissingPrice: 'A price this market needs has never been published.',
  SettlementHalted: 'Trading in the settlement stock is halted, so its price cannot be used.',
  PoolClosed: 'The pool takes no new risk now: only trades that reduce a position are accepted.',
  SeriesInactive: 'This series takes no new risk: you can only reduce a position in it.',
  OpenInterestCap: 'The series has reached its open-interest cap. Try a smaller size.',
  SkewLimit: 'The trade would push the pool past the limit of its pricing curve. Try a smaller size.',
  TooManyPositions: 'Your account holds the most positions allowed in this settlement stock. Close one first.',
  ZeroSize: 'The size must be at least one contract.',
  NoPoolLiquidity: 'The pool has no capital to price against.',
  PricingFailed: 'The pricing maths refused the inputs (a strike far from the index, or a volatility out of range).',
  FundingNotAccrued: 'Funding of the series could not be brought up to date; try again in a block.',
  UnknownSeries: 'There is no such series.',
  // pool
  Slippage: 'The shares or tokens you would receive are fewer than your limit.',
  BelowMinimumFlow: 'Below the pool\'s least deposit or withdrawal.',
  TooManyRequests: 'You already have the most requests queued in this pool. Cancel one or wait for it to execute.',
  QueueFull: 'The pool\'s queue is full; try again after the next market open.',
  InsufficientShares: 'You do not hold that many shares.',
  LiquidityLimit: 'The pool needs this capital to back the options it has sold; withdraw less.',
  BookUnpriceable: 'The pool\'s book cannot be valued now (a stale price), so its NAV is unknown.',
  NotRequester: 'Only the account that queued the request can cancel it.',
  UnknownRequest: 'That request is no longer queued: it has executed or been refunded.',
  // balances and assets
  BalanceLow: 'Not enough tokens in your wallet.',
  FundsUnavailable: 'Not enough tokens in your wallet.',
  InsufficientBalance: 'Not enough PRP in your wallet.',
  NoAccount: 'You hold none of this token.',
  // transaction validity
  Payment: 'Not enough PRP to pay the transaction fee.',
};

/** The words for an error `name`, falling back to the runtime's `docs`, then to the name. */
export function errorWords(name: string, docs: string[] = []): string {
  return WORDS[name] ?? (docs.join(' ').trim() || name);
}

/** "SlippageExceeded: The price moved past your slippage tolerance…" */
export function errorText(name: string, docs: string[] = []): string {
  return `${name}: ${errorWords(name, docs)}`;
}
