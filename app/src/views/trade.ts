// The trade ticket: series, side, size, slippage and deadline; a live quote (price, fee,
// health before and after, the error it would fail with) before signing; review, then sign;
// the chain's named error in words after a failure.

import type { Quote } from '../chain';
import { errorText } from '../errors';
import { fmtDecimal, fmtSigned, fmtUnits, parseFixed, scaledToDecimal } from '../format';
import { deadline, limitPrice, seriesLabel, signedSize, slippageBps, type Health, type Side } from '../maths';
import { esc, stockOf, type AppState } from '../state';
import { statusBanner } from './markets';

export interface Ticket {
  series: number;
  side: Side;
  size: string;
  slippage: string;
  deadline: string;
  quote: Quote | null;
  quoteError: string | null;
  /** The order under review: the quote is frozen and the limit computed. */
  review: { size: bigint; limit: bigint; deadline: bigint; quote: Quote } | null;
  result: { ok: boolean; text: string } | null;
  busy: boolean;
}

export function newTicket(series: number): Ticket {
  return { series, side: 'buy', size: '1', slippage: '0.5', deadline: '60', quote: null, quoteError: null, review: null, result: null, busy: false };
}

function health(label: string, h: Health | null): string {
  if (!h) return `<div class="kv"><span>${label}</span><b>no positions</b></div>`;
  return `<div class="kv"><span>${label}</span><b>equity ${fmtDecimal(h.equity)} USD · maintenance ${fmtDecimal(h.maintenanceMargin)} · ratio ${h.marginRatio ? fmtDecimal(h.marginRatio) : '—'}</b></div>`;
}

/** The order the ticket would send, or why it cannot. */
export function order(t: Ticket, now: number): { size: bigint; limit: bigint; deadline: bigint } {
  const size = signedSize(t.size, t.side);
  if (!t.quote) throw new Error('no quote yet');
  const limit = limitPrice(parseFixed(t.quote.price), t.side, slippageBps(t.slippage));
  return { size, limit, deadline: deadline(now, t.deadline) };
}

export function tradeView(state: AppState, t: Ticket): string {
  const options = state.series
    .map((s) => `<option value="${s.series}" ${s.series === t.series ? 'selected' : ''}>${esc(seriesLabel(s))} · ${esc(stockOf(state, s.settlement).symbol)}</option>`)
    .join('');
  const series = state.series.find((s) => s.series === t.series);
  const stock = stockOf(state, series?.settlement ?? 0);
  const q = t.quote;
  const quote = q
    ? `<div class="quote" data-testid="quote">
        <div class="kv"><span>average price</span><b data-testid="quote-price">${fmtDecimal(q.price, 4)} USD</b></div>
        <div class="kv"><span>cost</span><b>${fmtSigned(q.cost)} USD</b></div>
        <div class="kv"><span>fee</span><b>${fmtUnits(q.fee, stock.decimals, 6)} ${esc(stock.symbol)}</b></div>
        <div class="kv"><span>position after</span><b>${esc(q.positionAfter)}</b></div>
        ${health('health before', q.healthBefore)}
        ${health('health after', q.healthAfter)}
        ${q.error ? `<div class="error" data-testid="quote-error">would fail: ${esc(errorText(q.error))}</div>` : '<div class="ok">would succeed</div>'}
      </div>`
    : `<div class="quote muted">${esc(t.quoteError ?? 'quoting…')}</div>`;
  const review = t.review
    ? `<div class="review" data-testid="review">
        <p>${t.review.size > 0n ? 'Buy' : 'Sell'} ${(t.review.size < 0n ? -t.review.size : t.review.size).toString()} × ${esc(series ? seriesLabel(series) : '')}
        at ${t.review.size > 0n ? 'most' : 'least'} <b data-testid="limit">${fmtDecimal(scaledToDecimal(t.review.limit, 18), 4)}</b> USD per contract, before ${new Date(Number(t.review.deadline)).toLocaleTimeString()}.</p>
        <button data-action="confirm" ${t.busy ? 'disabled' : ''} data-testid="confirm">Confirm and sign</button>
        <button data-action="cancel-review" class="secondary">Back</button>
      </div>`
    : `<button data-action="review" data-testid="review-order" ${state.account ? '' : 'disabled'}>Review order</button>`;
  const result = t.result
    ? `<div class="${t.result.ok ? 'ok' : 'error'}" data-testid="trade-result">${esc(t.result.text)}</div>`
    : '';
  return `${series ? statusBanner(state, series.settlement) : ''}
  <section class="card ticket">
    <h2>Trade</h2>
    <label>series <select name="series" data-testid="series">${options}</select></label>
    <div class="sides">
      <button data-side="buy" class="${t.side === 'buy' ? 'on' : ''}" data-testid="buy">Buy</button>
      <button data-side="sell" class="${t.side === 'sell' ? 'on' : ''}" data-testid="sell">Sell</button>
    </div>
    <label>size (contracts) <input name="size" inputmode="numeric" value="${esc(t.size)}" data-testid="size"></label>
    <label>slippage (%) <input name="slippage" inputmode="decimal" value="${esc(t.slippage)}" data-testid="slippage"></label>
    <label>deadline (s) <input name="deadline" inputmode="numeric" value="${esc(t.deadline)}" data-testid="deadline"></label>
    ${quote}
    ${review}
    ${result}
  </section>`;
}
