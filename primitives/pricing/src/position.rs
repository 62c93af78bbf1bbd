//! Position accounting as pure state changes: netting a fill against a position, averaging
//! the entry price of what it opens, the PnL it realises on what it closes, and the series'
//! sums over positions that keep valuing a book and moving funding O(series).
//!
//! ```text
//! closed   = min(|size|, |fill|)           if the fill is against the position, else 0
//! opened   = |fill| - closed
//! realised = (avg - entry) * closed * sign(size)
//! entry'   = entry                          if nothing opens
//!          = avg                            if the fill flips or opens the position
//!          = (entry |size| + avg opened) / |size'|   if it adds to it
//! ```
//!
//! The pallet applies the change as it is returned; the sums it keeps per series
//! ([`BookSums`]) move by exactly the difference of the position's terms, so they always equal
//! the sums over the positions (up to one rounding per update).

use crate::{fixed::OrOverflow, Fixed, PricingError};

/// A trader's holding in one series.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Holding {
    /// Contracts: positive long, negative short.
    pub size: i128,
    /// Average entry price, USD per contract (zero when flat).
    pub entry: Fixed,
}

/// What a fill does to a holding.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FillChange {
    /// The holding after the fill.
    pub holding: Holding,
    /// Contracts of the old holding the fill closed.
    pub closed: u128,
    /// Contracts the fill opened (on the side of the new holding).
    pub opened: u128,
    /// PnL realised on the closed contracts, USD (positive: a profit).
    pub realised: Fixed,
}

impl FillChange {
    /// Whether the fill takes more risk: it opens contracts (adds to the holding, or flips it).
    pub fn increases(&self) -> bool {
        self.opened > 0
    }
}

/// Whether a fill of `fill` contracts against a holding of `size` opens any contracts.
pub fn increases(size: i128, fill: i128) -> bool {
    match size.checked_add(fill) {
        Some(after) => {
            after.unsigned_abs() > size.unsigned_abs() || size.signum() * after.signum() < 0
        }
        None => true,
    }
}

fn n(x: i128) -> Result<Fixed, PricingError> {
    Fixed::from_integer(x).or_overflow().map_err(Into::into)
}

/// Applies a fill of `fill` contracts at average price `avg` (USD per contract) to `old`.
pub fn fill(old: Holding, fill: i128, avg: Fixed) -> Result<FillChange, PricingError> {
    let size = old.size.checked_add(fill).or_overflow()?;
    let closed = if old.size.signum() * fill.signum() < 0 {
        old.size.unsigned_abs().min(fill.unsigned_abs())
    } else {
        0
    };
    let opened = fill.unsigned_abs().saturating_sub(closed);
    let realised = if closed > 0 {
        let diff = avg.checked_sub(old.entry).or_overflow()?;
        let per = if old.size > 0 {
            diff
        } else {
            diff.checked_neg().or_overflow()?
        };
        per.checked_mul(n(closed as i128)?).or_overflow()?
    } else {
        Fixed::ZERO
    };
    let entry = if size == 0 {
        Fixed::ZERO
    } else if opened == 0 {
        old.entry
    } else if closed > 0 || old.size == 0 {
        avg
    } else {
        // Adding to a holding: the weighted average of the old entry and this fill.
        let old_value = old.entry.checked_mul(n(old.size.abs())?).or_overflow()?;
        let added = avg.checked_mul(n(opened as i128)?).or_overflow()?;
        old_value
            .checked_add(added)
            .and_then(|t| t.checked_div(Fixed::from_integer(size.abs())?))
            .or_overflow()?
    };
    Ok(FillChange {
        holding: Holding { size, entry },
        closed,
        opened,
        realised,
    })
}

/// A series' sums over its positions.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct BookSums {
    /// Contracts held long.
    pub long: u128,
    /// Contracts held short.
    pub short: u128,
    /// Sum of `size * entry`, USD.
    pub entry_sum: Fixed,
    /// Sum of `size * funding index at the position's last settlement`.
    pub funding_sum: Fixed,
}

impl BookSums {
    /// Traders' net position.
    pub fn net(&self) -> Result<i128, PricingError> {
        let long = i128::try_from(self.long).ok().or_overflow()?;
        let short = i128::try_from(self.short).ok().or_overflow()?;
        Ok(long.checked_sub(short).or_overflow()?)
    }
}

/// The sums after a position moves from `old` (settled at funding index `old_index`) to `new`
/// (settled at `new_index`): each sum loses the old position's term and gains the new one's.
pub fn replace(
    sums: BookSums,
    old: Holding,
    old_index: Fixed,
    new: Holding,
    new_index: Fixed,
) -> Result<BookSums, PricingError> {
    let term = |h: Holding, i: Fixed| -> Result<(Fixed, Fixed), PricingError> {
        let size = n(h.size)?;
        Ok((
            h.entry.checked_mul(size).or_overflow()?,
            i.checked_mul(size).or_overflow()?,
        ))
    };
    let (e_old, f_old) = term(old, old_index)?;
    let (e_new, f_new) = term(new, new_index)?;
    let side = |x: i128| (x.max(0) as u128, x.min(0).unsigned_abs());
    let (ol, os) = side(old.size);
    let (nl, ns) = side(new.size);
    Ok(BookSums {
        long: sums
            .long
            .checked_sub(ol)
            .and_then(|x| x.checked_add(nl))
            .or_overflow()?,
        short: sums
            .short
            .checked_sub(os)
            .and_then(|x| x.checked_add(ns))
            .or_overflow()?,
        entry_sum: sums
            .entry_sum
            .checked_sub(e_old)
            .and_then(|x| x.checked_add(e_new))
            .or_overflow()?,
        funding_sum: sums
            .funding_sum
            .checked_sub(f_old)
            .and_then(|x| x.checked_add(f_new))
            .or_overflow()?,
    })
}
