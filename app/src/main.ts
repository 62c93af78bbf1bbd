// The page: connects to a node, keeps `AppState` fresh at every new block, renders the tab
// in view and sends what the user signs.

import './style.css';
import { Chain, nodeUrl, type TxResult } from './chain';
import { statusText, toUnits } from './format';
import { advance, backfill, emptyHistory } from './history';
import { deadline, minAmount, minShares, signedSize, slippageBps } from './maths';
import { parseQueue, type AppState } from './state';
import { marketsView } from './views/markets';
import { poolView, type PoolForm } from './views/pool';
import { portfolioView, type MarginForm } from './views/portfolio';
import { newTicket, order, tradeView, type Ticket } from './views/trade';

type Tab = 'markets' | 'trade' | 'portfolio' | 'pool';
const TABS: Tab[] = ['markets', 'trade', 'portfolio', 'pool'];

const root = document.getElementById('app') as HTMLElement;
let state: AppState | null = null;
let tab: Tab = (TABS.find((t) => location.hash === `#${t}`) ?? 'markets') as Tab;
let ticket: Ticket = newTicket(2);
const margin: MarginForm = { settlement: 1, amount: '10', result: null, busy: false };
const lp: PoolForm = { settlement: 1, tranche: 'Main', amount: '5', result: null, busy: false };
let connectError: string | null = null;
let quoteSeq = 0;
/** How much worse than the NAV now an LP flow may execute before it is refunded. */
const LP_TOLERANCE_BPS = 100n;

