// The web app in a real browser against a real dev chain: Debian's Chromium driven by
// playwright-core. `scripts/test-app.sh` starts the node, the dev price feed and the built
// page, then runs this with:
//
//   APP_URL  the page (vite preview of dist/)       WS  the node's RPC
//   SHOTS    where the screenshots go (test artefacts); DOCS_SHOTS: also copy one per page there
//
// What a trader and an LP do: load the page, pick a dev account, deposit margin, get a quote,
// review and sign a trade, see the position and the health change; a too-tight slippage fails
// on chain with its named error shown in words; an LP deposit queued while TSLA's market is
// closed, then cancelled and refunded. No console error may appear on the way.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { chromium } from 'playwright-core';
import { inBlock } from '../dev/tx.mjs';

const APP_URL = process.env.APP_URL ?? 'http://127.0.0.1:4173/';
const WS = process.env.WS ?? 'ws://127.0.0.1:9944';
const SHOTS = process.env.SHOTS ?? '/tmp/perpetua-app-shots';
const DOCS_SHOTS = process.env.DOCS_SHOTS ?? '';
const TSLA = 1;
const SERIES = 2; // BTC 100,000 call of the dev preset
const UNIT = 10n ** 12n; // TSLA has 12 decimals in the dev preset
const T = 60_000;

mkdirSync(SHOTS, { recursive: true });
if (DOCS_SHOTS) mkdirSync(DOCS_SHOTS, { recursive: true });

function log(msg) {
  console.log(`[browser] ${msg}`);
}

async function shot(page, name, docs = false) {
  const file = join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  if (docs && DOCS_SHOTS) copyFileSync(file, join(DOCS_SHOTS, `${name}.png`));
  log(`screenshot ${file}`);
}

async function text(page, testid) {
  return (await page.getByTestId(testid).first().textContent())?.trim() ?? '';
}

