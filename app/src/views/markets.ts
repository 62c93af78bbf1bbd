// Markets: every series with index, mark, theoretical, funding, open interest and greeks; the
// settlement stock's session with a countdown and its haircut; charts of the chosen series.

import { chartSvg } from '../charts';
import { fmtDecimal, fmtPercent, fmtSigned, statusText } from '../format';
import { seriesLabel } from '../maths';
import { esc, stockOf, type AppState } from '../state';

export function statusBanner(state: AppState, settlement: number): string {
  const status = state.status.get(settlement);
  const stock = stockOf(state, settlement);
  const text = status ? statusText(status, Date.now()) : 'unknown';
  const cls = status?.status ?? 'unknown';
  return `<div class="status" data-testid="status-${stock.symbol}">
    <span class="badge ${cls}">${esc(stock.symbol)}</span>
    <span data-testid="market-status" data-settlement="${settlement}" class="status-text">${esc(text)}</span>
    <span class="haircut">collateral haircut <b data-testid="haircut">${fmtPercent(state.haircut.get(settlement))}</b></span>
  </div>`;
}

export function marketsView(state: AppState): string {
  const groups = new Map<string, typeof state.series>();
  for (const s of state.series) {
    const key = `${s.index} x ${stockOf(state, s.settlement).symbol}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const tables = [...groups.entries()].map(([name, list]) => {
    const rows = list
      .map((s) => {
        const chosen = state.history.series === s.series ? ' class="chosen"' : '';
        return `<tr${chosen} data-series="${s.series}">
          <td><button class="link" data-chart="${s.series}">${esc(seriesLabel(s))}</button>${s.active ? '' : ' <span class="muted">inactive</span>'}</td>
          <td class="num">${fmtDecimal(s.indexPrice)}</td>
          <td class="num" data-testid="mark-${s.series}">${fmtDecimal(s.mark, 4)}</td>
          <td class="num">${fmtDecimal(s.theoretical, 4)}</td>
          <td class="num">${fmtSigned(s.fundingRatePerDay, 6)}</td>
          <td class="num">${esc(s.openLong)} / ${esc(s.openShort)}</td>
          <td class="num">${s.greeks ? fmtSigned(s.greeks.delta, 5) : '—'}</td>
          <td class="num">${s.greeks ? fmtDecimal(s.greeks.gamma, 8) : '—'}</td>
          <td class="num">${s.greeks ? fmtDecimal(s.greeks.vega, 3) : '—'}</td>
          <td class="num">${s.greeks ? fmtPercent(s.greeks.volatility, 1) : '—'}</td>
          <td>${s.priceError ? `<span class="error-name">${esc(s.priceError)}</span>` : '<button class="small" data-trade="' + s.series + '">Trade</button>'}</td>
        </tr>`;
      })
      .join('');
    const settlement = list[0]?.settlement ?? 0;
    return `<section class="card">
      <h2>${esc(name)} <span class="muted">settled in ${esc(stockOf(state, settlement).symbol)}, contract ${esc(list[0]?.contractSize ?? '')} ${esc(list[0]?.index ?? '')}</span></h2>
      <div class="scroll"><table class="series">
        <thead><tr><th>series</th><th>index</th><th>mark</th><th>theoretical</th><th>funding / day</th><th>OI long / short</th><th>delta</th><th>gamma</th><th>vega</th><th>vol</th><th></th></tr></thead>
        <tbody>${rows}</tbody>
      </table></div>
    </section>`;
  });
  const h = state.history;
  const chosen = state.series.find((s) => s.series === h.series);
  const charts = chosen
    ? `<section class="card charts">
      <h2>${esc(seriesLabel(chosen))} <span class="muted">last ${h.mark.length} samples from block #${h.mark[0]?.x ?? '—'}</span></h2>
      <div class="chart-grid">
        ${chartSvg('mark and theoretical, USD per contract', [
          { name: 'mark', points: h.mark, color: '#2f7de1' },
          { name: 'theoretical', points: h.theoretical, color: '#9aa5b1' },
        ])}
        ${chartSvg(`${chosen.index} index, USD`, [{ name: 'index', points: h.index, color: '#e1892f' }])}
        ${chartSvg(`funding index, ${stockOf(state, chosen.settlement).symbol} per contract`, [{ name: 'funding', points: h.funding, color: '#8e44ad' }])}
      </div>
      <p class="muted">Greeks per contract: delta in USD per USD of the index, gamma per USD, vega in USD per 1.00 of volatility. Funding per day: ${esc(stockOf(state, chosen.settlement).symbol)} a long pays per contract (negative: longs receive).</p>
    </section>`
    : '';
  return `${state.settlements.map((s) => statusBanner(state, s)).join('')}${tables.join('')}${charts}`;
}
