//! LP flows: every deposit and withdrawal is a request, escrowed by the pool and executed at the
//! start of a later block (`on_initialize`, before any trade of that block), at least
//! `FlowDelay` after it was made, first in first out, for a stock only while its market is open
//! and its price fresh.
//!
//! A flow is priced at its tranche's NAV with the book valued at the index along the pool's
//! curve, whose depth follows capital only over time (`PoolParams::depth_smoothing`): neither
//! a trade nor the flow itself moves the price it gets. Execution is atomic: a request either
//! executes whole or is refunded whole, with an event either way; a request that cannot be
//! valued now (stale prices) waits at the head.

use crate::*;
use frame_support::{storage::with_storage_layer, weights::Weight};
use perpetua_primitives::{BookValue, PoolLedger};

impl<T: Config> Pallet<T> {
    /// Queues a deposit: the funds move to the pool account now.
    pub(crate) fn request_deposit(
        who: T::AccountId,
        asset: AssetId,
        tranche: Tranche,
        amount: Balance,
        min_shares: Balance,
    ) -> DispatchResult {
        let params = Params::<T>::get(asset).ok_or(Error::<T>::UnknownPool)?;
        ensure!(amount > 0, Error::<T>::ZeroAmount);
        ensure!(amount >= params.min_flow, Error::<T>::BelowMinimumFlow);
        T::Mover::transfer(asset, &who, &Self::account(asset), amount)?;
        Pools::<T>::try_mutate(asset, |p| -> DispatchResult {
            let p = p.as_mut().ok_or(Error::<T>::UnknownPool)?;
            p.queued_deposits = p
                .queued_deposits
                .checked_add(amount)
                .ok_or(ArithmeticError::Overflow)?;
            Ok(())
        })?;
        Self::enqueue(
            asset,
            who,
            tranche,
            RequestKind::Deposit { amount, min_shares },
        )
    }

    /// Queues a withdrawal: the shares move to the pool account now.
    pub(crate) fn request_withdraw(
        who: T::AccountId,
        asset: AssetId,
        tranche: Tranche,
        shares: Balance,
        min_amount: Balance,
    ) -> DispatchResult {
        let info = Pools::<T>::get(asset).ok_or(Error::<T>::UnknownPool)?;
        let params = Params::<T>::get(asset).unwrap_or_default();
        ensure!(shares > 0, Error::<T>::ZeroAmount);
        let share = info.tranche(tranche).1;
        let held = pallet_assets::Pallet::<T>::balance(share, &who);
        ensure!(held >= shares, Error::<T>::InsufficientShares);
        ensure!(
            shares >= params.min_flow || shares == held,
            Error::<T>::BelowMinimumFlow
        );
        T::Mover::transfer(share, &who, &Self::account(asset), shares)?;
        Self::enqueue(
            asset,
            who,
            tranche,
            RequestKind::Withdraw { shares, min_amount },
        )
    }

    pub(crate) fn enqueue(
        asset: AssetId,
        who: T::AccountId,
        tranche: Tranche,
        kind: RequestKind,
    ) -> DispatchResult {
        let pending = PendingRequests::<T>::get(asset, &who);
        ensure!(
            pending < T::MaxRequestsPerAccount::get(),
            Error::<T>::TooManyRequests
        );
        let id = NextRequestId::<T>::get();
        NextRequestId::<T>::put(id.checked_add(1).ok_or(ArithmeticError::Overflow)?);
        let req = Request {
            id,
            who: who.clone(),
            tranche,
            kind,
            at: T::Time::now(),
        };
        Queue::<T>::try_mutate(asset, |q| q.try_push(req)).map_err(|_| Error::<T>::QueueFull)?;
        QueuedPools::<T>::try_mutate(|p| -> DispatchResult {
            if !p.contains(&asset) {
                p.try_push(asset).map_err(|_| Error::<T>::TooManyPools)?;
            }
            Ok(())
        })?;
        PendingRequests::<T>::insert(asset, &who, pending.saturating_add(1));
        Self::deposit_event(Event::Queued {
            asset,
            request: id,
            who,
            tranche,
            kind,
        });
        Ok(())
    }

    /// One request of `who` fewer in `asset`'s queue.
    fn release_slot(asset: AssetId, who: &T::AccountId) {
        let left = PendingRequests::<T>::get(asset, who).saturating_sub(1);
        if left == 0 {
            PendingRequests::<T>::remove(asset, who);
        } else {
            PendingRequests::<T>::insert(asset, who, left);
        }
    }