async function main() {
  await cryptoWaitReady();
  const api = await ApiPromise.create({ provider: new WsProvider(WS), noInitWarn: true });
  const keyring = new Keyring({ type: 'sr25519' });
  const alice = keyring.addFromUri('//Alice');
  const eve = keyring.addFromUri('//Eve');
  const dave = keyring.addFromUri('//Dave');

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const consoleErrors = [];
  const watch = (page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    watch(page);
    const url = `${APP_URL}?ws=${encodeURIComponent(WS)}`;

    // 1. The page loads and shows the markets, priced by the feed.
    await page.goto(`${url}#markets`);
    await page.waitForFunction((s) => /\d/.test(document.querySelector(`[data-testid="mark-${s}"]`)?.textContent ?? ''), SERIES, { timeout: T });
    const status = await text(page, 'market-status');
    assert.match(status, /^(open, closes in|closed, opens in|trading halted)/, status);
    assert.match(await text(page, 'haircut'), /%$/);
    log(`markets: TSLA ${status}, haircut ${await text(page, 'haircut')}, mark ${await text(page, `mark-${SERIES}`)}`);
    await page.waitForSelector('svg.chart path', { state: 'attached', timeout: T });
    await shot(page, 'markets', true);

    // 2. Dave, a dev account, deposits 50 TSLA of margin.
    await page.getByTestId('account').selectOption(dave.address);
    await page.getByTestId('tab-portfolio').click();
    const tslaBefore = (await api.query.assets.account(TSLA, dave.address)).toJSON().balance;
    await page.getByTestId('margin-amount').fill('50');
    await page.getByTestId('deposit-margin').click();
    await page.waitForFunction(() => /Deposited/.test(document.querySelector('[data-testid="margin-result"]')?.textContent ?? ''), null, { timeout: T });
    await page.waitForFunction(() => /^50\.0000 TSLA/.test(document.querySelector('[data-testid="collateral"]')?.textContent ?? ''), null, { timeout: T });
    const tslaAfter = (await api.query.assets.account(TSLA, dave.address)).toJSON().balance;
    assert.equal(BigInt(tslaBefore) - BigInt(tslaAfter), 50n * UNIT, 'the deposit moved exactly 50 TSLA from the wallet');
    // Collateral and no positions: nothing is required, so no margin ratio yet.
    assert.equal(await text(page, 'margin-ratio'), '—');
    const equityBefore = await text(page, 'equity');
    log('portfolio: 50 TSLA of margin deposited');

    // 3. A quote, then a reviewed and signed buy of 10 contracts.
    await page.getByTestId('tab-trade').click();
    await page.getByTestId('series').selectOption(String(SERIES));
    await page.getByTestId('buy').click();
    await page.getByTestId('size').fill('10');
    await page.getByTestId('slippage').fill('1');
    await page.waitForFunction(() => {
      const q = document.querySelector('[data-testid="quote"]');
      return q && /would succeed/.test(q.textContent ?? '');
    }, null, { timeout: T });
    const quoted = await text(page, 'quote-price');
    log(`trade: quote ${quoted}`);
    await shot(page, 'trade', true);
    await page.getByTestId('review-order').click();
    await page.getByTestId('confirm').click();
    await page.waitForFunction(() => /Traded/.test(document.querySelector('[data-testid="trade-result"]')?.textContent ?? ''), null, { timeout: T });
    log(`trade: ${await text(page, 'trade-result')}`);

    // 4. The position and the health show it.
    await page.getByTestId('tab-portfolio').click();
    await page.waitForSelector(`[data-testid="position-${SERIES}"]`, { timeout: T });
    assert.equal(await page.locator(`[data-testid="position-${SERIES}"] [data-testid="position-size"]`).textContent(), '10');
    const health = await page.getByTestId('health').first().getAttribute('data-state');
    assert.equal(health, 'safe', 'a small position on 50 TSLA is far from liquidation');
    const ratio = await text(page, 'margin-ratio');
    assert.match(ratio, /\d/, `margin ratio shown: ${ratio}`);
    assert.match(await text(page, 'distance'), /USD/);
    assert.notEqual(await text(page, 'equity'), equityBefore, 'the fee and the premium change the equity');
    log(`portfolio: position 10, health ${health}, margin ratio ${ratio}, distance ${await text(page, 'distance')}`);
    await shot(page, 'portfolio', true);

    // 5. A buy with no slippage tolerance, reviewed; before it is signed, Eve buys 20 of the
    //    same series and moves the mark: the chain refuses Dave's and the page names why.
    await page.getByTestId('tab-trade').click();
    await page.getByTestId('size').fill('10');
    await page.getByTestId('slippage').fill('0');
    await page.waitForFunction(() => /would succeed/.test(document.querySelector('[data-testid="quote"]')?.textContent ?? ''), null, { timeout: T });
    await page.getByTestId('review-order').click();
    const limit = await text(page, 'limit');
    await inBlock(api, api.tx.options.deposit(TSLA, 100n * UNIT), eve);
    await inBlock(api, api.tx.options.trade(SERIES, 20, 10n ** 24n, BigInt(Date.now() + 120_000)), eve);
    await page.getByTestId('confirm').click();
    await page.waitForFunction(() => /SlippageExceeded/.test(document.querySelector('[data-testid="trade-result"]')?.textContent ?? ''), null, { timeout: T });
    const failure = await text(page, 'trade-result');
    assert.match(failure, /^SlippageExceeded: The price moved past your slippage tolerance/, failure);
    log(`trade: limit ${limit} refused: "${failure}"`);
    await shot(page, 'trade-slippage');

    // 6. An LP deposit while TSLA's market is closed is queued; cancelled, it is refunded.
    //    During NYSE hours the test halts TSLA first (flows wait the same way) and resumes it.
    const session = await api._rpcCore.provider.send('calendar_stockStatus', [TSLA]);
    const halt = session.status === 'open';
    if (halt) await inBlock(api, api.tx.sudo.sudo(api.tx.equities.setHalted(TSLA, true)), alice);
    await page.getByTestId('tab-pool').click();
    await page.waitForSelector('[data-testid="nav-per-share-Main"]', { timeout: T });
    // The page reads the pool each block: the halt shows from the block after it.
    await page.waitForFunction(() => /when the market opens/.test(document.querySelector('[data-testid="flows"]')?.textContent ?? ''), null, { timeout: T });
    const walletBefore = BigInt((await api.query.assets.account(TSLA, dave.address)).toJSON().balance);
    await page.getByTestId('lp-amount').fill('5');
    await page.getByTestId('lp-deposit').click();
    await page.waitForFunction(() => /Queued as request #\d+/.test(document.querySelector('[data-testid="lp-result"]')?.textContent ?? ''), null, { timeout: T });
    const request = (await text(page, 'lp-result')).match(/#(\d+)/)[1];
    await page.waitForSelector(`[data-testid="request-${request}"]`, { timeout: T });
    const walletQueued = BigInt((await api.query.assets.account(TSLA, dave.address)).toJSON().balance);
    assert.equal(walletBefore - walletQueued, 5n * UNIT, 'the queued deposit holds 5 TSLA');
    await shot(page, 'pool', true);
    await page.getByTestId(`cancel-${request}`).click();
    await page.waitForFunction(() => /cancelled and refunded/.test(document.querySelector('[data-testid="lp-result"]')?.textContent ?? ''), null, { timeout: T });
    await page.waitForSelector(`[data-testid="request-${request}"]`, { state: 'detached', timeout: T });
    const walletRefunded = BigInt((await api.query.assets.account(TSLA, dave.address)).toJSON().balance);
    // The cancel's fee is paid in PRP: the refund is whole, to the base unit.
    assert.equal(walletRefunded, walletBefore, 'the cancelled deposit is refunded whole');
    log(`pool: request #${request} queued (${halt ? 'TSLA halted' : 'TSLA closed'}), cancelled, 5 TSLA refunded`);
    if (halt) await inBlock(api, api.tx.sudo.sudo(api.tx.equities.setHalted(TSLA, false)), alice);

    // 7. Phone width: every page still lays out (no horizontal page scroll).
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    watch(phone);
    await phone.goto(`${url}#markets`);
    await phone.waitForFunction((s) => /\d/.test(document.querySelector(`[data-testid="mark-${s}"]`)?.textContent ?? ''), SERIES, { timeout: T });
    for (const tab of ['markets', 'trade', 'portfolio', 'pool']) {
      if (tab !== 'markets') await phone.getByTestId(`tab-${tab}`).click();
      if (tab === 'markets') await phone.getByTestId('account').selectOption(dave.address);
      await phone.waitForSelector(`[data-testid="page-${tab}"]`);
      await phone.waitForTimeout(500);
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${tab} at phone width scrolls sideways by ${overflow}px`);
      await shot(phone, `phone-${tab}`, tab === 'markets' || tab === 'trade');
    }

    assert.deepEqual(consoleErrors, [], `console errors: ${consoleErrors.join(' | ')}`);
    log('all browser checks passed');
  } finally {
    await browser.close();
    await api.disconnect();
  }
}

main().catch((e) => {
  console.error(`[browser] FAILED: ${e.stack ?? e}`);
  process.exit(1);
});