function header(): string {
  const url = state?.chain.url ?? nodeUrl(location.search, localStorage.getItem('perpetua.ws'));
  const accounts = (state?.signers ?? [])
    .map((a) => `<option value="${a.address}" ${state?.account?.address === a.address ? 'selected' : ''}>${a.name} · ${a.address.slice(0, 6)}…</option>`)
    .join('');
  return `<header>
    <div class="brand">Perpetua</div>
    <form class="node" data-form="node"><input name="ws" value="${url}" aria-label="node" data-testid="node-url"><button>Connect</button></form>
    <select name="account" data-testid="account" aria-label="account"><option value="">account…</option>${accounts}</select>
    <span class="block" data-testid="block">${state ? `#${state.block}` : connectError ? 'not connected' : 'connecting…'}</span>
  </header>
  <nav>${TABS.map((t) => `<a href="#${t}" class="${t === tab ? 'on' : ''}" data-testid="tab-${t}">${t[0].toUpperCase() + t.slice(1)}</a>`).join('')}</nav>`;
}

function render(): void {
  // Keep the field being typed in, and its caret, across the re-render.
  const active = document.activeElement as HTMLInputElement | null;
  const focus = active?.name ? { name: active.name, start: active.selectionStart, end: active.selectionEnd } : null;
  let body = '';
  if (!state) body = `<section class="card">${connectError ? `<p class="error">Cannot reach the node: ${connectError}</p>` : '<p>Connecting…</p>'}</section>`;
  else if (tab === 'markets') body = marketsView(state);
  else if (tab === 'trade') body = tradeView(state, ticket);
  else if (tab === 'portfolio') body = portfolioView(state, margin);
  else body = poolView(state, lp);
  root.innerHTML = `${header()}<main data-testid="page-${tab}">${body}</main>`;
  if (focus) {
    const el = root.querySelector<HTMLInputElement>(`[name="${focus.name}"]`);
    if (el) {
      el.focus();
      if (el.setSelectionRange && focus.start != null) el.setSelectionRange(focus.start, focus.end ?? focus.start);
    }
  }
}

async function refresh(s: AppState, hash?: string): Promise<void> {
  const c = s.chain;
  const [series, header, now] = await Promise.all([c.allSeries(), c.api.rpc.chain.getHeader(), c.now()]);
  s.series = series;
  s.block = header.number.toNumber();
  s.now = now;
  s.settlements = [...new Set(series.map((x) => x.settlement))];
  await Promise.all(
    s.settlements.map(async (id) => {
      const [status, haircut, pool, queue] = await Promise.all([
        c.stockStatus(id),
        c.haircut(id).catch(() => null),
        c.pool(id).catch(() => null),
        c.api.query.pool.queue(id),
      ]);
      s.status.set(id, status);
      if (haircut != null) s.haircut.set(id, haircut);
      if (pool) s.pools.set(id, pool);
      s.queue.set(id, parseQueue(queue.toJSON()));
    }),
  );
  if (s.account) {
    const who = s.account.address;
    s.margin = await c.accounts(who);
    const assets = [...s.stocks.keys()];
    for (const p of s.pools.values()) assets.push(p.main.shareAsset, p.insurance.shareAsset);
    const balances = await Promise.all(assets.map((id) => c.assetBalance(id, who)));
    s.wallet = new Map(assets.map((id, i) => [id, balances[i]]));
    for (const id of [...s.wallet.keys()]) if (!s.stocks.has(id) && s.wallet.get(id) === 0n) s.wallet.delete(id);
  }
  if (hash) {
    const settlement = s.settlements[0] ?? 1;
    const charted = s.series.find((x) => x.series === s.history.series) ?? null;
    await advance(c, s.history, s.block, hash, settlement, charted, s.pools.get(settlement) ?? null).catch(() => undefined);
  }
}

async function requote(): Promise<void> {
  if (!state || tab !== 'trade' || ticket.review) return;
  const seq = ++quoteSeq;
  const who = state.account?.address ?? state.signers[0]?.address;
  try {
    // The ticket's fields are checked before asking the node, so a typo shows in words.
    const size = signedSize(ticket.size, ticket.side);
    slippageBps(ticket.slippage);
    deadline(state.now, ticket.deadline);
    if (!who) throw new Error('pick an account');
    const q = await state.chain.quote(who, ticket.series, size);
    if (seq !== quoteSeq) return;
    ticket.quote = q;
    ticket.quoteError = null;
  } catch (e) {
    if (seq !== quoteSeq) return;
    ticket.quote = null;
    ticket.quoteError = (e as Error).message;
  }
  render();
}

function resultText(r: TxResult, okText: string): { ok: boolean; text: string } {
  return r.ok ? { ok: true, text: `${okText} (in block ${r.blockHash?.slice(0, 10)}…)` } : { ok: false, text: r.message ?? r.error ?? 'failed' };
}

async function act(action: string): Promise<void> {
  const s = state;
  if (!s || !s.account) return;
  const tx = s.chain.api.tx;
  const stock = s.stocks.get(margin.settlement);
  try {
    if (action === 'review') {
      const o = order(ticket, s.now);
      if (!ticket.quote) return;
      ticket.review = { ...o, quote: ticket.quote };
      ticket.result = null;
    } else if (action === 'cancel-review') {
      ticket.review = null;
      void requote();
    } else if (action === 'confirm' && ticket.review) {
      const r = ticket.review;
      ticket.busy = true;
      render();
      const res = await s.chain.send(tx.options.trade(ticket.series, r.size, r.limit, r.deadline), s.account);
      const traded = res.events.find((e) => e.section === 'options' && e.method === 'Traded');
      ticket.result = resultText(res, traded ? 'Traded' : 'Done');
      ticket.review = null;
      ticket.busy = false;
      await refresh(s);
      void requote();
    } else if (action === 'deposit-margin' || action === 'withdraw-margin') {
      const amount = toUnits(margin.amount, stock?.decimals ?? 12);
      margin.busy = true;
      render();
      const call = action === 'deposit-margin' ? tx.options.deposit(margin.settlement, amount) : tx.options.withdraw(margin.settlement, amount);
      margin.result = resultText(await s.chain.send(call, s.account), action === 'deposit-margin' ? 'Deposited' : 'Withdrawn');
      margin.busy = false;
      await refresh(s);
    } else if (action === 'lp-deposit' || action === 'lp-withdraw') {
      const pool = s.pools.get(lp.settlement);
      const decimals = s.stocks.get(lp.settlement)?.decimals ?? 12;
      const amount = toUnits(lp.amount, decimals);
      const t = lp.tranche === 'Main' ? pool?.main : pool?.insurance;
      lp.busy = true;
      render();
      let call;
      if (action === 'lp-deposit') {
        // At least 99% of the shares the NAV now gives.
        call = tx.pool.deposit(lp.settlement, lp.tranche, amount, minShares(amount, t?.navPerShare ?? null, LP_TOLERANCE_BPS));
      } else {
        // At least the value now less the early-withdrawal fee (the most it can be) and 1%.
        const params = (await s.chain.api.query.pool.params(lp.settlement)).toJSON() as { earlyWithdrawalFee?: number } | null;
        const feePpb = BigInt(params?.earlyWithdrawalFee ?? 0);
        call = tx.pool.withdraw(lp.settlement, lp.tranche, amount, minAmount(amount, t?.navPerShare ?? null, feePpb, LP_TOLERANCE_BPS));
      }
      const res = await s.chain.send(call, s.account);
      const queued = res.events.find((e) => e.section === 'pool' && e.method === 'Queued');
      lp.result = resultText(res, queued ? `Queued as request #${(queued.data as unknown[])[1]}` : 'Done');
      lp.busy = false;
      await refresh(s);
    }
  } catch (e) {
    const text = (e as Error).message;
    if (tab === 'trade') ticket.result = { ok: false, text };
    else if (tab === 'portfolio') margin.result = { ok: false, text };
    else lp.result = { ok: false, text };
    ticket.busy = margin.busy = lp.busy = false;
  }
  render();
}

