//! One series at a time in the per-settlement books (`Books`, `SeriesSlot`): what every call
//! but the block hook uses. A book is one storage value, so the hook reads and writes a whole
//! settlement's series at once (issue 17: 3,000 series in 250 books).

use crate::*;
use core::borrow::Borrow;
use sp_runtime::DispatchResult;

/// The series store, by series id: `get`, `insert`, `mutate` and `try_mutate` of one series,
/// `list` of a new one, `iter` over all. Series are never removed.
pub struct SeriesBook<T>(core::marker::PhantomData<T>);

impl<T: Config> SeriesBook<T> {
    /// Series `id`, if listed.
    pub fn get(id: impl Borrow<SeriesId>) -> Option<Series> {
        let id = *id.borrow();
        let (settlement, slot) = SeriesSlot::<T>::get(id)?;
        Books::<T>::get(settlement)
            .get(slot as usize)
            .filter(|(at, _)| *at == id)
            .map(|(_, series)| *series)
    }

    /// Whether `id` is listed.
    pub fn contains_key(id: impl Borrow<SeriesId>) -> bool {
        SeriesSlot::<T>::contains_key(id.borrow())
    }

    /// Replaces listed series `id` (an unlisted id is ignored: [`Self::list`] lists).
    pub fn insert(id: impl Borrow<SeriesId>, series: Series) {
        let id = *id.borrow();
        let Some((settlement, slot)) = SeriesSlot::<T>::get(id) else {
            return;
        };
        Books::<T>::mutate(settlement, |book| {
            if let Some(entry) = book.get_mut(slot as usize).filter(|(at, _)| *at == id) {
                entry.1 = series;
            }
        });
    }

    /// `f` on series `id` (`None` if unlisted); written back if it is still `Some`.
    pub fn mutate<R>(id: impl Borrow<SeriesId>, f: impl FnOnce(&mut Option<Series>) -> R) -> R {
        let id = *id.borrow();
        let mut series = Self::get(id);
        let r = f(&mut series);
        if let Some(series) = series {
            Self::insert(id, series);
        }
        r
    }

    /// [`Self::mutate`] that writes nothing when `f` fails.
    pub fn try_mutate<R, E>(
        id: impl Borrow<SeriesId>,
        f: impl FnOnce(&mut Option<Series>) -> Result<R, E>,
    ) -> Result<R, E> {
        let id = *id.borrow();
        let mut series = Self::get(id);
        let r = f(&mut series)?;
        if let Some(series) = series {
            Self::insert(id, series);
        }
        Ok(r)
    }

    /// Lists `series` as `id` at the end of `settlement`'s book.
    pub fn list(settlement: AssetId, id: SeriesId, series: Series) -> DispatchResult {
        let slot = Books::<T>::try_mutate(settlement, |book| {
            let slot = book.len() as u32;
            book.try_push((id, series)).map(|_| slot).map_err(|_| ())
        })
        .map_err(|_| Error::<T>::TooManySeries)?;
        SeriesSlot::<T>::insert(id, (settlement, slot));
        Ok(())
    }

    /// Every listed series, book by book.
    pub fn iter() -> impl Iterator<Item = (SeriesId, Series)> {
        Books::<T>::iter_values().flat_map(|book| book.into_inner())
    }
}
