// Portfolio: each margin account with its positions (entry, mark, unrealised PnL, funding
// owed and per day), collateral and health as a bar with the distance to liquidation;
// depositing and withdrawing margin.

import { fmtDecimal, fmtSigned, fmtUnits, roundScaled, scaledToDecimal } from '../format';
import { fundingPerDay, healthBar, seriesLabel } from '../maths';
import { esc, stockOf, type AppState } from '../state';
import { statusBanner } from './markets';

export interface MarginForm {
  settlement: number;
  amount: string;
  result: { ok: boolean; text: string } | null;
  busy: boolean;
}

export function portfolioView(state: AppState, form: MarginForm): string {
  if (!state.account) return '<section class="card"><p>Pick an account to see its portfolio.</p></section>';
  const wallet = [...state.wallet.entries()]
    .map(([id, units]) => {
      const s = stockOf(state, id);
      return `<span class="chip">${esc(s.symbol)} <b data-testid="wallet-${esc(s.symbol)}">${fmtUnits(units, s.decimals, 4)}</b></span>`;
    })
    .join('');
  const accounts = state.settlements.map((settlement) => {
    const stock = stockOf(state, settlement);
    const acc = state.margin.find((a) => a.settlement === settlement);
    const bar = healthBar(acc?.health ?? null);
    const rows = (acc?.positions ?? [])
      .map((p) => {
        const s = state.series.find((x) => x.series === p.series);
        const perDay = fundingPerDay(s?.fundingRatePerDay ?? null, BigInt(p.size));
        return `<tr data-testid="position-${p.series}">
          <td>${s ? esc(seriesLabel(s)) : `#${p.series}`}</td>
          <td class="num" data-testid="position-size">${esc(p.size)}</td>
          <td class="num">${fmtDecimal(p.entry, 4)}</td>
          <td class="num">${fmtDecimal(p.mark, 4)}</td>
          <td class="num ${p.unrealisedPnl?.startsWith('-') ? 'neg' : 'pos'}">${fmtSigned(p.unrealisedPnl)}</td>
          <td class="num">${fmtSigned(p.fundingOwedTokens, 6)}</td>
          <td class="num">${perDay == null ? '—' : fmtSigned(scaledToDecimal(perDay, 18), 6)}</td>
        </tr>`;
      })
      .join('');
    const h = acc?.health;
    const distance = h
      ? `${roundScaled(bar.toLiquidation, 18, 2)} USD${bar.toLiquidationBps != null ? ` (${(Number(bar.toLiquidationBps) / 100).toFixed(1)}% of equity)` : ''}`
      : '—';
    return `<section class="card">
      <h2>${esc(stock.symbol)} margin account</h2>
      ${statusBanner(state, settlement)}
      <div class="kv"><span>collateral</span><b data-testid="collateral">${fmtUnits(acc?.collateral ?? '0', stock.decimals, 4)} ${esc(stock.symbol)}</b></div>
      <div class="health ${bar.state}" data-testid="health" data-state="${bar.state}" title="liquidation at the middle line">
        <div class="fill" style="width:${bar.fill}%"></div><div class="line" style="left:50%"></div><div class="line initial" style="left:${bar.initialAt}%"></div>
      </div>
      <div class="kv"><span>equity</span><b data-testid="equity">${h ? fmtDecimal(h.equity) : '—'} USD</b></div>
      <div class="kv"><span>maintenance / initial margin</span><b>${h ? `${fmtDecimal(h.maintenanceMargin)} / ${fmtDecimal(h.initialMargin)}` : '—'} USD</b></div>
      <div class="kv"><span>distance to liquidation</span><b data-testid="distance">${distance}</b></div>
      <div class="kv"><span>margin ratio</span><b data-testid="margin-ratio">${h?.marginRatio ? fmtDecimal(h.marginRatio) : '—'}</b></div>
      ${acc?.healthError ? `<div class="error">health: ${esc(acc.healthError)}</div>` : ''}
      <div class="scroll"><table>
        <thead><tr><th>series</th><th>size</th><th>entry</th><th>mark</th><th>unrealised PnL (USD)</th><th>funding owed (${esc(stock.symbol)})</th><th>funding / day</th></tr></thead>
        <tbody data-testid="positions">${rows || '<tr><td colspan="7" class="muted">no positions</td></tr>'}</tbody>
      </table></div>
    </section>`;
  });
  const stock = stockOf(state, form.settlement);
  return `<section class="card"><h2>Wallet</h2><div class="chips">${wallet}</div></section>
  ${accounts.join('')}
  <section class="card">
    <h2>Margin</h2>
    <label>amount (${esc(stock.symbol)}) <input name="margin-amount" inputmode="decimal" value="${esc(form.amount)}" data-testid="margin-amount"></label>
    <button data-action="deposit-margin" data-testid="deposit-margin" ${form.busy ? 'disabled' : ''}>Deposit</button>
    <button data-action="withdraw-margin" class="secondary" data-testid="withdraw-margin" ${form.busy ? 'disabled' : ''}>Withdraw</button>
    ${form.result ? `<div class="${form.result.ok ? 'ok' : 'error'}" data-testid="margin-result">${esc(form.result.text)}</div>` : ''}
  </section>`;
}