async function cancelRequest(id: number): Promise<void> {
  if (!state?.account) return;
  lp.busy = true;
  render();
  const res = await state.chain.send(state.chain.api.tx.pool.cancelRequest(lp.settlement, id), state.account);
  lp.result = resultText(res, `Request #${id} cancelled and refunded`);
  lp.busy = false;
  await refresh(state);
  render();
}

root.addEventListener('click', (ev) => {
  const el = (ev.target as HTMLElement).closest('button, a') as HTMLElement | null;
  if (!el) return;
  if (el.dataset.side) {
    ticket.side = el.dataset.side as Ticket['side'];
    ticket.review = null;
    void requote();
  } else if (el.dataset.action) {
    ev.preventDefault();
    void act(el.dataset.action);
  } else if (el.dataset.cancel) {
    void cancelRequest(Number(el.dataset.cancel));
  } else if (el.dataset.trade) {
    ticket = { ...newTicket(Number(el.dataset.trade)), slippage: ticket.slippage, deadline: ticket.deadline };
    location.hash = '#trade';
  } else if (el.dataset.chart && state) {
    const s = state;
    s.history = emptyHistory();
    s.history.series = Number(el.dataset.chart);
    render();
    void backfill(s.chain, s.history, s.block, s.settlements[0] ?? 1).then(render);
  }
});

root.addEventListener('input', (ev) => {
  const el = ev.target as HTMLInputElement;
  if (el.name === 'size' || el.name === 'slippage' || el.name === 'deadline') {
    ticket[el.name] = el.value;
    ticket.review = null;
    void requote();
  } else if (el.name === 'margin-amount') margin.amount = el.value;
  else if (el.name === 'lp-amount') lp.amount = el.value;
});

root.addEventListener('change', (ev) => {
  const el = ev.target as HTMLSelectElement;
  if (el.name === 'series') {
    ticket = { ...newTicket(Number(el.value)), side: ticket.side, size: ticket.size, slippage: ticket.slippage, deadline: ticket.deadline };
    void requote();
  } else if (el.name === 'tranche') lp.tranche = el.value as PoolForm['tranche'];
  else if (el.name === 'account' && state) {
    state.account = state.signers.find((a) => a.address === el.value) ?? null;
    void refresh(state).then(() => {
      render();
      void requote();
    });
  }
});

root.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const ws = new FormData(ev.target as HTMLFormElement).get('ws');
  if (typeof ws === 'string' && ws) {
    localStorage.setItem('perpetua.ws', ws);
    location.search = `?ws=${encodeURIComponent(ws)}`;
  }
});

window.addEventListener('hashchange', () => {
  tab = (TABS.find((t) => location.hash === `#${t}`) ?? 'markets') as Tab;
  render();
  void requote();
});

async function start(): Promise<void> {
  render();
  const url = nodeUrl(location.search, localStorage.getItem('perpetua.ws'));
  let chain: Chain;
  try {
    chain = await Chain.connect(url);
  } catch (e) {
    connectError = `${url}: ${(e as Error).message ?? e}`;
    render();
    return;
  }
  const s: AppState = {
    chain,
    stocks: await chain.stocks(),
    signers: await chain.signers('Perpetua'),
    account: null,
    block: 0,
    now: Date.now(),
    series: [],
    settlements: [],
    status: new Map(),
    haircut: new Map(),
    pools: new Map(),
    margin: [],
    wallet: new Map(),
    queue: new Map(),
    history: emptyHistory(),
  };
  await refresh(s);
  const firstCall = s.series.find((x) => x.kind === 'call' && x.priceError == null) ?? s.series[0];
  s.history.series = firstCall?.series ?? null;
  if (firstCall) ticket = newTicket(firstCall.series);
  state = s;
  render();
  void requote();
  void backfill(chain, s.history, s.block, s.settlements[0] ?? 1).then(render).catch(() => undefined);
  let busy = false;
  await chain.api.rpc.chain.subscribeNewHeads(async (head) => {
    if (busy) return;
    busy = true;
    try {
      await refresh(s, head.hash.toHex());
      render();
      void requote();
    } catch (e) {
      console.warn('refresh failed', e);
    } finally {
      busy = false;
    }
  });
  // The market countdown ticks every second without asking the node.
  setInterval(() => {
    for (const el of root.querySelectorAll<HTMLElement>('[data-testid="market-status"]')) {
      const status = s.status.get(Number(el.dataset.settlement));
      if (status) el.textContent = statusText(status, Date.now());
    }
  }, 1000);
}

void start();
