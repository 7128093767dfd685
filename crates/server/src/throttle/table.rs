//! A bounded, sharded map from a 128-bit key to a small counter, and the two counters
//! the throttle uses: a failure budget (GCRA) and a consecutive-failure streak.
//!
//! Each shard is a `Mutex<HashMap>` held only for a lookup and a few integer
//! operations, so requests from different addresses rarely wait on each other, and a
//! lookup of a key that is not there allocates nothing.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Shards per table: a power of two, several times the core count of a typical host.
const SHARDS: usize = 32;

/// What a table needs to know of an entry to keep its size bounded.
pub(crate) trait Slot {
    type Policy;
    /// The entry remembers nothing that matters at `now` and can be dropped.
    fn is_idle(&self, policy: &Self::Policy, now: i64) -> bool;
    /// The entry is refusing attempts at `now`: kept over the others when room runs out.
    fn is_blocking(&self, policy: &Self::Policy, now: i64) -> bool;
}

struct Shard<V> {
    map: HashMap<u128, V>,
    /// When this shard last swept itself because it was full.
    swept_at: i64,
}

/// At most `capacity` entries (rounded up to a multiple of the shard count), whatever
/// the number of distinct keys presented.
pub(crate) struct Table<V: Slot> {
    shards: Box<[Mutex<Shard<V>>]>,
    route: RandomState,
    shard_cap: usize,
    pub(crate) policy: V::Policy,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // The critical sections cannot panic; if one ever did, the counters are still whole.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<V: Slot> Table<V> {
    pub(crate) fn new(policy: V::Policy, capacity: usize) -> Self {
        let shards = (0..SHARDS)
            .map(|_| {
                Mutex::new(Shard {
                    map: HashMap::new(),
                    swept_at: i64::MIN,
                })
            })
            .collect();
        Table {
            shards,
            route: RandomState::new(),
            shard_cap: capacity.div_ceil(SHARDS).max(1),
            policy,
        }
    }

    fn shard(&self, key: u128) -> MutexGuard<'_, Shard<V>> {
        let index = (self.route.hash_one(key) as usize) & (SHARDS - 1);
        // `SHARDS` is a power of two, so the index is in range.
        lock(&self.shards[index])
    }

    /// Runs `f` on the entry of `key` if there is one (never inserts, never allocates),
    /// dropping the entry if it is idle afterwards.
    pub(crate) fn existing<R>(
        &self,
        key: u128,
        now: i64,
        f: impl FnOnce(&mut V) -> R,
    ) -> Option<R> {
        let mut shard = self.shard(key);
        let entry = shard.map.get_mut(&key)?;
        let result = f(entry);
        if entry.is_idle(&self.policy, now) {
            shard.map.remove(&key);
        }
        Some(result)
    }

    /// Runs `f` on the entry of `key`, made by `make` if absent. `None` when the shard is
    /// full of blocking entries and was already swept at `now`: the key then goes
    /// untracked (fails open) rather than the table growing.
    pub(crate) fn upsert<R>(
        &self,
        key: u128,
        now: i64,
        make: impl FnOnce() -> V,
        f: impl FnOnce(&mut V) -> R,
    ) -> Option<R> {
        let mut guard = self.shard(key);
        let shard = &mut *guard;
        if shard.map.len() >= self.shard_cap && !shard.map.contains_key(&key) {
            if shard.swept_at != now {
                shard.swept_at = now;
                let policy = &self.policy;
                shard.map.retain(|_, v| !v.is_idle(policy, now));
                if shard.map.len() >= self.shard_cap {
                    // Still full: forget partial counts, keep the blocks.
                    shard.map.retain(|_, v| v.is_blocking(policy, now));
                }
            }
            if shard.map.len() >= self.shard_cap {
                return None;
            }
        }
        let entry = shard.map.entry(key).or_insert_with(make);
        let result = f(entry);
        if entry.is_idle(&self.policy, now) {
            shard.map.remove(&key);
        }
        Some(result)
    }

    pub(crate) fn remove(&self, key: u128) {
        self.shard(key).map.remove(&key);
    }

    /// Entries held, summed over the shards (not a snapshot: shards are read in turn).
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).map.len()).sum()
    }

    /// The most entries the table will hold.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.shard_cap * SHARDS
    }
}

/// A failure budget: `burst` failures at once, then one more every `interval_secs`
/// (the generic cell rate algorithm, as in the `governor` crate; a token bucket that
/// stores one number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: u32,
    pub interval_secs: u32,
}

impl Rate {
    fn interval(&self) -> i64 {
        i64::from(self.interval_secs.max(1))
    }