    pub(crate) fn do_cancel(
        who: &T::AccountId,
        asset: AssetId,
        request: RequestId,
    ) -> DispatchResult {
        let q = Queue::<T>::get(asset);
        let i = q
            .iter()
            .position(|r| r.id == request)
            .ok_or(Error::<T>::UnknownRequest)?;
        ensure!(q[i].who == *who, Error::<T>::NotRequester);
        let req = q[i].clone();
        Self::refund(asset, &req)?;
        Queue::<T>::mutate(asset, |q| q.retain(|r| r.id != request));
        Self::release_slot(asset, who);
        Self::clean_queue_index(asset);
        Self::deposit_event(Event::RequestCancelled { asset, request });
        Ok(())
    }

    /// Gives a request's escrow back to its owner.
    fn refund(asset: AssetId, req: &Request<T::AccountId>) -> DispatchResult {
        let pool = Self::account(asset);
        match req.kind {
            RequestKind::Deposit { amount, .. } => {
                Self::settle_receivable(asset)?;
                T::Mover::transfer(asset, &pool, &req.who, amount)?;
                Pools::<T>::try_mutate(asset, |p| -> DispatchResult {
                    let p = p.as_mut().ok_or(Error::<T>::UnknownPool)?;
                    p.queued_deposits = p.queued_deposits.saturating_sub(amount);
                    Ok(())
                })
            }
            RequestKind::Withdraw { shares, .. } => {
                let share = Pools::<T>::get(asset)
                    .ok_or(Error::<T>::UnknownPool)?
                    .tranche(req.tranche)
                    .1;
                T::Mover::transfer(share, &pool, &req.who, shares)
            }
        }
    }

    pub(crate) fn clean_queue_index(asset: AssetId) {
        if Queue::<T>::decode_len(asset).unwrap_or(0) == 0 {
            Queue::<T>::remove(asset);
            QueuedPools::<T>::mutate(|p| p.retain(|a| *a != asset));
        }
    }

    /// The weight of executing `n` queued flows: charged one book valuation each, an upper
    /// bound (the hook values a pool's book once per block).
    pub fn process_weight(n: u32) -> Weight {
        <T as Config>::WeightInfo::process_queue(n).saturating_add(
            T::BookValuationWeight::get()
                .saturating_add(T::ActionTouchWeight::get())
                .saturating_mul(n as u64),
        )
    }

    /// Executes up to `budget` queued requests, oldest pool first; returns how many it
    /// settled (executed or refunded). Each executes atomically: on any error its changes are
    /// undone and it is refunded whole; one that cannot be valued now waits.
    pub fn process(budget: u32) -> u32 {
        Self::process_counted(budget).0
    }

    /// [`Self::process`], also returning how many queued pools it looked at (the block hook
    /// charges each look: the walk stops once the budget is spent).
    pub fn process_counted(budget: u32) -> (u32, u32) {
        let mut done = 0u32;
        let mut looked = 0u32;
        for asset in QueuedPools::<T>::get() {
            looked = looked.saturating_add(1);
            let now = T::Time::now();
            // The book is valued once per pool: before any trade of the block, LP flows change
            // neither the book, nor the claims, nor (within a block) the curve's depth. Only a
            // pool whose depth starts from nothing changes it, and is then valued again.
            let mut valued: Option<(Balance, BookValue)> = None;
            while done < budget && Self::flows_allowed(asset) {
                let Some(req) = Queue::<T>::get(asset).first().cloned() else {
                    break;
                };
                // First in, first out: the head not yet due holds the rest, which are later.
                if now < req.at.saturating_add(T::FlowDelay::get()) {
                    break;
                }
                let depth = <Self as PoolLedger<T::AccountId>>::depth(asset);
                let book = match valued {
                    Some((d, book)) if d == depth => book,
                    // Unpriceable (stale prices): the request waits at the head.
                    _ => match Self::book_now(asset) {
                        Ok(book) => {
                            valued = Some((depth, book));
                            book
                        }
                        Err(_) => break,
                    },
                };
                done += 1;
                let result = with_storage_layer(|| Self::execute(asset, &req, &book));
                match result {
                    Ok(()) => {}
                    Err(e) => {
                        // The refund moves escrow back; if even that fails (a frozen account),
                        // the request keeps its place and is tried again next block.
                        if with_storage_layer(|| Self::refund(asset, &req)).is_err() {
                            break;
                        }
                        Self::deposit_event(Event::RequestRefunded {
                            asset,
                            request: req.id,
                            who: req.who.clone(),
                            reason: refusal::<T>(e),
                        });
                    }
                }
                Queue::<T>::mutate(asset, |q| {
                    if q.first().is_some_and(|r| r.id == req.id) {
                        q.remove(0);
                    }
                });
                Self::release_slot(asset, &req.who);
            }
            Self::clean_queue_index(asset);
            if done >= budget {
                break;
            }
        }
        (done, looked)
    }

