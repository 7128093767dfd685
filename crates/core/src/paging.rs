//! Pages of a listing, as the Management API v2 asks for them: `page` (from 0) and
//! `per_page` items.

/// Which slice of a listing to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// From 0.
    pub page: u32,
    /// At least 1.
    pub per_page: u32,
}

impl PageRequest {
    /// How many items come before this page.
    pub fn offset(&self) -> u64 {
        u64::from(self.page) * u64::from(self.per_page)
    }

    pub fn limit(&self) -> u64 {
        u64::from(self.per_page)
    }
}

/// One page of a listing and how many items the whole listing holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_is_page_times_size_without_overflow() {
        let r = PageRequest {
            page: u32::MAX,
            per_page: 100,
        };
        assert_eq!(r.offset(), 429_496_729_500);
        assert_eq!(
            PageRequest {
                page: 2,
                per_page: 50
            }
            .offset(),
            100
        );
    }
}