    /// How far ahead of `now` the theoretical arrival time may be while attempts are
    /// still allowed.
    fn tolerance(&self) -> i64 {
        i64::from(self.burst.max(1) - 1) * self.interval()
    }
}

/// The theoretical arrival time of the next failure: `now` plus one interval per
/// failure not yet paid back.
#[derive(Debug)]
pub(crate) struct Budget {
    tat: i64,
}

impl Budget {
    pub(crate) fn new(now: i64) -> Self {
        Budget { tat: now }
    }

    /// `Some(seconds until an attempt is allowed again)` when the budget is spent.
    pub(crate) fn refused_for(&self, rate: &Rate, now: i64) -> Option<u64> {
        let excess = self.tat - now - rate.tolerance();
        (excess > 0).then(|| excess.unsigned_abs())
    }

    pub(crate) fn spend(&mut self, rate: &Rate, now: i64) {
        self.tat = self.tat.max(now).saturating_add(rate.interval());
    }

    /// Gives back one failure spent by a reservation that turned out not to be one.
    pub(crate) fn refund(&mut self, rate: &Rate) {
        self.tat = self.tat.saturating_sub(rate.interval());
    }
}

impl Slot for Budget {
    type Policy = Rate;
    fn is_idle(&self, _: &Rate, now: i64) -> bool {
        self.tat <= now
    }
    fn is_blocking(&self, rate: &Rate, now: i64) -> bool {
        self.refused_for(rate, now).is_some()
    }
}

/// Auth0's brute-force protection: `max_failures` consecutive failures block for
/// `block_secs`. A streak is forgotten `forget_after_secs` after its last failure, and
/// starts again from zero when a block ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    pub max_failures: u32,
    pub block_secs: u32,
    pub forget_after_secs: u32,
}

#[derive(Debug, Default)]
pub(crate) struct Streak {
    failures: u32,
    last_failure: i64,
    /// 0 when not blocked.
    blocked_until: i64,
}

impl Streak {
    /// Starts over when the streak is stale or its block has ended.
    fn refresh(&mut self, policy: &Lockout, now: i64) {
        if self.is_idle(policy, now) {
            *self = Streak::default();
        }
    }

    pub(crate) fn refused_for(&self, now: i64) -> Option<u64> {
        let left = self.blocked_until - now;
        (left > 0).then(|| left.unsigned_abs())
    }

    /// Counts one failure (an attempt about to be evaluated); `true` when this one
    /// started a block.
    pub(crate) fn fail(&mut self, policy: &Lockout, now: i64) -> bool {
        self.refresh(policy, now);
        self.failures = self.failures.saturating_add(1);
        self.last_failure = now;
        if self.failures >= policy.max_failures.max(1) {
            self.blocked_until = now.saturating_add(i64::from(policy.block_secs));
            return true;
        }
        false
    }

    /// `Some(seconds left)` when blocked; otherwise counts the attempt as a failure.
    pub(crate) fn try_fail(&mut self, policy: &Lockout, now: i64) -> Result<bool, u64> {
        match self.refused_for(now) {
            Some(left) => Err(left),
            None => Ok(self.fail(policy, now)),
        }
    }
}