    fn execute(asset: AssetId, req: &Request<T::AccountId>, book: &BookValue) -> DispatchResult {
        match req.kind {
            RequestKind::Deposit { amount, min_shares } => {
                Pools::<T>::try_mutate(asset, |p| -> DispatchResult {
                    let p = p.as_mut().ok_or(Error::<T>::UnknownPool)?;
                    p.queued_deposits = p.queued_deposits.saturating_sub(amount);
                    Ok(())
                })?;
                Self::execute_deposit(&req.who, asset, req.tranche, amount, min_shares, book)
                    .map(|_| ())
            }
            RequestKind::Withdraw { shares, min_amount } => Self::execute_withdraw(
                &req.who,
                asset,
                req.tranche,
                shares,
                min_amount,
                &Self::account(asset),
                book,
            )
            .map(|_| ()),
        }
    }

    /// Deposits at once from `who`'s wallet: for genesis seeds and benchmarks only (no call
    /// reaches it: LP calls queue).
    pub fn deposit_now(
        who: &T::AccountId,
        asset: AssetId,
        tranche: Tranche,
        amount: Balance,
        min_shares: Balance,
    ) -> Result<Balance, DispatchError> {
        T::Mover::transfer(asset, who, &Self::account(asset), amount)?;
        let book = Self::book_now(asset)?;
        Self::execute_deposit(who, asset, tranche, amount, min_shares, &book)
    }

    /// A deposit whose funds are in the pool account (outside the ledger): prices it, mints
    /// the shares and credits the tranche.
    fn execute_deposit(
        who: &T::AccountId,
        asset: AssetId,
        tranche: Tranche,
        amount: Balance,
        min_shares: Balance,
        book: &BookValue,
    ) -> Result<Balance, DispatchError> {
        let mut info = Pools::<T>::get(asset).ok_or(Error::<T>::UnknownPool)?;
        let params = Params::<T>::get(asset).unwrap_or_default();
        let t = info.tranches();
        let after = t
            .with(tranche, |c| c.checked_add(amount))
            .ok_or(ArithmeticError::Overflow)?;
        // The tranche's value with this deposit in it must cover the deposit: else the book
        // owes more than the tranche holds and new money would pay old losses.
        let with_deposit = Self::tranche_nav(&params, after, book, tranche);
        ensure!(with_deposit >= amount, Error::<T>::TrancheUnderwater);
        let nav = Self::tranche_nav(&params, t, book, tranche).max(with_deposit - amount);
        let mut share = info.tranche(tranche).1;
        let mut supply = Self::supply(share);
        if supply > 0 && nav == 0 {
            // A dividend still walking the share token's holders must finish first (it would
            // thaw the retired token when done): the deposit is refunded.
            ensure!(
                !T::Stocks::corporate_action_in_progress(share),
                Error::<T>::ShareTokenBusy
            );
            // Shares of a tranche with no capital and no share of the book: worth nothing, so
            // they are retired and the tranche starts afresh.
            share = Self::wipe_out(asset, &mut info, tranche)?;
            supply = 0;
        }
        if supply == 0 && nav > 0 {
            // Value of the book no LP owned belongs to the protocol: the depositor buys in at NAV.
            T::Mover::mint(share, &T::ProtocolAccount::get(), nav)?;
            Self::deposit_event(Event::OrphanValueToProtocol {
                asset,
                tranche,
                shares: nav,
            });
            supply = nav;
        }
        let shares = nav::shares_for_deposit(amount, supply, nav).map_err(share_error::<T>)?;
        ensure!(shares >= min_shares, Error::<T>::Slippage);
        T::Mover::mint(share, who, shares)?;
        Self::write_tranches(asset, &mut info, after)?;
        Pools::<T>::insert(asset, info);
        LastDeposit::<T>::insert((asset, tranche, who.clone()), T::Time::now());
        Self::deposit_event(Event::Deposited {
            asset,
            tranche,
            who: who.clone(),
            amount,
            shares,
        });
        Ok(shares)
    }

