// Pool: each tranche's NAV per share, capital, the book's utilisation, fee and funding income,
// the LP's shares and their value; deposits and withdrawals, queued while the stock's market
// is closed, with a cancel button; NAV per share over time.

import { chartSvg } from '../charts';
import { clock, fmtDecimal, fmtPercent, fmtUnits } from '../format';
import { windowIncome, HISTORY_BLOCKS } from '../history';
import { shareValue } from '../maths';
import { esc, stockOf, type AppState } from '../state';
import { statusBanner } from './markets';

export interface PoolForm {
  settlement: number;
  tranche: 'Main' | 'Insurance';
  amount: string;
  result: { ok: boolean; text: string } | null;
  busy: boolean;
}

export function poolView(state: AppState, form: PoolForm): string {
  const pool = state.pools.get(form.settlement);
  const stock = stockOf(state, form.settlement);
  if (!pool) return `<section class="card"><p>No pool for ${esc(stock.symbol)}.</p></section>`;
  const tranche = (name: 'Main' | 'Insurance') => {
    const t = name === 'Main' ? pool.main : pool.insurance;
    const mine = state.wallet.get(t.shareAsset) ?? 0n;
    const value = shareValue(mine, t.navPerShare);
    return `<tr data-testid="tranche-${name}">
      <td>${name}</td>
      <td class="num" data-testid="nav-per-share-${name}">${fmtDecimal(t.navPerShare, 6)}</td>
      <td class="num">${fmtUnits(t.capital, stock.decimals, 2)}</td>
      <td class="num">${fmtUnits(t.nav, stock.decimals, 2)}</td>
      <td class="num">${fmtUnits(t.supply, stock.decimals, 2)}</td>
      <td class="num" data-testid="my-shares-${name}">${fmtUnits(mine, stock.decimals, 4)}</td>
      <td class="num">${value == null ? '—' : fmtUnits(value, stock.decimals, 4)}</td>
    </tr>`;
  };
  const income = windowIncome(state.history);
  const minutes = Math.round((HISTORY_BLOCKS * 3) / 60);
  const queue = (state.queue.get(form.settlement) ?? []).filter((r) => r.who === state.account?.address);
  const queued = queue
    .map(
      (r) => `<tr data-testid="request-${r.id}">
      <td>#${r.id}</td><td>${esc(r.kind)}</td><td>${esc(r.tranche)}</td>
      <td class="num">${fmtUnits(r.amount, stock.decimals, 4)} ${r.kind === 'deposit' ? esc(stock.symbol) : 'shares'}</td>
      <td>${clock(r.at)}</td>
      <td><button class="small secondary" data-cancel="${r.id}" data-testid="cancel-${r.id}">Cancel</button></td></tr>`,
    )
    .join('');
  const h = state.history;
  return `${statusBanner(state, form.settlement)}
  <section class="card">
    <h2>${esc(stock.symbol)} pool ${pool.open ? '' : '<span class="badge closed">closed to new risk</span>'}</h2>
    <div class="scroll"><table>
      <thead><tr><th>tranche</th><th>NAV / share</th><th>capital</th><th>NAV</th><th>shares</th><th>your shares</th><th>your value (${esc(stock.symbol)})</th></tr></thead>
      <tbody>${tranche('Main')}${tranche('Insurance')}</tbody>
    </table></div>
    <div class="kv"><span>utilisation (margin the book needs / capital)</span><b data-testid="utilisation">${fmtPercent(pool.utilisation)}</b></div>
    <div class="kv"><span>required margin</span><b>${fmtUnits(pool.requiredMargin, stock.decimals, 2)} ${esc(stock.symbol)}</b></div>
    <div class="kv"><span>queued deposits</span><b>${fmtUnits(pool.queuedDeposits, stock.decimals, 2)} ${esc(stock.symbol)}</b></div>
    <div class="kv"><span>queued requests execute</span><b data-testid="flows">${pool.flowsOpen ? 'at the next block' : 'when the market opens and the price is fresh'}</b></div>
    <div class="kv"><span>fee income, last ${HISTORY_BLOCKS} blocks (~${minutes} min)</span><b data-testid="fee-income">${fmtUnits(income.fees, stock.decimals, 6)} ${esc(stock.symbol)}</b></div>
    <div class="kv"><span>funding and trader losses, same window</span><b>${fmtUnits(income.gains, stock.decimals, 6)} ${esc(stock.symbol)}</b></div>
    <div class="kv"><span>liquidation penalties, same window</span><b>${fmtUnits(income.penalties, stock.decimals, 6)} ${esc(stock.symbol)}</b></div>
    ${BigInt(pool.claimsOwed) > 0n ? `<div class="error">The pool owes ${fmtUnits(pool.claimsOwed, stock.decimals, 2)} ${esc(stock.symbol)} of claims it could not pay (reserve ${fmtUnits(pool.claimsReserve, stock.decimals, 2)}).</div>` : ''}
  </section>
  <section class="card">
    <h2>Deposit or withdraw</h2>
    <label>tranche <select name="tranche" data-testid="tranche">
      <option ${form.tranche === 'Main' ? 'selected' : ''}>Main</option><option ${form.tranche === 'Insurance' ? 'selected' : ''}>Insurance</option></select></label>
    <label>amount (${esc(stock.symbol)} to deposit, shares to withdraw) <input name="lp-amount" inputmode="decimal" value="${esc(form.amount)}" data-testid="lp-amount"></label>
    <button data-action="lp-deposit" data-testid="lp-deposit" ${form.busy || !state.account ? 'disabled' : ''}>Deposit</button>
    <button data-action="lp-withdraw" class="secondary" data-testid="lp-withdraw" ${form.busy || !state.account ? 'disabled' : ''}>Withdraw</button>
    <p class="muted">A deposit or withdrawal is a request: it executes at the start of the second block after, once ${esc(stock.symbol)}'s market is open and its price fresh, at the NAV of that block (at most 1% worse than now, or it is refunded).</p>
    ${form.result ? `<div class="${form.result.ok ? 'ok' : 'error'}" data-testid="lp-result">${esc(form.result.text)}</div>` : ''}
    <h3>Your queued requests</h3>
    <div class="scroll"><table><thead><tr><th>id</th><th>kind</th><th>tranche</th><th>amount</th><th>queued at</th><th></th></tr></thead>
    <tbody data-testid="queue">${queued || '<tr><td colspan="6" class="muted">none</td></tr>'}</tbody></table></div>
  </section>
  <section class="card charts">
    <h2>NAV per share <span class="muted">${h.navMain.length} samples from block #${h.navMain[0]?.x ?? '—'}</span></h2>
    ${chartSvg('NAV per share', [
      { name: 'main', points: h.navMain, color: '#2f7de1' },
      { name: 'insurance', points: h.navInsurance, color: '#27ae60' },
    ])}
  </section>`;
}
