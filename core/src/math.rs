//! Checked fixed-point helpers. Every result is `None` on overflow or division
//! by zero; callers turn that into their own specific error.

use crate::types::{Balance, Bps, BPS_DENOMINATOR};
use primitive_types::U128;

/// `a * b / c`, rounded down, computed in 256 bits so that intermediate
/// products of two large balances (shares × assets) cannot overflow.
/// `None` when `c == 0` or the quotient does not fit in a `u128`.
#[inline]
pub fn mul_div(a: Balance, b: Balance, c: Balance) -> Option<Balance> {
    if c == 0 {
        return None;
    }
    // Fast path: the product fits, which is the common case in the simulator.
    if let Some(p) = a.checked_mul(b) {
        return p.checked_div(c);
    }
    let wide = U128::from(a).full_mul(U128::from(b));
    let q = wide.checked_div(primitive_types::U256::from(c))?;
    Balance::try_from(q).ok()
}

/// `a * b / c`, rounded up. `None` as for [`mul_div`].
#[inline]
pub fn mul_div_up(a: Balance, b: Balance, c: Balance) -> Option<Balance> {
    let down = mul_div(a, b, c)?;
    // The product is exact iff down * c == a * b; compare in 256 bits.
    let exact = U128::from(down).full_mul(U128::from(c)) == U128::from(a).full_mul(U128::from(b));
    if exact {
        Some(down)
    } else {
        down.checked_add(1)
    }
}

/// `num / den` in basis points, rounded down, saturating at `Bps::MAX`
/// (also when `den` is zero).
#[inline]
pub fn ratio_bps(num: Balance, den: Balance) -> Bps {
    mul_div(num, Balance::from(BPS_DENOMINATOR), den).map_or(Bps::MAX, |r| Bps::try_from(r).unwrap_or(Bps::MAX))
}

/// `amount * bps / 10_000`, rounded down.
#[inline]
pub fn apply_bps(amount: Balance, bps: Bps) -> Option<Balance> {
    mul_div(amount, Balance::from(bps), Balance::from(BPS_DENOMINATOR))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mul_div_handles_wide_products() {
        let big = u128::MAX / 3;
        assert_eq!(mul_div(big, 3, 3), Some(big));
        assert_eq!(mul_div(big, big, big), Some(big));
        assert_eq!(mul_div(u128::MAX, u128::MAX, 1), None);
        assert_eq!(mul_div(1, 1, 0), None);
    }

    #[test]
    fn rounding_directions() {
        assert_eq!(mul_div(10, 1, 3), Some(3));
        assert_eq!(mul_div_up(10, 1, 3), Some(4));
        assert_eq!(mul_div_up(9, 1, 3), Some(3));
        assert_eq!(apply_bps(1_000, 2_500), Some(250));
        assert_eq!(ratio_bps(1, 3), 3_333);
        assert_eq!(ratio_bps(1, 0), Bps::MAX);
        assert_eq!(ratio_bps(u128::MAX, 1), Bps::MAX);
    }

    proptest! {
        #[test]
        fn mul_div_matches_exact_when_small(a in 0u128..1u128 << 64, b in 0u128..1u128 << 64, c in 1u128..u128::MAX) {
            prop_assert_eq!(mul_div(a, b, c), Some(a * b / c));
        }

        #[test]
        fn mul_div_is_exact_in_wide_range(a: u128, b: u128, c in 1u128..) {
            // q = floor(a*b/c) iff q*c <= a*b < (q+1)*c.
            if let Some(q) = mul_div(a, b, c) {
                let ab = U128::from(a).full_mul(U128::from(b));
                let qc = U128::from(q).full_mul(U128::from(c));
                prop_assert!(qc <= ab);
                prop_assert!(ab - qc < primitive_types::U256::from(c));
            } else {
                // Only when the true quotient exceeds u128::MAX.
                let ab = U128::from(a).full_mul(U128::from(b));
                prop_assert!(ab / primitive_types::U256::from(c) > primitive_types::U256::from(u128::MAX));
            }
        }
    }
}