impl Slot for Streak {
    type Policy = Lockout;
    fn is_idle(&self, policy: &Lockout, now: i64) -> bool {
        if self.blocked_until != 0 {
            return self.blocked_until <= now;
        }
        self.failures == 0
            || now.saturating_sub(self.last_failure) >= i64::from(policy.forget_after_secs)
    }
    fn is_blocking(&self, _: &Lockout, now: i64) -> bool {
        self.refused_for(now).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate {
        burst: 3,
        interval_secs: 10,
    };
    const LOCKOUT: Lockout = Lockout {
        max_failures: 3,
        block_secs: 100,
        forget_after_secs: 50,
    };

    #[test]
    fn budget_allows_a_burst_then_one_per_interval() {
        let mut b = Budget::new(0);
        for _ in 0..3 {
            assert_eq!(b.refused_for(&RATE, 0), None);
            b.spend(&RATE, 0);
        }
        assert_eq!(b.refused_for(&RATE, 0), Some(10));
        assert_eq!(b.refused_for(&RATE, 9), Some(1));
        assert_eq!(b.refused_for(&RATE, 10), None);
        b.spend(&RATE, 10);
        assert_eq!(b.refused_for(&RATE, 10), Some(10));
        assert!(!b.is_idle(&RATE, 39));
        assert!(b.is_idle(&RATE, 40));
        b.refund(&RATE);
        assert_eq!(b.refused_for(&RATE, 10), None);
    }

    #[test]
    fn budget_of_one_refuses_after_each_failure() {
        let one = Rate {
            burst: 1,
            interval_secs: 5,
        };
        let mut b = Budget::new(0);
        assert_eq!(b.refused_for(&one, 0), None);
        b.spend(&one, 0);
        assert_eq!(b.refused_for(&one, 0), Some(5));
        assert_eq!(b.refused_for(&one, 5), None);
    }

    #[test]
    fn streak_blocks_at_the_limit_then_starts_over() {
        let mut s = Streak::default();
        assert_eq!(s.try_fail(&LOCKOUT, 0), Ok(false));
        assert_eq!(s.try_fail(&LOCKOUT, 1), Ok(false));
        assert_eq!(s.try_fail(&LOCKOUT, 2), Ok(true));
        assert_eq!(s.try_fail(&LOCKOUT, 2), Err(100));
        assert_eq!(s.try_fail(&LOCKOUT, 101), Err(1));
        assert!(s.is_blocking(&LOCKOUT, 101));
        assert!(s.is_idle(&LOCKOUT, 102));
        // The block is over: a fresh streak of three.
        assert_eq!(s.try_fail(&LOCKOUT, 102), Ok(false));
        assert_eq!(s.try_fail(&LOCKOUT, 102), Ok(false));
        assert_eq!(s.try_fail(&LOCKOUT, 102), Ok(true));
    }

    #[test]
    fn a_stale_streak_is_forgotten() {
        let mut s = Streak::default();
        assert_eq!(s.try_fail(&LOCKOUT, 0), Ok(false));
        assert_eq!(s.try_fail(&LOCKOUT, 10), Ok(false));
        assert!(!s.is_idle(&LOCKOUT, 59));
        assert!(s.is_idle(&LOCKOUT, 60));
        assert_eq!(s.try_fail(&LOCKOUT, 60), Ok(false));
        assert_eq!(s.try_fail(&LOCKOUT, 61), Ok(false));
        assert_eq!(s.try_fail(&LOCKOUT, 62), Ok(true));
    }

    #[test]
    fn existing_never_inserts_and_drops_idle_entries() {
        let t: Table<Budget> = Table::new(RATE, 100);
        assert_eq!(t.existing(7, 0, |_| ()), None);
        assert_eq!(t.len(), 0);
        t.upsert(7, 0, || Budget::new(0), |b| b.spend(&RATE, 0));
        assert_eq!(t.len(), 1);
        // Refunded to nothing owed: idle, so gone.
        t.existing(7, 0, |b| b.refund(&RATE));
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn a_million_keys_stay_within_capacity() {
        let t: Table<Budget> = Table::new(RATE, 1000);
        assert_eq!(t.capacity(), 1024);
        let mut untracked = 0;
        for key in 0..1_000_000u128 {
            let key = key.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
            if t.upsert(key, 0, || Budget::new(0), |b| b.spend(&RATE, 0))
                .is_none()
            {
                untracked += 1;
            }
        }
        assert!(t.len() <= t.capacity(), "{}", t.len());
        assert!(untracked > 0);
        // A second later each shard sweeps once more and takes new keys again.
        assert!(t.upsert(u128::MAX, 1, || Budget::new(1), |_| ()).is_some());
        assert!(t.len() <= t.capacity());
    }

    #[test]
    fn a_full_table_keeps_its_blocks() {
        let t: Table<Budget> = Table::new(RATE, 32);
        // Every shard holds one entry; block all of them.
        let mut blocked = Vec::new();
        let mut key = 0u128;
        while t.len() < t.capacity() {
            key += 1;
            t.upsert(
                key,
                0,
                || Budget::new(0),
                |b| {
                    for _ in 0..3 {
                        b.spend(&RATE, 0);
                    }
                },
            );
        }
        for k in 1..=key {
            if t.existing(k, 0, |b| b.refused_for(&RATE, 0))
                .flatten()
                .is_some()
            {
                blocked.push(k);
            }
        }
        assert_eq!(blocked.len(), t.capacity());
        // New keys find no room; the blocked ones are all still blocked.
        let mut refused_new = 0;
        for k in 1000..1100u128 {
            if t.upsert(k, 0, || Budget::new(0), |b| b.spend(&RATE, 0))
                .is_none()
            {
                refused_new += 1;
            }
        }
        assert_eq!(refused_new, 100);
        for k in &blocked {
            assert!(
                t.existing(*k, 0, |b| b.refused_for(&RATE, 0))
                    .flatten()
                    .is_some()
            );
        }
    }
}