    /// Replaces the share token of a tranche with shares and no value: the old one is frozen.
    fn wipe_out(
        asset: AssetId,
        info: &mut PoolInfo,
        tranche: Tranche,
    ) -> Result<AssetId, DispatchError> {
        let old = info.tranche(tranche).1;
        let new = Self::new_share(asset, tranche, true)?;
        pallet_assets::Asset::<T>::mutate(old, |d| {
            if let Some(d) = d {
                d.status = pallet_assets::AssetStatus::Frozen;
            }
        });
        match tranche {
            Tranche::Main => info.main_share = new,
            Tranche::Insurance => info.insurance_share = new,
        }
        Self::deposit_event(Event::TrancheWipedOut {
            asset,
            tranche,
            old_share: old,
            new_share: new,
        });
        Ok(new)
    }

    /// A withdrawal of `shares` held by `holder`: prices it, burns them and pays `who`.
    fn execute_withdraw(
        who: &T::AccountId,
        asset: AssetId,
        tranche: Tranche,
        shares: Balance,
        min_amount: Balance,
        holder: &T::AccountId,
        book: &BookValue,
    ) -> Result<Balance, DispatchError> {
        let mut info = Pools::<T>::get(asset).ok_or(Error::<T>::UnknownPool)?;
        let params = Params::<T>::get(asset).unwrap_or_default();
        let (capital, share) = info.tranche(tranche);
        let supply = Self::supply(share);
        ensure!(supply >= shares, Error::<T>::InsufficientShares);
        let t = info.tranches();
        let nav = Self::tranche_nav(&params, t, book, tranche);
        let gross = nav::value_of_shares(shares, supply, nav).map_err(share_error::<T>)?;
        let early = LastDeposit::<T>::get((asset, tranche, who.clone()))
            .is_some_and(|at| T::Time::now().saturating_sub(at) < params.cooldown);
        let rate = if early {
            params.early_withdrawal_fee
        } else {
            params.withdrawal_fee
        };
        let fee = rate.mul_ceil(gross);
        let net = gross.saturating_sub(fee);
        ensure!(net > 0, Error::<T>::ZeroAmount);
        ensure!(net >= min_amount, Error::<T>::Slippage);
        ensure!(net <= capital, Error::<T>::TrancheCash);
        let remaining = info.capital().saturating_sub(net);
        ensure!(
            remaining
                >= params
                    .min_liquidity_ratio
                    .saturating_mul_int(info.required_margin),
            Error::<T>::LiquidityLimit
        );
        T::Mover::burn(share, holder, shares)?;
        Self::settle_receivable(asset)?;
        T::Mover::transfer(asset, &Self::account(asset), who, net)?;
        let after = t
            .with(tranche, |c| c.checked_sub(net))
            .ok_or(ArithmeticError::Underflow)?;
        Self::write_tranches(asset, &mut info, after)?;
        Pools::<T>::insert(asset, info);
        let left = after.of(tranche);
        if Self::supply(share) == 0 && left > 0 {
            // The last holders left a tranche worth less than its capital (its share of the
            // book's losses or of expected bad debt): what remains is committed to those
            // losses and belongs to the protocol, which holds it as shares until they come.
            T::Mover::mint(share, &T::ProtocolAccount::get(), left)?;
            Self::deposit_event(Event::OrphanValueToProtocol {
                asset,
                tranche,
                shares: left,
            });
        }
        if pallet_assets::Pallet::<T>::balance(share, who) == 0 {
            LastDeposit::<T>::remove((asset, tranche, who.clone()));
        }
        Self::deposit_event(Event::Withdrawn {
            asset,
            tranche,
            who: who.clone(),
            shares,
            amount: net,
            fee,
        });
        Ok(net)
    }
}

fn share_error<T: Config>(e: nav::ShareError) -> DispatchError {
    match e {
        nav::ShareError::Underwater => Error::<T>::TrancheUnderwater.into(),
        nav::ShareError::Zero => Error::<T>::ZeroAmount.into(),
        nav::ShareError::Overflow => ArithmeticError::Overflow.into(),
    }
}

fn refusal<T: Config>(e: DispatchError) -> FlowRefusal {
    let is = |err: Error<T>| e == err.into();
    if is(Error::<T>::Slippage) {
        FlowRefusal::Slippage
    } else if is(Error::<T>::LiquidityLimit) {
        FlowRefusal::LiquidityLimit
    } else if is(Error::<T>::TrancheCash) {
        FlowRefusal::TrancheCash
    } else if is(Error::<T>::TrancheUnderwater) {
        FlowRefusal::TrancheUnderwater
    } else {
        FlowRefusal::Other
    }
}
